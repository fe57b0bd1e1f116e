import Foundation

/// A heterogeneous GPT-2 (LTS / archai `hf_gpt2_flex`): per-layer FFN width and head count,
/// optional adaptive input / softmax (`div_val > 1`).
///
/// JSON keys follow archai / LTS (`n_layer`, `d_model`, `d_inner`, `n_head`, `div_val`, `d_embed`,
/// `vocab_size`, `n_positions`, `cutoffs`). `d_embed = -1` means "same as d_model". Per-layer lists
/// may be longer than `n_layer`; the extra entries are ignored (and dropped from `canonicalKey`).
public struct GPT2Config: ArchitectureConfig, Hashable {
  public static let backbone = "gpt2"

  public var nLayer: Int
  public var dModel: Int
  /// FFN width per layer (≥ n_layer entries).
  public var dInner: [Int]
  /// Attention heads per layer (≥ n_layer entries); each must divide d_model.
  public var nHead: [Int]
  /// Adaptive embedding divisor: cluster k has width d_embed / div_val^k. 1 = plain embedding.
  public var divVal: Int
  /// Embedding width before projection to d_model (-1 = d_model).
  public var dEmbed: Int
  public var vocabSize: Int
  /// Maximum sequence length (learned position table size).
  public var nPositions: Int
  /// Adaptive cluster boundaries (increasing, < vocab_size); default archai's [19997, 39997, 199997]
  /// clipped to the vocabulary. Only used when div_val > 1.
  public var cutoffs: [Int]?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case backbone
    case nLayer = "n_layer", dModel = "d_model", dInner = "d_inner", nHead = "n_head"
    case divVal = "div_val", dEmbed = "d_embed", vocabSize = "vocab_size", nPositions = "n_positions"
    case cutoffs
  }

  public init(nLayer: Int, dModel: Int, dInner: [Int], nHead: [Int], divVal: Int = 1, dEmbed: Int = -1,
              vocabSize: Int = 50257, nPositions: Int = 192, cutoffs: [Int]? = nil) {
    self.nLayer = nLayer
    self.dModel = dModel
    self.dInner = dInner
    self.nHead = nHead
    self.divVal = divVal
    self.dEmbed = dEmbed
    self.vocabSize = vocabSize
    self.nPositions = nPositions
    self.cutoffs = cutoffs
  }

  public init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let b = try c.decodeIfPresent(String.self, forKey: .backbone), b != Self.backbone {
      throw ConfigError(field: "backbone", value: b, rule: "expected \(Self.backbone)")
    }
    nLayer = try c.decode(Int.self, forKey: .nLayer)
    dModel = try c.decode(Int.self, forKey: .dModel)
    dInner = try Self.intOrList(c, .dInner, count: nLayer)
    nHead = try Self.intOrList(c, .nHead, count: nLayer)
    divVal = try c.decodeIfPresent(Int.self, forKey: .divVal) ?? 1
    dEmbed = try c.decodeIfPresent(Int.self, forKey: .dEmbed) ?? -1
    vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize) ?? 50257
    nPositions = try c.decodeIfPresent(Int.self, forKey: .nPositions) ?? 192
    cutoffs = try c.decodeIfPresent([Int].self, forKey: .cutoffs)
  }

  /// Accepts a single integer (homogeneous) or a per-layer list.
  static func intOrList(_ c: KeyedDecodingContainer<CodingKeys>, _ k: CodingKeys, count: Int) throws -> [Int] {
    if let v = try? c.decode(Int.self, forKey: k) { return Array(repeating: v, count: max(count, 0)) }
    return try c.decode([Int].self, forKey: k)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Self.backbone, forKey: .backbone)
    try c.encode(nLayer, forKey: .nLayer)
    try c.encode(dModel, forKey: .dModel)
    try c.encode(dInner, forKey: .dInner)
    try c.encode(nHead, forKey: .nHead)
    try c.encode(divVal, forKey: .divVal)
    try c.encode(dEmbed, forKey: .dEmbed)
    try c.encode(vocabSize, forKey: .vocabSize)
    try c.encode(nPositions, forKey: .nPositions)
    try c.encodeIfPresent(cutoffs, forKey: .cutoffs)
  }

  // MARK: - Derived values

  /// The embedding width actually used (resolves -1).
  public var embedWidth: Int { dEmbed == -1 ? dModel : dEmbed }
  /// The same model with the unused per-layer entries (beyond n_layer) dropped, for export.
  public var trimmed: GPT2Config {
    var c = self
    c.dInner = activeInner
    c.nHead = activeHeads
    return c
  }
  /// Active FFN widths (first n_layer).
  public var activeInner: [Int] { Array(dInner.prefix(nLayer)) }
  /// Active head counts (first n_layer).
  public var activeHeads: [Int] { Array(nHead.prefix(nLayer)) }
  /// Cluster boundaries of the adaptive embedding / softmax, ending with vocab_size: for
  /// div_val = 1 this is `[vocab_size]` (one cluster).
  public var clusterEnds: [Int] {
    guard divVal > 1 else { return [vocabSize] }
    let raw = cutoffs ?? [19997, 39997, 199997]
    return raw.filter { $0 < vocabSize } + [vocabSize]
  }
  /// Embedding width of cluster k.
  public func clusterWidth(_ k: Int) -> Int {
    var w = embedWidth
    for _ in 0..<k { w /= divVal }
    return w
  }

  /// Decoder parameters in closed form (DESIGN.md): Σᵢ 4d² + 9d + 2d·fᵢ + fᵢ, plus 2d for ln_f.
  public var decoderParams: Int {
    let d = dModel
    return activeInner.reduce(2 * d) { $0 + 4 * d * d + 9 * d + 2 * d * $1 + $1 }
  }

  // MARK: - Validation

  public func validate() throws {
    func fail(_ f: String, _ v: Any, _ rule: String) -> ConfigError { ConfigError(field: f, value: "\(v)", rule: rule) }
    guard nLayer >= 1 else { throw fail("n_layer", nLayer, "must be ≥ 1") }
    guard dModel >= 1 else { throw fail("d_model", dModel, "must be ≥ 1") }
    guard dInner.count >= nLayer else { throw fail("d_inner", dInner, "needs at least n_layer = \(nLayer) entries, has \(dInner.count)") }
    guard nHead.count >= nLayer else { throw fail("n_head", nHead, "needs at least n_layer = \(nLayer) entries, has \(nHead.count)") }
    for (i, f) in activeInner.enumerated() where f < 1 { throw fail("d_inner[\(i)]", f, "must be ≥ 1") }
    for (i, h) in activeHeads.enumerated() {
      guard h >= 1 else { throw fail("n_head[\(i)]", h, "must be ≥ 1") }
      guard dModel % h == 0 else { throw fail("n_head[\(i)]", h, "must divide d_model = \(dModel)") }
    }
    guard divVal >= 1 else { throw fail("div_val", divVal, "must be ≥ 1") }
    guard dEmbed == -1 || dEmbed >= 1 else { throw fail("d_embed", dEmbed, "must be ≥ 1 or -1 (= d_model)") }
    guard vocabSize >= 2 else { throw fail("vocab_size", vocabSize, "must be ≥ 2") }
    guard nPositions >= 1 else { throw fail("n_positions", nPositions, "must be ≥ 1") }
    if divVal > 1 {
      if let cs = cutoffs {
        for i in 1..<max(cs.count, 1) where cs[i] <= cs[i - 1] {
          throw fail("cutoffs", cs, "must be strictly increasing")
        }
        if let f = cs.first, f <= 0 { throw fail("cutoffs", cs, "must be positive") }
      }
      let ends = clusterEnds
      var w = embedWidth
      for k in 0..<ends.count {
        guard w >= 1 else {
          throw fail("d_embed", embedWidth, "must be divisible by div_val^\(k) = \(Int(pow(Double(divVal), Double(k)))) for \(ends.count) clusters (div_val = \(divVal))")
        }
        if k + 1 < ends.count {
          guard w % divVal == 0 else {
            throw fail("d_embed", embedWidth, "must be divisible by div_val^\(k + 1) = \(Int(pow(Double(divVal), Double(k + 1)))) for \(ends.count) clusters (div_val = \(divVal))")
          }
          w /= divVal
        }
      }
    }
  }

  // MARK: - Identity

  /// Active genes only, in a fixed order.
  public var canonicalKey: String {
    var s = "gpt2|L\(nLayer)|d\(dModel)|f\(activeInner.map(String.init).joined(separator: ","))"
    s += "|h\(activeHeads.map(String.init).joined(separator: ","))|dv\(divVal)|e\(embedWidth)|V\(vocabSize)|P\(nPositions)"
    if divVal > 1 { s += "|c\(clusterEnds.map(String.init).joined(separator: ","))" }
    return s
  }
}
