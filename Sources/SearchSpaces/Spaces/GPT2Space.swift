/// The heterogeneous GPT-2 space of LiteTransformerSearch: per-field choices, per-layer genes.
///
/// Genes, in the fixed order they are drawn: `n_layer`, `d_model`, `vocab_size`, `n_positions`,
/// `d_embed`, `div_val`, then `d_inner[i]` and `n_head[i]` for every layer up to the largest
/// `n_layer` choice. Layers beyond a config's `n_layer` are carried (so a later mutation that adds
/// layers has genes to use) but ignored by the model and dropped from `canonicalKey`.
///
/// Dependent rules are kept by drawing among the allowed values only: each head count divides
/// d_model, d_inner ≥ d_model when `d_inner.at_least_d_model` is set, d_embed = d_model when tied,
/// and d_embed divisible by the div_val powers its clusters need. Every sampled, mutated or
/// crossed-over config therefore passes `GPT2Config.validate()` and lies in the space.
///
/// Build one with `GPT2Space.lts` (the paper's space), `GPT2Space.load(path:)` (a JSON or YAML
/// file) or `GPT2Space.parse(_:file:)`; the memberwise `init` validates too.
public struct GPT2Space: EvolutionarySpace, Hashable {
  public typealias Config = GPT2Config

  /// How d_embed is chosen.
  public enum Embed: Sendable, Hashable {
    /// d_embed = d_model (the LTS space; written `d_embed: d_model`).
    case tiedToDModel
    /// An independent gene.
    case choices(IntChoices)
  }

  public var nLayer: IntChoices
  public var dModel: IntChoices
  public var dInner: IntChoices
  /// Restricts each layer's d_inner to choices ≥ d_model.
  public var dInnerAtLeastDModel: Bool
  public var nHead: IntChoices
  public var divVal: IntChoices
  public var dEmbed: Embed
  public var vocabSize: IntChoices
  public var nPositions: IntChoices
  /// Adaptive cluster boundaries given to every config (nil = GPT2Config's default).
  public var cutoffs: [Int]?

  /// A validated space; throws a `ConfigError` naming the field and rule (see `validate()`).
  public init(nLayer: IntChoices, dModel: IntChoices, dInner: IntChoices, dInnerAtLeastDModel: Bool = false,
              nHead: IntChoices, divVal: IntChoices = .just(1), dEmbed: Embed = .tiedToDModel,
              vocabSize: IntChoices = .just(50257), nPositions: IntChoices = .just(192), cutoffs: [Int]? = nil) throws {
    self.nLayer = nLayer
    self.dModel = dModel
    self.dInner = dInner
    self.dInnerAtLeastDModel = dInnerAtLeastDModel
    self.nHead = nHead
    self.divVal = divVal
    self.dEmbed = dEmbed
    self.vocabSize = vocabSize
    self.nPositions = nPositions
    self.cutoffs = cutoffs
    try validate()
  }

  /// Per-layer genes carried by every config: the largest n_layer choice.
  public var maxLayers: Int { nLayer.maxValue }

  // MARK: - Allowed values given the genes drawn before

  /// Head counts allowed with `d`: the n_head choices dividing it.
  func headsAllowed(_ h: Int, dModel d: Int) -> Bool { h >= 1 && d % h == 0 && nHead.contains(h) }

  func innerAllowed(_ f: Int, dModel d: Int) -> Bool { dInner.contains(f) && (!dInnerAtLeastDModel || f >= d) }

  func embedAllowed(_ e: Int, dModel d: Int) -> Bool {
    switch dEmbed {
    case .tiedToDModel: return e == d
    case let .choices(c): return c.contains(e)
    }
  }

  /// Number of adaptive clusters for a vocabulary (as `GPT2Config.clusterEnds`).
  func clusterCount(vocab: Int) -> Int {
    (cutoffs ?? [19997, 39997, 199997]).filter { $0 < vocab }.count + 1
  }

  /// Whether `v` splits `e` into `clusters` integer widths (GPT2Config's div_val rule).
  static func divisible(_ e: Int, by v: Int, clusters: Int) -> Bool {
    guard v > 1 else { return v == 1 }
    var w = e
    for _ in 0..<(clusters - 1) {
      guard w % v == 0 else { return false }
      w /= v
    }
    return w >= 1
  }

  func divAllowed(_ v: Int, embed e: Int, vocab: Int) -> Bool {
    divVal.contains(v) && Self.divisible(e, by: v, clusters: clusterCount(vocab: vocab))
  }

  // MARK: - Sample, mutate, crossover

  public func sample(using rng: inout SplitMix64) -> GPT2Config {
    breed(nil, nil, probability: 1, using: &rng)
  }

  public func mutate(_ config: GPT2Config, probability: Double, using rng: inout SplitMix64) -> GPT2Config {
    breed(config, nil, probability: probability, using: &rng)
  }

  public func crossover(_ first: GPT2Config, _ second: GPT2Config, probability: Double,
                        using rng: inout SplitMix64) -> GPT2Config {
    breed(first, second, probability: probability, using: &rng)
  }

  /// One pass over the genes in order. For each gene a coin with `probability` decides whether it
  /// is replaced: by `other`'s gene (crossover) or by a fresh draw (mutation, sampling). A gene
  /// that is then outside the space, or breaks a rule with the genes before it, is redrawn among
  /// the allowed values. The coins are always tossed, so the stream of draws is fixed.
  func breed(_ base: GPT2Config?, _ other: GPT2Config?, probability p: Double,
             using rng: inout SplitMix64) -> GPT2Config {
    func gene(_ mine: Int?, _ theirs: Int?, allowed: (Int) -> Bool, draw: (inout SplitMix64) -> Int?) -> Int {
      var v = mine
      if rng.chance(p) || v == nil { v = other != nil ? (theirs ?? v) : nil }
      if let x = v, allowed(x) { return x }
      // Validation guarantees a value exists for every combination reached here.
      return draw(&rng)!
    }
    let n = gene(base?.nLayer, other?.nLayer, allowed: nLayer.contains) { nLayer.sample(using: &$0) }
    let d = gene(base?.dModel, other?.dModel, allowed: dModel.contains) { dModel.sample(using: &$0) }
    let vocab = gene(base?.vocabSize, other?.vocabSize, allowed: vocabSize.contains) { vocabSize.sample(using: &$0) }
    let pos = gene(base?.nPositions, other?.nPositions, allowed: nPositions.contains) { nPositions.sample(using: &$0) }
    let e: Int
    switch dEmbed {
    case .tiedToDModel: e = d
    case let .choices(c):
      e = gene(base?.embedWidth, other?.embedWidth, allowed: c.contains) { c.sample(using: &$0) }
    }
    let dv = gene(base?.divVal, other?.divVal, allowed: { divAllowed($0, embed: e, vocab: vocab) }) {
      divVal.sample(where: { divAllowed($0, embed: e, vocab: vocab) }, using: &$0)
    }
    let layers = maxLayers
    var inner = [Int](), heads = [Int]()
    inner.reserveCapacity(layers)
    heads.reserveCapacity(layers)
    for i in 0..<layers {
      inner.append(gene(base?.dInner[safe: i], other?.dInner[safe: i], allowed: { innerAllowed($0, dModel: d) }) {
        dInnerAtLeastDModel ? dInner.sample(atLeast: d, using: &$0) : dInner.sample(using: &$0)
      })
    }
    for i in 0..<layers {
      heads.append(gene(base?.nHead[safe: i], other?.nHead[safe: i], allowed: { headsAllowed($0, dModel: d) }) {
        nHead.sample(where: { d % $0 == 0 }, using: &$0)
      })
    }
    return GPT2Config(nLayer: n, dModel: d, dInner: inner, nHead: heads, divVal: dv, dEmbed: e,
                      vocabSize: vocab, nPositions: pos, cutoffs: cutoffs)
  }

  // MARK: - Membership

  public func violation(of c: GPT2Config) -> ConfigError? {
    do { try c.validate() } catch let e as ConfigError { return e } catch { return ConfigError(field: "(config)", value: "", rule: "\(error)") }
    func outside(_ f: String, _ v: Int, _ choices: IntChoices) -> ConfigError {
      ConfigError(field: f, value: "\(v)", rule: "outside the space: allowed \(choices)")
    }
    if !nLayer.contains(c.nLayer) { return outside("n_layer", c.nLayer, nLayer) }
    if !dModel.contains(c.dModel) { return outside("d_model", c.dModel, dModel) }
    if !vocabSize.contains(c.vocabSize) { return outside("vocab_size", c.vocabSize, vocabSize) }
    if !nPositions.contains(c.nPositions) { return outside("n_positions", c.nPositions, nPositions) }
    switch dEmbed {
    case .tiedToDModel where c.embedWidth != c.dModel:
      return ConfigError(field: "d_embed", value: "\(c.dEmbed)", rule: "outside the space: must equal d_model = \(c.dModel)")
    case let .choices(ch) where !ch.contains(c.embedWidth):
      return outside("d_embed", c.embedWidth, ch)
    default: break
    }
    if !divVal.contains(c.divVal) { return outside("div_val", c.divVal, divVal) }
    if c.divVal > 1 {
      let mine = GPT2Config(nLayer: 1, dModel: 1, dInner: [1], nHead: [1], divVal: c.divVal, vocabSize: c.vocabSize,
                            cutoffs: cutoffs).clusterEnds
      if c.clusterEnds != mine {
        return ConfigError(field: "cutoffs", value: "\(c.cutoffs.map { "\($0)" } ?? "(default)")",
                           rule: "outside the space: cluster ends must be \(mine)")
      }
    }
    for (i, f) in c.activeInner.enumerated() {
      if !dInner.contains(f) { return outside("d_inner[\(i)]", f, dInner) }
      if dInnerAtLeastDModel && f < c.dModel {
        return ConfigError(field: "d_inner[\(i)]", value: "\(f)", rule: "outside the space: must be ≥ d_model = \(c.dModel)")
      }
    }
    for (i, h) in c.activeHeads.enumerated() where !nHead.contains(h) { return outside("n_head[\(i)]", h, nHead) }
    return nil
  }

  public var spaceKey: String {
    var s = "gpt2-space|n_layer \(nLayer.fileForm)|d_model \(dModel.fileForm)|d_inner \(dInner.fileForm)"
    s += dInnerAtLeastDModel ? " >=d_model" : ""
    s += "|n_head \(nHead.fileForm)|div_val \(divVal.fileForm)"
    switch dEmbed {
    case .tiedToDModel: s += "|d_embed d_model"
    case let .choices(c): s += "|d_embed \(c.fileForm)"
    }
    s += "|vocab_size \(vocabSize.fileForm)|n_positions \(nPositions.fileForm)"
    if let cs = cutoffs { s += "|cutoffs \(cs)" }
    return s
  }
}

fileprivate extension Array {
  /// The element at `i`, or nil when out of bounds.
  subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
