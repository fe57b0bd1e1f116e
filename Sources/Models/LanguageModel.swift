import SearchSpaces
import TensorEngine

/// The functional part of the network a weight belongs to (ZeroLM sums statistics per part).
public enum SubModule: String, Sendable, CaseIterable, Codable {
  /// Token and position embeddings, adaptive-input projections.
  case embedding
  /// Token mixing: attention (Q, K, V, O) or the layer's replacement for it (DFT, conv, …).
  case mixing
  /// Position-wise feed-forward stack.
  case ffn
  /// Recurrent cell maps.
  case recurrent
  /// Layer norms.
  case norm
  /// Output head (softmax / LM head).
  case head
}

/// One learned linear map of a model, for weight-statistic proxies.
public struct LinearMap {
  public var name: String
  public var kind: SubModule
  /// Layer index (0-based) or nil for model-level maps.
  public var layer: Int?
  /// The weight, stored [in, out].
  public var weight: Tensor

  public init(name: String, kind: SubModule, layer: Int?, weight: Tensor) {
    self.name = name
    self.kind = kind
    self.layer = layer
    self.weight = weight
  }
}

/// A model built from an `ArchitectureConfig`. Each backbone is one file implementing this.
public protocol LanguageModel: AnyObject {
  /// Every trainable tensor with a checkpoint-style name (`h.0.attn.c_attn.weight`).
  var namedParameters: [(name: String, tensor: Tensor)] { get }
  /// The learned linear maps, grouped by functional sub-module.
  var linearMaps: [LinearMap] { get }
  /// Runs one inference forward pass on deterministic synthetic input of `batch × seqLen` tokens
  /// (no autograd), as used for latency and peak-memory measurement. Returns the output.
  func measurementForward(batch: Int, seqLen: Int) throws -> Tensor
}

extension LanguageModel {
  /// Total number of parameters.
  public var parameterCount: Int { namedParameters.reduce(0) { $0 + $1.tensor.count } }
  /// Bytes held by the parameters.
  public var parameterBytes: Int { parameterCount * MemoryLayout<Float>.stride }
}

/// Checks a batch of token ids (row-major [B, T]) for a model and returns T: the ids must split into
/// `batch` rows of 1…`maxLength` tokens, each id in 0..<`vocab`.
func sequenceLength(of ids: [Int], batch: Int, maxLength: Int, maxLengthName: String, vocab: Int,
                    model: String) throws -> Int {
  guard batch > 0, ids.count % batch == 0 else {
    throw ModelError.invalidInput("\(model): \(ids.count) token ids cannot be split into batch \(batch)")
  }
  let t = ids.count / batch
  guard t >= 1, t <= maxLength else {
    throw ModelError.invalidInput("\(model): sequence length \(t) exceeds \(maxLengthName) = \(maxLength)")
  }
  if let bad = ids.first(where: { $0 < 0 || $0 >= vocab }) {
    throw TensorError.indexOutOfRange(op: "\(model).embedding", index: bad, range: 0..<vocab, shape: [batch, t])
  }
  return t
}

/// Errors building a model.
public enum ModelError: Error, CustomStringConvertible {
  case unsupportedBackbone(String)
  case invalidInput(String)

  public var description: String {
    switch self {
    case let .unsupportedBackbone(b): return "no model is registered for backbone '\(b)'"
    case let .invalidInput(d): return d
    }
  }
}

/// Maps backbone names to model builders: the plug-in point for new backbones.
public enum ModelRegistry {
  public typealias Build = (any ArchitectureConfig, inout SplitMix64) throws -> any LanguageModel

  nonisolated(unsafe) public static var builders: [String: Build] = [
    // one line per backbone:
    GPT2Config.backbone: GPT2Model.build,
    FlexiBERTConfig.backbone: FlexiBERTModel.build,
    RecurrentConfig.backbone: RecurrentModel.build,
  ]

  /// Builds and initialises the model of `config` with weights drawn from `seed`.
  public static func build(_ config: any ArchitectureConfig, seed: UInt64 = 0) throws -> any LanguageModel {
    var rng = SplitMix64(seed: seed)
    return try build(config, using: &rng)
  }

  public static func build(_ config: any ArchitectureConfig, using rng: inout SplitMix64) throws -> any LanguageModel {
    try config.validate()
    guard let b = builders[config.backbone] else { throw ModelError.unsupportedBackbone(config.backbone) }
    return try b(config, &rng)
  }
}
