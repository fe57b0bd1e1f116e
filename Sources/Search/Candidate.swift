/// One evaluated candidate, exactly as stored in `candidates.jsonl` (one JSON object per line).
///
/// ```json
/// {"arch_id": "…", "config": {"backbone": "gpt2", …}, "error": null, "eval_seconds": 0.41,
///  "feasible": true, "index": 0, "iteration": 0, "key": "gpt2|L3|…", "metadata": {…},
///  "objectives": {"decoder_params": 8912384, "latency_ms": 3.2, "memory_mb": 41.5},
///  "origin": "random", "parents": [], "violation": 0}
/// ```
public struct CandidateRecord: Codable, Sendable, Equatable {
  /// Position in the run (0-based, in evaluation order).
  public var index: Int
  /// The iteration whose population proposed it (0 = the initial population).
  public var iteration: Int
  /// FNV-1a hash of `key` (the archid).
  public var archID: String
  /// The search space's canonical key (active genes only): the deduplication key.
  public var key: String
  /// The config's JSON (the backbone's own form, e.g. `GPT2Config`).
  public var config: JSONValue
  /// How it was made: `random`, `mutation`, `crossover`, `offspring` (NSGA-II), …
  public var origin: String
  /// archids of the parents it was bred from.
  public var parents: [String]
  /// One value per objective, in settings order (empty when the evaluation failed).
  public var values: [Double]
  /// Inside every constraint, evaluated without error, all values finite.
  public var feasible: Bool
  /// Normalised constraint violation (0 when feasible; +∞ when the evaluation failed).
  public var violation: Double
  /// The evaluator's error, when it threw.
  public var error: String?
  /// Wall time of the evaluator call.
  public var evalSeconds: Double
  /// Whatever the evaluator reported beside the values.
  public var metadata: [String: JSONValue]

  public init(index: Int, iteration: Int, archID: String, key: String, config: JSONValue, origin: String,
              parents: [String], values: [Double], feasible: Bool, violation: Double, error: String?,
              evalSeconds: Double, metadata: [String: JSONValue]) {
    self.index = index
    self.iteration = iteration
    self.archID = archID
    self.key = key
    self.config = config
    self.origin = origin
    self.parents = parents
    self.values = values
    self.feasible = feasible
    self.violation = violation
    self.error = error
    self.evalSeconds = evalSeconds
    self.metadata = metadata
  }

  /// Whether the evaluator produced values (it may still be infeasible).
  public var evaluated: Bool { error == nil && !values.isEmpty }

  /// The value of a named objective.
  public func value(_ objective: String, in objectives: [Objective]) -> Double? {
    guard let j = objectives.firstIndex(where: { $0.name == objective }), j < values.count else { return nil }
    return values[j]
  }

  // Objective values are written as a name → value object; the names come from the settings,
  // passed through the coder's userInfo.
  static let objectivesKey = CodingUserInfoKey(rawValue: "lts.objectives")!

  enum CodingKeys: String, CodingKey {
    case index, iteration, archID = "arch_id", key, config, origin, parents, objectives, feasible, violation, error
    case evalSeconds = "eval_seconds", metadata
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    index = try c.decode(Int.self, forKey: .index)
    iteration = try c.decode(Int.self, forKey: .iteration)
    archID = try c.decode(String.self, forKey: .archID)
    key = try c.decode(String.self, forKey: .key)
    config = try c.decode(JSONValue.self, forKey: .config)
    origin = try c.decode(String.self, forKey: .origin)
    parents = try c.decode([String].self, forKey: .parents)
    let dict = try c.decode([String: Double].self, forKey: .objectives)
    let names = decoder.userInfo[Self.objectivesKey] as? [String] ?? dict.keys.sorted()
    values = dict.isEmpty ? [] : try names.map { n in
      guard let v = dict[n] else {
        throw DecodingError.dataCorruptedError(forKey: .objectives, in: c, debugDescription: "missing objective \(n)")
      }
      return v
    }
    feasible = try c.decode(Bool.self, forKey: .feasible)
    violation = try c.decode(Double.self, forKey: .violation)
    error = try c.decodeIfPresent(String.self, forKey: .error)
    evalSeconds = try c.decode(Double.self, forKey: .evalSeconds)
    metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(index, forKey: .index)
    try c.encode(iteration, forKey: .iteration)
    try c.encode(archID, forKey: .archID)
    try c.encode(key, forKey: .key)
    try c.encode(config, forKey: .config)
    try c.encode(origin, forKey: .origin)
    try c.encode(parents, forKey: .parents)
    let names = encoder.userInfo[Self.objectivesKey] as? [String] ?? values.indices.map { "objective_\($0)" }
    try c.encode(Dictionary(uniqueKeysWithValues: zip(names, values)), forKey: .objectives)
    try c.encode(feasible, forKey: .feasible)
    try c.encode(violation, forKey: .violation)
    try c.encode(error, forKey: .error)
    try c.encode(evalSeconds, forKey: .evalSeconds)
    try c.encode(metadata, forKey: .metadata)
  }
}
