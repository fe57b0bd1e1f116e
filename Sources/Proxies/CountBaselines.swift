import Foundation
import Models
import SearchSpaces

/// Depth and width of a config, for the count baselines: GPT-2 (`n_layer`, `d_model`), FlexiBERT
/// (`layers.count`, `hidden_size`), and otherwise the config's JSON fields `n_layer` / `n_layers`
/// and `d_model` / `hidden_size`.
enum ConfigShape {
  static func depth(_ c: any ArchitectureConfig) -> Int? {
    if let g = c as? GPT2Config { return g.nLayer }
    if let f = c as? FlexiBERTConfig { return f.layers.count }
    return jsonInt(c, ["n_layer", "n_layers"])
  }

  static func width(_ c: any ArchitectureConfig) -> Int? {
    if let g = c as? GPT2Config { return g.dModel }
    if let f = c as? FlexiBERTConfig { return f.hiddenSize }
    return jsonInt(c, ["d_model", "hidden_size"])
  }

  static func jsonInt(_ c: any ArchitectureConfig, _ keys: [String]) -> Int? {
    guard let obj = try? JSONSerialization.jsonObject(with: Data(c.jsonString().utf8)) as? [String: Any] else { return nil }
    for k in keys { if let n = obj[k] as? NSNumber { return n.intValue } }
    return nil
  }
}

/// `n-layers`: the number of layers.
public struct NLayersProxy: Proxy {
  public let name = "n-layers"
  public let summary = "number of layers (count baseline)"
  public init() {}
  public func supports(backbone: String) -> Bool {
    [GPT2Config.backbone, FlexiBERTConfig.backbone, "transformer-xl", "recurrent"].contains(backbone)
  }
  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let d = ConfigShape.depth(config) else { return .undefined("the config has no layer count") }
    return ProxyResult(value: Double(d))
  }
}

/// `layers-x-hidden`: number of layers × hidden size (d_model).
public struct LayersXHiddenProxy: Proxy {
  public let name = "layers-x-hidden"
  public let summary = "number of layers × hidden size (count baseline)"
  public init() {}
  public func supports(backbone: String) -> Bool {
    [GPT2Config.backbone, FlexiBERTConfig.backbone, "transformer-xl", "recurrent"].contains(backbone)
  }
  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let d = ConfigShape.depth(config), let w = ConfigShape.width(config) else {
      return .undefined("the config has no layer count or hidden size")
    }
    return ProxyResult(value: Double(d * w))
  }
}

/// `nonembedding-params`: parameters outside the token / position embeddings and the output head.
/// GPT-2: `decoderParams` (DESIGN.md); FlexiBERT: the encoder layers (`FlexiBERTConfig.encoderParams`).
public struct NonEmbeddingParamsProxy: Proxy {
  public let name = "nonembedding-params"
  public let summary = "parameters outside the embeddings and the output head (count baseline)"
  public init() {}
  public func supports(backbone: String) -> Bool { [GPT2Config.backbone, FlexiBERTConfig.backbone].contains(backbone) }
  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    if let g = config as? GPT2Config { return ProxyResult(value: Double(g.decoderParams)) }
    if let f = config as? FlexiBERTConfig { return ProxyResult(value: Double(f.encoderParams)) }
    throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone)
  }
}

extension FlexiBERTLayer {
  /// Parameters of this layer as `FlexiBERTModel` builds it (H = hidden size, d = H / heads):
  /// - SA: Q, K, V (H·H + H each), plus d² for WMA's bilinear form;
  /// - LT: none (parameter-free transform);
  /// - DSC (c = H/2 channels, g = heads/2 heads each side, K taps): Q, K, V (H·c + c each), depthwise
  ///   H·K, pointwise H·c + c, kernel map c·g·K + g·K, conv-out H·c + c;
  /// - self-output H·H + H and its LayerNorm 2H; FFN Σ wⱼ·wⱼ₊₁ + wⱼ₊₁ over [H] + ffn + [H]; LayerNorm 2H.
  public func parameterCount(hidden h: Int) -> Int {
    let d = h / heads
    var n = 0
    switch operation {
    case .sa: n += 3 * (h * h + h) + (parameter == "WMA" ? d * d : 0)
    case .lt: break
    case .dsc:
      let c = h / 2, g = heads / 2, k = kernelSize ?? 1
      n += 3 * (h * c + c) + h * k + (h * c + c) + (c * g * k + g * k) + (h * c + c)
    }
    n += h * h + h + 2 * h
    let widths = [h] + ffn + [h]
    for j in 0..<(widths.count - 1) { n += widths[j] * widths[j + 1] + widths[j + 1] }
    return n + 2 * h
  }
}

extension FlexiBERTConfig {
  /// Parameters of the encoder layers (everything but embeddings and the masked-LM head).
  public var encoderParams: Int { layers.reduce(0) { $0 + $1.parameterCount(hidden: hiddenSize) } }

  /// Every parameter of `FlexiBERTModel` in closed form: embeddings V·E + P·E + 2·E, their
  /// LayerNorm 2E, the projection E·H + H when E ≠ H, the encoder, and the masked-LM head
  /// (H·E + E dense, 2E LayerNorm, V output bias; the output weights are tied to the embeddings).
  public var totalParams: Int {
    let (e, h) = (embeddingSize, hiddenSize)
    var n = vocabSize * e + maxPosition * e + 2 * e + 2 * e
    if e != h { n += e * h + h }
    return n + encoderParams + (h * e + e) + 2 * e + vocabSize
  }
}

/// `total-params` uses the closed form (tested equal to the built model's count).
extension FlexiBERTConfig: ClosedFormParameterCount {}
