import SearchSpaces

/// Every candidate evaluated so far, in evaluation order, with its decoded config.
public struct Archive<Config: ArchitectureConfig>: Sendable {
  public private(set) var records: [CandidateRecord] = []
  public private(set) var configs: [Config] = []
  private var keyIndex: [String: Int] = [:]

  public init() {}

  public var count: Int { records.count }

  /// Whether a candidate with this canonical key was evaluated.
  public func contains(key: String) -> Bool { keyIndex[key] != nil }

  /// The record of a canonical key.
  public func index(ofKey key: String) -> Int? { keyIndex[key] }

  mutating func append(_ r: CandidateRecord, _ c: Config) {
    if keyIndex[r.key] == nil { keyIndex[r.key] = records.count }
    records.append(r)
    configs.append(c)
  }

  /// Indices of the feasible Pareto front over all records (input order).
  public func feasibleFront(_ objectives: [Objective]) -> [Int] {
    let feasible = records.indices.filter { records[$0].feasible }
    let front = Pareto.front(feasible.map { records[$0].values }, higherIsBetter: objectives.map(\.higherIsBetter))
    return front.map { feasible[$0] }
  }

  /// Evaluated but infeasible records, least violation first (ties by index).
  public func closestInfeasible(_ limit: Int) -> [Int] {
    Array(records.indices.filter { records[$0].evaluated && !records[$0].feasible }
      .sorted { records[$0].violation != records[$1].violation ? records[$0].violation < records[$1].violation : $0 < $1 }
      .prefix(limit))
  }
}

/// A candidate a strategy wants evaluated.
public struct Proposal<Config: ArchitectureConfig>: Sendable {
  public var config: Config
  public var origin: String
  public var parents: [String]

  public init(config: Config, origin: String, parents: [String] = []) {
    self.config = config
    self.origin = origin
    self.parents = parents
  }
}

/// What a strategy sees when it proposes the next population: the space, the archive of
/// everything seen, the one RNG and its checkpointed state. Proposals are deduplicated by
/// canonical key against the archive and against each other.
public struct BreedContext<Space: SearchSpace> {
  public let space: Space
  public let settings: SearchSettings
  /// The iteration being proposed (0 = the initial population).
  public let iteration: Int
  public let archive: Archive<Space.Config>
  public var rng: SplitMix64
  public var state: StrategyState
  public private(set) var proposals: [Proposal<Space.Config>] = []
  private var proposedKeys: Set<String> = []

  init(space: Space, settings: SearchSettings, iteration: Int, archive: Archive<Space.Config>, rng: SplitMix64,
       state: StrategyState) {
    self.space = space
    self.settings = settings
    self.iteration = iteration
    self.archive = archive
    self.rng = rng
    self.state = state
  }

  /// Neither evaluated nor already proposed.
  public func isUnseen(_ c: Space.Config) -> Bool {
    let k = space.canonicalKey(of: c)
    return !archive.contains(key: k) && !proposedKeys.contains(k)
  }

  /// Adds `c` to the population when unseen; returns whether it was added.
  @discardableResult
  public mutating func propose(_ c: Space.Config, origin: String, parents: [String] = []) -> Bool {
    let k = space.canonicalKey(of: c)
    guard !archive.contains(key: k), !proposedKeys.contains(k) else { return false }
    proposedKeys.insert(k)
    proposals.append(Proposal(config: c, origin: origin, parents: parents))
    return true
  }

  /// Calls `make` until it yields an unseen config (added with `origin`) or `settings.patience`
  /// attempts fail. `make` returns the config and its parents' archids.
  @discardableResult
  public mutating func proposeFirstUnseen(origin: String,
                                          _ make: (inout SplitMix64) -> (Space.Config, [String])) -> Bool {
    for _ in 0..<settings.patience {
      let (c, parents) = make(&rng)
      if propose(c, origin: origin, parents: parents) { return true }
    }
    return false
  }

  /// Adds up to `n` unseen random samples (each slot gives up after `patience` draws).
  public mutating func proposeRandom(_ n: Int) {
    let s = space
    for _ in 0..<max(n, 0) { proposeFirstUnseen(origin: "random") { (s.sample(using: &$0), []) } }
  }
}
