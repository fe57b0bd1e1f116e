import Foundation

/// One encoder layer of a FlexiBERT model: its token-mixing operation, the operation's parameter,
/// its head count and its feed-forward stack.
///
/// JSON: `{"operation": "SA", "parameter": "SDP", "heads": 4, "ffn": [1024]}`. The parameter of a
/// `DSC` layer is the kernel size and may be written as a number (`9`) or a string (`"9"`), as in
/// `BERT_benchmark.json`.
public struct FlexiBERTLayer: Codable, Sendable, Hashable {
  /// The token-mixing operation.
  public enum Operation: String, Codable, Sendable, CaseIterable {
    /// Self-attention (`SDP` scaled dot-product or `WMA` weighted multiplicative).
    case sa = "SA"
    /// Parameter-free linear transform (`DFT` real 2-D Fourier, `DCT` 2-D cosine), as FNet.
    case lt = "LT"
    /// Dynamic separable convolution (ConvBERT mixed attention) with an odd kernel size.
    case dsc = "DSC"
  }

  public var operation: Operation
  /// `SDP` / `WMA` for SA, `DFT` / `DCT` for LT, the kernel size (`"5"`, `"9"`) for DSC.
  public var parameter: String
  /// Heads of the operation; must divide `hidden_size` (ignored by LT, which has no heads).
  public var heads: Int
  /// Widths of the FFN dense layers in order; a last dense layer maps back to `hidden_size`.
  public var ffn: [Int]

  enum CodingKeys: String, CodingKey, CaseIterable { case operation, parameter, heads, ffn }

  public init(operation: Operation, parameter: String, heads: Int, ffn: [Int]) {
    self.operation = operation
    self.parameter = parameter
    self.heads = heads
    self.ffn = ffn
  }

  public init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let op = try c.decode(String.self, forKey: .operation)
    guard let o = Operation(rawValue: op) else {
      var path = ""
      for k in decoder.codingPath {
        if let i = k.intValue { path += "[\(i)]" } else { path += (path.isEmpty ? "" : ".") + k.stringValue }
      }
      throw ConfigError(field: path + (path.isEmpty ? "" : ".") + "operation", value: op,
                        rule: "unknown operation; one of SA, LT, DSC")
    }
    operation = o
    if let i = try? c.decode(Int.self, forKey: .parameter) {
      parameter = String(i)
    } else {
      parameter = try c.decode(String.self, forKey: .parameter)
    }
    heads = try c.decode(Int.self, forKey: .heads)
    ffn = try c.decode([Int].self, forKey: .ffn)
  }

  /// The DSC kernel size (nil for SA / LT or a non-integer parameter).
  public var kernelSize: Int? { operation == .dsc ? Int(parameter) : nil }

  /// Checks the layer; `index` names it in errors (`layers[2].heads`).
  public func validate(index: Int, hiddenSize: Int) throws {
    func fail(_ f: String, _ v: Any, _ rule: String) -> ConfigError {
      ConfigError(field: "layers[\(index)].\(f)", value: "\(v)", rule: rule)
    }
    switch operation {
    case .sa:
      guard parameter == "SDP" || parameter == "WMA" else {
        throw fail("parameter", parameter, "unknown parameter for SA; one of SDP, WMA")
      }
    case .lt:
      guard parameter == "DFT" || parameter == "DCT" else {
        throw fail("parameter", parameter, "unknown parameter for LT; one of DFT, DCT")
      }
    case .dsc:
      guard let k = Int(parameter), k >= 1, k % 2 == 1 else {
        throw fail("parameter", parameter, "DSC needs an odd positive kernel size (e.g. 5, 9)")
      }
    }
    guard heads >= 1 else { throw fail("heads", heads, "must be ≥ 1") }
    guard hiddenSize % heads == 0 else { throw fail("heads", heads, "must divide hidden_size = \(hiddenSize)") }
    if operation == .dsc {
      guard heads % 2 == 0 else {
        throw fail("heads", heads, "DSC splits its heads evenly between attention and convolution, so heads must be even")
      }
    }
    guard !ffn.isEmpty else { throw fail("ffn", "[]", "the FFN stack needs at least one dense layer") }
    for (j, w) in ffn.enumerated() where w < 1 {
      throw ConfigError(field: "layers[\(index)].ffn[\(j)]", value: "\(w)", rule: "must be ≥ 1")
    }
  }

  /// Active genes of the layer (LT has no heads, so they are dropped).
  var canonicalKey: String {
    let h = operation == .lt ? "-" : String(heads)
    return "\(operation.rawValue):\(parameter):h\(h):f\(ffn.map(String.init).joined(separator: ","))"
  }
}

/// A FlexiBERT encoder (Tuli et al. 2022): heterogeneous layers sharing one hidden size, each with
/// its own token-mixing operation, heads and FFN stack; ELECTRA-small embeddings (size 128,
/// projected to `hidden_size` when they differ) and a masked-LM head.
///
/// JSON (DESIGN.md): `{"backbone": "flexibert", "hidden_size": 256, "layers": [{"operation": "SA",
/// "parameter": "SDP", "heads": 4, "ffn": [1024]}, …]}` plus optional `embedding_size` (128),
/// `vocab_size` (30522), `max_position` (512). Both readings of a `BERT_benchmark.json` record are
/// plain configs of this type (see `FlexiBERTBenchmark`).
public struct FlexiBERTConfig: ArchitectureConfig, Hashable {
  public static let backbone = "flexibert"

  public var hiddenSize: Int
  public var layers: [FlexiBERTLayer]
  /// Width of the token / position / type embeddings (ELECTRA-small: 128).
  public var embeddingSize: Int
  /// WordPiece vocabulary (uncased BERT: 30,522).
  public var vocabSize: Int
  /// Learned position table size (BERT: 512).
  public var maxPosition: Int

  enum CodingKeys: String, CodingKey, CaseIterable {
    case backbone
    case hiddenSize = "hidden_size", layers, embeddingSize = "embedding_size", vocabSize = "vocab_size"
    case maxPosition = "max_position"
  }

  public init(hiddenSize: Int, layers: [FlexiBERTLayer], embeddingSize: Int = 128, vocabSize: Int = 30522,
              maxPosition: Int = 512) {
    self.hiddenSize = hiddenSize
    self.layers = layers
    self.embeddingSize = embeddingSize
    self.vocabSize = vocabSize
    self.maxPosition = maxPosition
  }

  public init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let b = try c.decodeIfPresent(String.self, forKey: .backbone), b != Self.backbone {
      throw ConfigError(field: "backbone", value: b, rule: "expected \(Self.backbone)")
    }
    hiddenSize = try c.decode(Int.self, forKey: .hiddenSize)
    layers = try c.decode([FlexiBERTLayer].self, forKey: .layers)
    embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize) ?? 128
    vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 30522
    maxPosition = try c.decodeIfPresent(Int.self, forKey: .maxPosition) ?? 512
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Self.backbone, forKey: .backbone)
    try c.encode(hiddenSize, forKey: .hiddenSize)
    try c.encode(layers, forKey: .layers)
    try c.encode(embeddingSize, forKey: .embeddingSize)
    try c.encode(vocabSize, forKey: .vocabSize)
    try c.encode(maxPosition, forKey: .maxPosition)
  }

  public func validate() throws {
    guard hiddenSize >= 1 else { throw ConfigError(field: "hidden_size", value: "\(hiddenSize)", rule: "must be ≥ 1") }
    guard !layers.isEmpty else { throw ConfigError(field: "layers", value: "[]", rule: "needs at least one layer") }
    for (i, l) in layers.enumerated() { try l.validate(index: i, hiddenSize: hiddenSize) }
    guard embeddingSize >= 1 else {
      throw ConfigError(field: "embedding_size", value: "\(embeddingSize)", rule: "must be ≥ 1")
    }
    guard vocabSize >= 2 else { throw ConfigError(field: "vocab_size", value: "\(vocabSize)", rule: "must be ≥ 2") }
    guard maxPosition >= 1 else {
      throw ConfigError(field: "max_position", value: "\(maxPosition)", rule: "must be ≥ 1")
    }
  }

  public var canonicalKey: String {
    "flexibert|H\(hiddenSize)|E\(embeddingSize)|V\(vocabSize)|P\(maxPosition)|"
      + layers.map(\.canonicalKey).joined(separator: "|")
  }

  // MARK: - The benchmark's design space

  /// The FlexiBERT space of `BERT_benchmark.json` (`raw/search_space.json`, equal to FlexiBERT's
  /// `design_space_test.yaml`): each field drawn independently and uniformly, as `space_maker.ipynb`
  /// did. FFN stacks are `num_feed_forward` ∈ {1, 3} dense layers of width ∈ {512, 1024} — the
  /// described reading; `asTrained` maps a sample to what the released training code built.
  public static func sampleBenchmarkSpace(using rng: inout SplitMix64) -> FlexiBERTConfig {
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    let hidden = pick([128, 256])
    let depth = pick([2, 4])
    var layers: [FlexiBERTLayer] = []
    for _ in 0..<depth {
      let op = pick(FlexiBERTLayer.Operation.allCases)
      let param: String
      switch op {
      case .sa: param = pick(["SDP", "WMA"])
      case .lt: param = pick(["DFT", "DCT"])
      case .dsc: param = pick(["5", "9"])
      }
      let heads = pick([2, 4])
      let width = pick([512, 1024])
      let count = pick([1, 3])
      layers.append(FlexiBERTLayer(operation: op, parameter: param, heads: heads, ffn: Array(repeating: width, count: count)))
    }
    return FlexiBERTConfig(hiddenSize: hidden, layers: layers)
  }

  /// The network the released ELECTRA training code built for a record described by this config
  /// (SOURCES.md, "Notes from reading the released code"): every layer plain multi-head SDP
  /// attention with the layer's heads; the first FFN dense layer 4·hidden wide, then the remaining
  /// `ffn.count − 1` described widths.
  public var asTrained: FlexiBERTConfig {
    var c = self
    c.layers = layers.map { l in
      FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: l.heads, ffn: [4 * hiddenSize] + l.ffn.dropFirst())
    }
    return c
  }
}
