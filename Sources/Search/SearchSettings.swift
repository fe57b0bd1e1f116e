/// When a search stops. Every limit is checked before each candidate, so a search stops cleanly
/// after the candidate in progress; `nil` means no limit.
public struct SearchBudget: Codable, Sendable, Hashable {
  /// Iterations after the initial population (LTS: 30). The initial population is iteration 0,
  /// so a finished search has records of iterations 0…`iterations`.
  public var iterations: Int
  /// Total evaluated candidates (over all runs of a resumed search).
  public var maxCandidates: Int?
  /// Wall-clock seconds of this run (or resumed run).
  public var maxSeconds: Double?

  public init(iterations: Int = 30, maxCandidates: Int? = nil, maxSeconds: Double? = nil) {
    self.iterations = iterations
    self.maxCandidates = maxCandidates
    self.maxSeconds = maxSeconds
  }

  enum CodingKeys: String, CodingKey { case iterations, maxCandidates = "max_candidates", maxSeconds = "max_seconds" }
}

/// Everything that defines a search run, stored in `state.json`. Defaults are the LTS paper's.
///
/// Resuming checks that all of it except `budget` matches the checkpoint.
public struct SearchSettings: Codable, Sendable, Hashable {
  public var objectives: [Objective]
  public var constraints: [ObjectiveConstraint]
  public var seed: UInt64
  public var budget: SearchBudget
  /// Size of the initial (random) population; also the batch of random search and the
  /// population of NSGA-II.
  public var populationSize: Int
  /// Parents drawn from the Pareto front each iteration (evolution).
  public var parents: Int
  /// Mutated children per iteration (evolution).
  public var mutations: Int
  /// Crossover children per iteration (evolution).
  public var crossovers: Int
  /// Per-gene resampling probability of a mutation.
  public var mutationProbability: Double
  /// Per-gene probability of taking the second parent's gene in a crossover.
  public var crossoverProbability: Double
  /// Attempts to find an unseen child (or sample) before a population slot is left empty.
  public var patience: Int
  /// Hypervolume reference point (in objective units); nil = worst feasible value + 10% margin.
  public var referencePoint: [Double]?
  /// How hard each candidate line is pushed to disk (not part of what must match on resume).
  public var durability: Durability

  /// How `candidates.jsonl` is written after each candidate.
  public enum Durability: String, Codable, Sendable, Hashable {
    /// `write` then `fsync` per candidate: survives a process kill and a machine crash. Costs a
    /// disk sync per candidate (about 6 ms on a virtual disk).
    case sync
    /// `write` per candidate (in the kernel at once: survives a process kill), `fsync` at each
    /// checkpoint. For fast evaluators.
    case flush
  }

  public init(objectives: [Objective], constraints: [ObjectiveConstraint] = [], seed: UInt64 = 42,
              budget: SearchBudget = SearchBudget(), populationSize: Int = 100, parents: Int = 20,
              mutations: Int = 40, crossovers: Int = 40, mutationProbability: Double = 0.3,
              crossoverProbability: Double = 0.5, patience: Int = 50, referencePoint: [Double]? = nil,
              durability: Durability = .sync) {
    self.objectives = objectives
    self.constraints = constraints
    self.seed = seed
    self.budget = budget
    self.populationSize = populationSize
    self.parents = parents
    self.mutations = mutations
    self.crossovers = crossovers
    self.mutationProbability = mutationProbability
    self.crossoverProbability = crossoverProbability
    self.patience = patience
    self.referencePoint = referencePoint
    self.durability = durability
  }

  enum CodingKeys: String, CodingKey {
    case objectives, constraints, seed, budget, populationSize = "population_size", parents, mutations, crossovers
    case mutationProbability = "mutation_probability", crossoverProbability = "crossover_probability", patience
    case referencePoint = "reference_point", durability
  }

  /// Throws `SearchError.invalidSettings` naming the field, value and rule.
  public func validate() throws {
    func bad(_ f: String, _ v: Any, _ r: String) -> SearchError { .invalidSettings(field: f, value: "\(v)", rule: r) }
    guard !objectives.isEmpty else { throw bad("objectives", "[]", "at least one objective") }
    let names = objectives.map(\.name)
    guard Set(names).count == names.count else { throw bad("objectives", names, "names must be unique") }
    for c in constraints {
      guard names.contains(c.objective) else { throw bad("constraints", c.objective, "not an objective; known: \(names.joined(separator: ", "))") }
      guard c.max != nil || c.min != nil else { throw bad("constraints", c.objective, "needs max or min") }
      if let a = c.min, let b = c.max, a > b { throw bad("constraints", c.objective, "min \(a) > max \(b)") }
    }
    guard budget.iterations >= 0 else { throw bad("budget.iterations", budget.iterations, "must be ≥ 0") }
    if let m = budget.maxCandidates, m < 0 { throw bad("budget.max_candidates", m, "must be ≥ 0") }
    if let s = budget.maxSeconds, !(s >= 0) { throw bad("budget.max_seconds", s, "must be ≥ 0") }
    guard populationSize >= 1 else { throw bad("population_size", populationSize, "must be ≥ 1") }
    guard parents >= 1 else { throw bad("parents", parents, "must be ≥ 1") }
    guard mutations >= 0 else { throw bad("mutations", mutations, "must be ≥ 0") }
    guard crossovers >= 0 else { throw bad("crossovers", crossovers, "must be ≥ 0") }
    guard (0...1).contains(mutationProbability) else { throw bad("mutation_probability", mutationProbability, "must be in [0, 1]") }
    guard (0...1).contains(crossoverProbability) else { throw bad("crossover_probability", crossoverProbability, "must be in [0, 1]") }
    guard patience >= 1 else { throw bad("patience", patience, "must be ≥ 1") }
    if let r = referencePoint {
      guard r.count == objectives.count else { throw bad("reference_point", r, "needs one value per objective (\(objectives.count))") }
      guard r.allSatisfy(\.isFinite) else { throw bad("reference_point", r, "must be finite") }
    }
  }

  /// The settings without budget and durability (what must match on resume).
  var identity: SearchSettings {
    var s = self
    s.budget = SearchBudget(iterations: 0)
    s.durability = .sync
    return s
  }
}

/// Errors of a search run, each naming what to fix.
public enum SearchError: Error, CustomStringConvertible, Equatable, Sendable {
  case invalidSettings(field: String, value: String, rule: String)
  /// The output directory cannot be created or written.
  case outputNotWritable(path: String, reason: String)
  /// A fresh run would overwrite an earlier search.
  case outputNotEmpty(path: String)
  /// `resume` found no checkpoint.
  case noCheckpoint(path: String)
  case corruptCheckpoint(path: String, reason: String)
  case corruptCandidates(path: String, line: Int, reason: String)
  /// The checkpoint was written by a different search (algorithm, space or settings).
  case checkpointMismatch(field: String, saved: String, given: String)
  /// The evaluator returned the wrong number of values (a programming error: the search stops).
  case wrongValueCount(archID: String, expected: Int, got: Int)
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case let .invalidSettings(f, v, r): return "\(f) = \(v): \(r)"
    case let .outputNotWritable(p, r): return "\(p): output directory is not writable (\(r))"
    case let .outputNotEmpty(p): return "\(p): already holds a search (candidates.jsonl / state.json); resume it or choose another directory"
    case let .noCheckpoint(p): return "\(p): no state.json to resume from"
    case let .corruptCheckpoint(p, r): return "\(p): unreadable checkpoint: \(r)"
    case let .corruptCandidates(p, l, r): return "\(p):\(l): unreadable candidate: \(r)"
    case let .checkpointMismatch(f, s, g): return "checkpoint \(f) = \(s) but this search has \(g)"
    case let .wrongValueCount(a, e, g): return "evaluator returned \(g) values for \(a), expected one per objective (\(e))"
    case let .writeFailed(p, r): return "\(p): write failed: \(r)"
    }
  }
}
