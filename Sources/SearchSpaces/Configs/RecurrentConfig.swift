import Foundation

/// A NAS-Bench-NLP recurrent language model: a recipe cell repeated over `n_layers` layers
/// (see ../shared/data/nasbench_nlp/MODEL.md).
///
/// ```json
/// {"backbone": "recurrent", "recipe": {"h_new_0": {"op": "linear", "input": ["x", "h_prev_0"]}},
///  "emb_size": 400, "hidden_size": 600, "n_layers": 3, "vocab_size": 10000}
/// ```
/// Layer i maps width `emb_size` (i = 0) or `hidden_size` to `hidden_size`, except the last layer,
/// which is `emb_size` wide because the decoder shares the embedding matrix. `vocab_size` may be
/// omitted: proxies that read a corpus then use its vocabulary, other users 33,278 (WikiText-2).
/// `recipe` may also be given as a JSON string (the form of the benchmark's logs).
public struct RecurrentConfig: ArchitectureConfig, Hashable {
  public static let backbone = "recurrent"
  /// Vocabulary used when `vocab_size` is omitted and no corpus decides it (WikiText-2's).
  public static let fallbackVocabulary = 33_278

  public var recipe: [String: RecipeNode]
  public var embSize: Int
  public var hiddenSize: Int
  public var nLayers: Int
  public var vocabSize: Int?

  enum CodingKeys: String, CodingKey, CaseIterable {
    case backbone, recipe
    case embSize = "emb_size", hiddenSize = "hidden_size", nLayers = "n_layers", vocabSize = "vocab_size"
  }

  public init(recipe: [String: RecipeNode], embSize: Int = 400, hiddenSize: Int = 600, nLayers: Int = 3,
              vocabSize: Int? = nil) {
    self.recipe = recipe
    self.embSize = embSize
    self.hiddenSize = hiddenSize
    self.nLayers = nLayers
    self.vocabSize = vocabSize
  }

  public init(from decoder: Decoder) throws {
    try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let b = try c.decodeIfPresent(String.self, forKey: .backbone), b != Self.backbone {
      throw ConfigError(field: "backbone", value: b, rule: "expected \(Self.backbone)")
    }
    if let text = try? c.decode(String.self, forKey: .recipe) {
      do {
        recipe = try JSONDecoder().decode([String: RecipeNode].self, from: Data(text.utf8))
      } catch let e as ConfigError {
        throw e.field.hasPrefix("recipe.") ? e : ConfigError(field: "recipe." + e.field, value: e.value, rule: e.rule)
      } catch {
        throw ConfigError(field: "recipe", value: String(text.prefix(40)), rule: "string is not a JSON recipe object")
      }
    } else {
      recipe = try c.decode([String: RecipeNode].self, forKey: .recipe)
    }
    embSize = try c.decodeIfPresent(Int.self, forKey: .embSize) ?? 400
    hiddenSize = try c.decodeIfPresent(Int.self, forKey: .hiddenSize) ?? 600
    nLayers = try c.decodeIfPresent(Int.self, forKey: .nLayers) ?? 3
    vocabSize = try c.decodeIfPresent(Int.self, forKey: .vocabSize)
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Self.backbone, forKey: .backbone)
    try c.encode(recipe, forKey: .recipe)
    try c.encode(embSize, forKey: .embSize)
    try c.encode(hiddenSize, forKey: .hiddenSize)
    try c.encode(nLayers, forKey: .nLayers)
    try c.encodeIfPresent(vocabSize, forKey: .vocabSize)
  }

  // MARK: - Derived values

  /// (input width, hidden width) of layer `i`.
  public func layerSizes(_ i: Int) -> (input: Int, hidden: Int) {
    (i == 0 ? embSize : hiddenSize, i == nLayers - 1 ? embSize : hiddenSize)
  }

  /// The vocabulary in use: `vocab_size`, else `corpusVocabulary`, else the WikiText-2 size.
  public func resolvedVocabulary(corpusVocabulary: Int? = nil) -> Int {
    vocabSize ?? corpusVocabulary ?? Self.fallbackVocabulary
  }

  /// Number of `linear` nodes of the cell (the only nodes with parameters).
  public var linearNodeCount: Int { recipe.values.filter { $0.op == .linear }.count }

  /// Parameters in closed form (reproduces the benchmark's `num_params`): embedding V·E tied with
  /// the decoder, decoder bias V, and per layer per `linear` node Σ_inputs H·(width of input) + H.
  public func parameterCount(vocabulary: Int? = nil) -> Int {
    let v = resolvedVocabulary(corpusVocabulary: vocabulary)
    var n = v * embSize + v
    for l in 0..<nLayers {
      let (inW, h) = layerSizes(l)
      for node in recipe.values where node.op == .linear {
        n += node.input.reduce(h) { $0 + h * ($1 == "x" ? inW : h) }
      }
    }
    return n
  }

  // MARK: - Validation

  public func validate() throws {
    func fail(_ f: String, _ v: Any, _ rule: String) -> ConfigError { ConfigError(field: f, value: "\(v)", rule: rule) }
    guard embSize >= 1 else { throw fail("emb_size", embSize, "must be ≥ 1") }
    guard hiddenSize >= 1 else { throw fail("hidden_size", hiddenSize, "must be ≥ 1") }
    guard nLayers >= 1 else { throw fail("n_layers", nLayers, "must be ≥ 1") }
    if let v = vocabSize, v < 2 { throw fail("vocab_size", v, "must be ≥ 2") }
    _ = try RecipeGraph(recipe)
  }

  // MARK: - Identity

  /// Sizes plus the recipe with nodes sorted by name.
  public var canonicalKey: String {
    let nodes = recipe.keys.sorted().map { k in "\(k)=\(recipe[k]!.op.rawValue)(\(recipe[k]!.input.joined(separator: ",")))" }
    return "recurrent|E\(embSize)|H\(hiddenSize)|L\(nLayers)|V\(vocabSize.map(String.init) ?? "corpus")|" + nodes.joined(separator: ";")
  }
}

/// One node of a recipe: an op and the names of its inputs.
public struct RecipeNode: Codable, Hashable, Sendable {
  public var op: RecipeOp
  public var input: [String]

  enum CodingKeys: String, CodingKey, CaseIterable { case op, input }

  public init(op: RecipeOp, input: [String]) {
    self.op = op
    self.input = input
  }

  public init(from decoder: Decoder) throws {
    let node = decoder.codingPath.last?.stringValue ?? "?"
    try decoder.rejectUnknownKeys(Set(CodingKeys.allCases.map(\.rawValue)))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let name = try c.decode(String.self, forKey: .op)
    guard let op = RecipeOp(rawValue: name) else {
      throw ConfigError(field: "recipe.\(node).op", value: name,
                        rule: "unknown op; known: \(RecipeOp.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    self.op = op
    input = try c.decode([String].self, forKey: .input)
  }
}

/// The operations a recipe node can apply.
public enum RecipeOp: String, Codable, CaseIterable, Sendable {
  /// Σₖ Wₖ·inputₖ + b: one weight per input, one bias.
  case linear
  /// a·b + (1 − a)·c.
  case blend
  case elementwiseProd = "elementwise_prod"
  case elementwiseSum = "elementwise_sum"
  case activationTanh = "activation_tanh"
  case activationSigm = "activation_sigm"
  /// Leaky ReLU with negative slope 0.01.
  case activationLeakyRelu = "activation_leaky_relu"

  /// The allowed number of inputs.
  public var arity: ClosedRange<Int> {
    switch self {
    case .linear: return 1...Int.max
    case .blend: return 3...3
    case .elementwiseProd, .elementwiseSum: return 2...Int.max
    case .activationTanh, .activationSigm, .activationLeakyRelu: return 1...1
    }
  }
}

/// A validated recipe: evaluation order and the size of the hidden-state tuple.
///
/// Graph inputs are `x` and `h_prev_0 … h_prev_{m−1}`; outputs `h_new_0 … h_new_{m−1}` where m is
/// one more than the largest `h_new_<digits>` index. Building it checks, each failure a one-line
/// `ConfigError` naming the node: inputs defined, op arity, no graph input redefined, `x` read by
/// `linear` nodes only, no cycle,
/// every output present, every `h_prev_i` below m, every node feeding some output.
public struct RecipeGraph: Sendable {
  /// Non-input nodes in a topological order (ties broken by name, so the order is deterministic).
  public let order: [String]
  /// m: number of hidden states carried between steps.
  public let stateCount: Int
  public let nodes: [String: RecipeNode]

  /// The index i of `h_prev_i` / `h_new_i` (digits only), else nil.
  public static func stateIndex(_ name: String, prefix: String) -> Int? {
    guard name.hasPrefix(prefix) else { return nil }
    let rest = name.dropFirst(prefix.count)
    guard !rest.isEmpty, rest.allSatisfy(\.isASCII), rest.allSatisfy(\.isNumber) else { return nil }
    return Int(rest)
  }

  public init(_ recipe: [String: RecipeNode]) throws {
    func fail(_ node: String, _ v: Any, _ rule: String) -> ConfigError {
      ConfigError(field: "recipe.\(node)", value: "\(v)", rule: rule)
    }
    guard !recipe.isEmpty else { throw ConfigError(field: "recipe", value: "{}", rule: "has no nodes; needs at least h_new_0") }
    let outputs = recipe.keys.compactMap { Self.stateIndex($0, prefix: "h_new_") }
    guard let maxOut = outputs.max() else {
      throw ConfigError(field: "recipe.h_new_0", value: "(missing)", rule: "every recipe needs the output node h_new_0")
    }
    let m = maxOut + 1
    for i in 0..<m where recipe["h_new_\(i)"] == nil {
      throw fail("h_new_\(i)", "(missing)", "output missing: h_new_0 … h_new_\(maxOut) must all be defined")
    }
    for name in recipe.keys.sorted() {
      let node = recipe[name]!
      if name == "x" || name.hasPrefix("h_prev_") {
        throw fail(name, node.op.rawValue, "a graph input (x, h_prev_i) cannot be defined as a node")
      }
      guard node.op.arity.contains(node.input.count) else {
        let want = node.op.arity.upperBound == Int.max ? "at least \(node.op.arity.lowerBound)" : "\(node.op.arity.lowerBound)"
        throw fail(name, node.input, "\(node.op.rawValue) takes \(want) input\(want == "1" ? "" : "s"), got \(node.input.count)")
      }
      if node.op != .linear && node.input.contains("x") {
        throw fail(name, node.input, "only linear nodes can read x (its width is the layer input's, not the hidden width)")
      }
      for inp in node.input where inp != "x" && recipe[inp] == nil {
        if let i = Self.stateIndex(inp, prefix: "h_prev_") {
          guard i < m else { throw fail(name, inp, "input \(inp) has no matching output h_new_\(i) (the cell carries \(m) state\(m == 1 ? "" : "s"))") }
        } else {
          throw fail(name, inp, "input \(inp) is not x, h_prev_<i> or a node of the recipe")
        }
      }
    }
    // Kahn's algorithm; smallest name first among ready nodes.
    var indegree: [String: Int] = [:]
    var users: [String: [String]] = [:]
    for (name, node) in recipe {
      let deps = Set(node.input.filter { recipe[$0] != nil })
      indegree[name] = deps.count
      for d in deps { users[d, default: []].append(name) }
    }
    var ready = indegree.filter { $0.value == 0 }.map(\.key).sorted(by: >)
    var order: [String] = []
    while let n = ready.popLast() {
      order.append(n)
      for u in users[n] ?? [] {
        indegree[u]! -= 1
        if indegree[u] == 0 { ready.append(u); ready.sort(by: >) }
      }
    }
    if order.count < recipe.count {
      // Unordered nodes are on a cycle or downstream of one; peel off those no unordered node reads.
      var stuck = Set(recipe.keys.filter { indegree[$0]! > 0 })
      while let sink = stuck.first(where: { n in !stuck.contains { recipe[$0]!.input.contains(n) } }) { stuck.remove(sink) }
      let cyc = stuck.sorted()
      throw fail(cyc[0], recipe[cyc[0]]!.input, "cycle through nodes \(cyc.joined(separator: ", "))")
    }
    // Every node must feed an output.
    var live = Set<String>()
    var stack = (0..<m).map { "h_new_\($0)" }
    while let n = stack.popLast() {
      guard live.insert(n).inserted, let node = recipe[n] else { continue }
      stack.append(contentsOf: node.input)
    }
    if let dead = recipe.keys.sorted().first(where: { !live.contains($0) }) {
      throw fail(dead, recipe[dead]!.op.rawValue, "unreachable: does not feed any output h_new_0 … h_new_\(maxOut)")
    }
    self.order = order
    self.stateCount = m
    self.nodes = recipe
  }
}
