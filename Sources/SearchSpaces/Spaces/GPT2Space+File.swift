import Foundation
import Yams

// MARK: - The built-in LTS space

extension GPT2Space {
  /// The LTS space of DESIGN.md as a space file (YAML; JSON with the same keys works too).
  /// It is also the reference for the file format: every key a GPT-2 space file may have.
  public static let ltsSpaceFile = """
    # LiteTransformerSearch GPT-2 space (Mojan Javaheripi et al., NeurIPS 2022).
    backbone: gpt2
    n_layer: {min: 2, max: 16}                 # a range (step 1), or a list of choices
    d_model: {min: 128, max: 1024, step: 64}
    d_inner: {min: 128, max: 4096, step: 64, at_least_d_model: true}   # per layer
    n_head: [2, 4, 8]                          # per layer; only choices dividing d_model are drawn
    div_val: [1, 2, 4]                         # adaptive input / softmax divisor
    d_embed: d_model                           # tied to d_model, or choices like any gene
    vocab_size: 50257                          # a single value is a gene with one choice
    n_positions: 192
    # cutoffs: [19997, 39997]                  # adaptive cluster ends (default 19997, 39997, 199997)
    """

  /// The LTS space of DESIGN.md: n_layer 2–16, d_model 128–1024 step 64, per layer d_inner
  /// 128–4096 step 64 (≥ d_model) and n_head ∈ {2, 4, 8}, div_val ∈ {1, 2, 4}, d_embed = d_model.
  public static let lts: GPT2Space = {
    do { return try parse(ltsSpaceFile, file: "(built-in lts space)") } catch {
      preconditionFailure("the built-in LTS space must parse: \(error)")
    }
  }()

  /// Reads a space file (JSON or YAML). Errors are `ConfigError`s with the file, line and field.
  public static func load(path: String) throws -> GPT2Space {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ConfigError(file: path, field: "(file)", value: path, rule: "cannot be read")
    }
    return try parse(text, file: path)
  }

  /// The space as a space file (YAML) that `parse` reads back to an equal space; e.g. to store
  /// the space a search used beside its results.
  public var fileText: String {
    var lines = ["backbone: gpt2", "n_layer: \(nLayer.fileForm)", "d_model: \(dModel.fileForm)"]
    var inner = dInner.fileForm
    if dInnerAtLeastDModel {
      if case let .range(lo, hi, step) = dInner {
        inner = "{min: \(lo), max: \(hi), step: \(step), at_least_d_model: true}"
      } else {
        inner = "{choices: \(dInner.fileForm), at_least_d_model: true}"
      }
    }
    lines.append("d_inner: \(inner)")
    lines.append("n_head: \(nHead.fileForm)")
    lines.append("div_val: \(divVal.fileForm)")
    switch dEmbed {
    case .tiedToDModel: lines.append("d_embed: d_model")
    case let .choices(c): lines.append("d_embed: \(c.fileForm)")
    }
    lines.append("vocab_size: \(vocabSize.fileForm)")
    lines.append("n_positions: \(nPositions.fileForm)")
    if let cs = cutoffs { lines.append("cutoffs: [\(cs.map(String.init).joined(separator: ", "))]") }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Keys a GPT-2 space file may have.
  public static let fileKeys: [String] = [
    "backbone", "n_layer", "d_model", "d_inner", "n_head", "div_val", "d_embed", "vocab_size", "n_positions", "cutoffs",
  ]

  /// Parses a space from JSON or YAML text (`file` only names it in errors).
  public static func parse(_ text: String, file: String? = nil) throws -> GPT2Space {
    let root: Node?
    do { root = try Yams.compose(yaml: text) } catch {
      throw ConfigError(file: file, field: "(yaml)", value: "", rule: "not valid JSON or YAML: \(error)")
    }
    guard let map = root?.mapping else {
      throw ConfigError(file: file, line: root?.mark?.line, field: "(space)", value: root.map { "\($0.any)" } ?? "(empty)",
                        rule: "a space file must be a mapping of field names to choices")
    }
    var lines: [String: Int] = [:]
    var nodes: [String: Node] = [:]
    for (k, v) in map {
      guard let key = k.string else {
        throw ConfigError(file: file, line: k.mark?.line, field: "\(k.any)", value: "", rule: "keys must be strings")
      }
      guard fileKeys.contains(key) else {
        throw ConfigError(file: file, line: k.mark?.line, field: key, value: "(unknown key)",
                          rule: "not a field of a GPT-2 space; known: \(fileKeys.joined(separator: ", "))")
      }
      lines[key] = k.mark?.line
      nodes[key] = v
    }
    func err(_ f: String, _ v: String, _ rule: String, _ n: Node? = nil) -> ConfigError {
      ConfigError(file: file, line: n?.mark?.line ?? lines[f], field: f, value: v, rule: rule)
    }
    if let b = nodes["backbone"], b.string != GPT2Config.backbone {
      throw err("backbone", "\(b.any)", "expected \(GPT2Config.backbone)")
    }
    func choices(_ f: String, default d: IntChoices? = nil,
                 extra: Set<String> = []) throws -> (IntChoices, [String: Node]) {
      guard let n = nodes[f] else {
        if let d { return (d, [:]) }
        throw err(f, "(missing)", "required in a GPT-2 space")
      }
      return try parseChoices(n, field: f, extra: extra, err: err)
    }
    let (nLayer, _) = try choices("n_layer")
    let (dModel, _) = try choices("d_model")
    let (dInner, innerExtra) = try choices("d_inner", extra: ["at_least_d_model"])
    var atLeast = false
    if let n = innerExtra["at_least_d_model"] {
      guard let b = n.bool else { throw err("d_inner.at_least_d_model", "\(n.any)", "must be true or false", n) }
      atLeast = b
    }
    let (nHead, _) = try choices("n_head")
    let (divVal, _) = try choices("div_val", default: .just(1))
    let (vocab, _) = try choices("vocab_size", default: .just(50257))
    let (pos, _) = try choices("n_positions", default: .just(192))
    var embed = Embed.tiedToDModel
    if let n = nodes["d_embed"], !(n.string == "d_model" || n.int == -1) {
      embed = .choices(try parseChoices(n, field: "d_embed", extra: [], err: err).0)
    }
    var cutoffs: [Int]?
    if let n = nodes["cutoffs"] {
      guard let seq = n.sequence, case let cs = seq.compactMap(\.int), cs.count == seq.count, !cs.isEmpty else {
        throw err("cutoffs", "\(n.any)", "must be a non-empty list of integers", n)
      }
      cutoffs = cs
    }
    do {
      return try GPT2Space(nLayer: nLayer, dModel: dModel, dInner: dInner, dInnerAtLeastDModel: atLeast, nHead: nHead,
                           divVal: divVal, dEmbed: embed, vocabSize: vocab, nPositions: pos, cutoffs: cutoffs)
    } catch let e as ConfigError {
      let top = String(e.field.prefix { $0 != "." && $0 != "[" })
      throw e.located(file: file, line: lines[top])
    }
  }

  /// One gene's choices: an integer, a list of integers, `{min, max, step}` or `{choices: [...]}`
  /// (the last two may carry `extra` keys such as `at_least_d_model`).
  static func parseChoices(_ n: Node, field f: String, extra: Set<String>,
                           err: (String, String, String, Node?) -> ConfigError) throws -> (IntChoices, [String: Node]) {
    if let v = n.int, n.scalar != nil { return (.just(v), [:]) }
    if let seq = n.sequence {
      var vals: [Int] = []
      for (i, x) in seq.enumerated() {
        guard let v = x.int else { throw err("\(f)[\(i)]", "\(x.any)", "choices must be integers", x) }
        guard !vals.contains(v) else { throw err("\(f)[\(i)]", "\(v)", "duplicate choice", x) }
        vals.append(v)
      }
      guard !vals.isEmpty else { throw err(f, "[]", "needs at least one choice", n) }
      return (.values(vals), [:])
    }
    if let map = n.mapping {
      let allowed: Set<String> = Set(["min", "max", "step", "choices"]).union(extra)
      var got: [String: Node] = [:]
      for (k, v) in map {
        let key = k.string ?? "\(k.any)"
        guard allowed.contains(key) else {
          throw err("\(f).\(key)", "(unknown key)", "a range has \(allowed.sorted().joined(separator: ", "))", k)
        }
        got[key] = v
      }
      func int(_ k: String) throws -> Int? {
        guard let v = got[k] else { return nil }
        guard let i = v.int else { throw err("\(f).\(k)", "\(v.any)", "must be an integer", v) }
        return i
      }
      if let list = got["choices"] {
        // `{choices: [...], <extra keys>}`: a list that carries extra keys.
        guard got["min"] == nil, got["max"] == nil, got["step"] == nil, list.sequence != nil else {
          throw err("\(f).choices", "\(list.any)", "a list of integers, without min / max / step", list)
        }
        return (try parseChoices(list, field: f, extra: [], err: err).0, got.filter { extra.contains($0.key) })
      }
      guard let lo = try int("min") else { throw err("\(f).min", "(missing)", "a range needs min and max", n) }
      guard let hi = try int("max") else { throw err("\(f).max", "(missing)", "a range needs min and max", n) }
      let step = try int("step") ?? 1
      guard step >= 1 else { throw err("\(f).step", "\(step)", "step must be ≥ 1", got["step"]) }
      guard lo <= hi else { throw err(f, "min \(lo) > max \(hi)", "min must be ≤ max", n) }
      return (.range(min: lo, max: hi, step: step), got.filter { extra.contains($0.key) })
    }
    throw err(f, "\(n.any)", "expected an integer, a list of integers or {min, max, step}", n)
  }
}

// MARK: - Validation

extension GPT2Space {
  /// Checks the space's own rules; throws a `ConfigError` naming the field, value and rule:
  /// ranges well formed (min ≤ max, step ≥ 1, at most `IntChoices.maxCount` values), sizes
  /// positive, every n_head choice dividing some d_model choice and every d_model choice divisible
  /// by some n_head choice, d_inner ≥ d_model reachable for every d_model, and every div_val usable.
  public func validate() throws {
    func check(_ f: String, _ c: IntChoices, min lower: Int) throws {
      switch c {
      case let .range(lo, hi, step):
        guard step >= 1 else { throw ConfigError(field: "\(f).step", value: "\(step)", rule: "step must be ≥ 1") }
        guard lo <= hi else { throw ConfigError(field: f, value: "min \(lo) > max \(hi)", rule: "min must be ≤ max") }
      case let .values(v):
        guard !v.isEmpty else { throw ConfigError(field: f, value: "[]", rule: "needs at least one choice") }
        guard Set(v).count == v.count else { throw ConfigError(field: f, value: "\(v)", rule: "duplicate choice") }
      }
      guard c.count <= IntChoices.maxCount else {
        throw ConfigError(field: f, value: "\(c)", rule: "at most \(IntChoices.maxCount) values per gene (use a larger step)")
      }
      guard c.minValue >= lower else { throw ConfigError(field: f, value: "\(c.minValue)", rule: "every choice must be ≥ \(lower)") }
    }
    try check("n_layer", nLayer, min: 1)
    try check("d_model", dModel, min: 1)
    try check("d_inner", dInner, min: 1)
    try check("n_head", nHead, min: 1)
    try check("div_val", divVal, min: 1)
    try check("vocab_size", vocabSize, min: 2)
    try check("n_positions", nPositions, min: 1)
    guard nLayer.maxValue <= 1024 else { throw ConfigError(field: "n_layer", value: "\(nLayer.maxValue)", rule: "at most 1024 layers") }
    if case let .choices(e) = dEmbed { try check("d_embed", e, min: 1) }
    if let cs = cutoffs {
      guard let f = cs.first, f > 0 else { throw ConfigError(field: "cutoffs", value: "\(cs)", rule: "must be positive") }
      for i in 1..<max(cs.count, 1) where cs[i] <= cs[i - 1] {
        throw ConfigError(field: "cutoffs", value: "\(cs)", rule: "must be strictly increasing")
      }
    }
    let models = dModel.all
    for h in nHead.all where !models.contains(where: { $0 % h == 0 }) {
      throw ConfigError(field: "n_head", value: "\(h)", rule: "divides no d_model choice (\(dModel))")
    }
    for d in models where !nHead.all.contains(where: { d % $0 == 0 }) {
      throw ConfigError(field: "d_model", value: "\(d)", rule: "no n_head choice (\(nHead)) divides it")
    }
    if dInnerAtLeastDModel, dInner.maxValue < dModel.maxValue {
      throw ConfigError(field: "d_inner", value: "max \(dInner.maxValue)",
                        rule: "at_least_d_model needs a d_inner choice ≥ every d_model choice (largest d_model = \(dModel.maxValue))")
    }
    // div_val: each choice must work for some (d_embed, vocab); each (d_embed, vocab) for some choice.
    let embeds: [Int] = { if case let .choices(e) = dEmbed { return e.all } else { return models } }()
    let clusterCounts = Set(vocabSize.all.map { clusterCount(vocab: $0) }).sorted()
    for v in divVal.all where !embeds.contains(where: { e in clusterCounts.contains { Self.divisible(e, by: v, clusters: $0) } }) {
      throw ConfigError(field: "div_val", value: "\(v)", rule: "no d_embed choice is divisible by the powers of \(v) its clusters need")
    }
    for e in embeds {
      for k in clusterCounts where !divVal.all.contains(where: { Self.divisible(e, by: $0, clusters: k) }) {
        throw ConfigError(field: "d_embed", value: "\(e)", rule: "no div_val choice (\(divVal)) divides it into \(k) clusters; add div_val 1")
      }
    }
  }
}
