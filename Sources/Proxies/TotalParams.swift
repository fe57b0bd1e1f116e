import Models
import SearchSpaces

/// A config whose built model's parameter count is known in closed form, so `total-params` need
/// not build (and initialise) the model. Conform with one line, e.g.
/// `extension FlexiBERTConfig: ClosedFormParameterCount {}`, and test it against `parameterCount`.
public protocol ClosedFormParameterCount {
  /// Equals `ModelRegistry.build(self).parameterCount`.
  var totalParams: Int { get }
}

extension GPT2Config: ClosedFormParameterCount {}

extension GPT2Config {
  /// Every parameter of the built GPT-2 (`GPT2Model`), in closed form; equals
  /// `model.parameterCount` (tested). With V_k, E_k = size and width of embedding cluster k,
  /// C = d_model, K = number of clusters:
  /// - token embedding Σ_k V_k·E_k, plus a projection E_k·C for every cluster when
  ///   div_val > 1 (adaptive input), or for the single table when d_embed ≠ d_model;
  /// - learned positions n_positions·C;
  /// - the decoder (`decoderParams`);
  /// - output: tied to the input tables and projections, so nothing more for div_val = 1; the
  ///   adaptive softmax (div_val > 1) adds the cluster head (K − 1)·E_0 weights + (K − 1) biases and
  ///   one output bias per token (vocab_size).
  public var totalParams: Int {
    let ends = clusterEnds
    let adaptive = divVal > 1
    var n = 0
    var start = 0
    for (k, end) in ends.enumerated() {
      let w = clusterWidth(k)
      n += (end - start) * w
      if adaptive || w != dModel { n += w * dModel }
      start = end
    }
    n += nPositions * dModel
    n += decoderParams
    if adaptive {
      let tail = ends.count - 1
      n += tail * embedWidth + tail + vocabSize
    }
    return n
  }
}

/// `total-params`: all parameters of the built model (embeddings, positions, decoder, output head).
///
/// The closed form `totalParams` for configs that have one (`ClosedFormParameterCount`: GPT-2 and
/// those that opt in); for any other backbone with a builder in `ModelRegistry`, the model is built
/// (weights from `context.seed`) and its parameters counted.
public struct TotalParamsProxy: Proxy {
  public let name = "total-params"
  public let summary = "all parameters of the built model (embeddings and output head included)"

  public init() {}

  public func supports(backbone: String) -> Bool {
    backbone == GPT2Config.backbone || ModelRegistry.builders[backbone] != nil
  }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    if let c = config as? any ClosedFormParameterCount { return ProxyResult(value: Double(c.totalParams)) }
    let model = try ModelRegistry.build(config, seed: context.seed)
    return ProxyResult(value: Double(model.parameterCount))
  }
}
