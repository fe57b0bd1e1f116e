import Foundation
import SearchSpaces

/// Scores one config: returns a value per objective (settings order); may throw, in which case
/// the candidate is recorded with the error and the search goes on.
public typealias Evaluator<Config> = (Config) throws -> Evaluation

/// A search algorithm over a space: it only proposes populations. Evaluation, deduplication,
/// budgets, persistence, resume and progress are shared (the `run` / `resume` extension), so every
/// algorithm gets them identically.
///
/// Each iteration: the population proposed for it is evaluated in order (each candidate appended
/// to `candidates.jsonl` at once), then the next population is proposed from the archive and the
/// checkpoint `state.json` is written. Iteration 0 is the initial population.
public protocol Searcher {
  associatedtype Space: SearchSpace
  /// Name stored in checkpoints, e.g. `"evolution"`.
  static var algorithm: String { get }
  var space: Space { get }
  var settings: SearchSettings { get }
  /// Proposes iteration 0. Default: `settings.populationSize` random samples.
  func initialPopulation(_ ctx: inout BreedContext<Space>)
  /// Proposes iteration `ctx.iteration` ≥ 1 from everything evaluated so far.
  func nextPopulation(_ ctx: inout BreedContext<Space>)
}

/// Why a run ended.
public enum StopReason: String, Codable, Sendable {
  case completed
  case maxCandidates = "max_candidates"
  case maxSeconds = "max_seconds"
  case stopRequested = "stop_requested"
}

/// Where a run is, after each evaluated candidate (for a progress bar).
public struct SearchProgress: Sendable {
  /// The iteration in progress and the last one of the budget.
  public var iteration: Int
  public var iterations: Int
  /// Candidates in the archive (all runs) and evaluated by this run.
  public var evaluated: Int
  public var evaluatedThisRun: Int
  /// Used share of the tightest budget, in [0, 1].
  public var budgetFraction: Double
  public var elapsedSeconds: Double
  /// Estimated seconds left (from this run's pace), nil before any progress.
  public var etaSeconds: Double?
  /// The candidate just evaluated.
  public var last: CandidateRecord
}

/// Something a run reports while it works.
public enum SearchEvent: Sendable {
  case progress(SearchProgress)
  /// An iteration finished: its number, the archive size, the feasible front size and the
  /// front's hypervolume against the reference point of the candidates so far.
  case iterationFinished(iteration: Int, evaluated: Int, frontSize: Int, hypervolume: Double)
  /// A recoverable problem (e.g. a torn last line in candidates.jsonl).
  case warning(String)
}

extension Searcher {
  public func initialPopulation(_ ctx: inout BreedContext<Space>) { ctx.proposeRandom(settings.populationSize) }

  /// Runs a new search writing into `output` (created if needed; checked writable before any work;
  /// refused if it holds an earlier search, unless `overwrite`).
  public func run(evaluator: Evaluator<Space.Config>, output: String, overwrite: Bool = false,
                  onEvent: (SearchEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> SearchResult {
    try settings.validate()
    let store = SearchStore(directory: output)
    try store.prepare(fresh: true, overwrite: overwrite)
    var cp = Checkpoint(algorithm: Self.algorithm, spaceKey: space.spaceKey, settings: settings, iteration: 0,
                        proposed: false, pending: [], rng: SplitMix64(seed: settings.seed), strategy: StrategyState())
    try store.writeCheckpoint(cp)
    var archive = Archive<Space.Config>()
    return try drive(store: store, checkpoint: &cp, archive: &archive, warnings: [], evaluator: evaluator,
                     onEvent: onEvent, shouldStop: shouldStop)
  }

  /// Continues the search saved in `directory`: reloads candidates.jsonl and state.json and
  /// goes on without evaluating anything already recorded (candidates evaluated after the last
  /// checkpoint are reused from the file). The algorithm, space and settings must match the
  /// checkpoint except `settings.budget`, which may be extended; see `SearchStore.savedSettings()`.
  public func resume(from directory: String, evaluator: Evaluator<Space.Config>,
                     onEvent: (SearchEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }) throws -> SearchResult {
    try settings.validate()
    let store = SearchStore(directory: directory)
    var cp = try store.readCheckpoint()
    guard cp.algorithm == Self.algorithm else {
      throw SearchError.checkpointMismatch(field: "algorithm", saved: cp.algorithm, given: Self.algorithm)
    }
    guard cp.spaceKey == space.spaceKey else {
      throw SearchError.checkpointMismatch(field: "space", saved: cp.spaceKey, given: space.spaceKey)
    }
    guard cp.settings.identity == settings.identity else {
      throw SearchError.checkpointMismatch(field: "settings", saved: Self.describe(cp.settings.identity), given: Self.describe(settings.identity))
    }
    try store.prepare(fresh: false, overwrite: false)
    let (records, readWarnings) = try store.readCandidates(objectives: settings.objectives)
    var archive = Archive<Space.Config>()
    for (i, r) in records.enumerated() {
      do { archive.append(r, try r.config.decode(as: Space.Config.self)) } catch {
        throw SearchError.corruptCandidates(path: store.candidatesPath, line: i + 1, reason: "config: \(error)")
      }
    }
    var warnings = readWarnings
    if records.count < cp.evaluated {
      warnings.append("\(store.candidatesPath): \(records.count) candidates but the checkpoint saw \(cp.evaluated); the missing ones are not evaluated again unless proposed again")
    }
    for w in warnings { onEvent(.warning(w)) }
    cp.settings = settings
    return try drive(store: store, checkpoint: &cp, archive: &archive, warnings: warnings, evaluator: evaluator,
                     onEvent: onEvent, shouldStop: shouldStop)
  }

  static func describe(_ s: SearchSettings) -> String {
    (try? String(decoding: JSONCoding.encoder.encode(s), as: UTF8.self)) ?? "\(s)"
  }

  /// Fills `cp.pending` with the population of `cp.iteration`.
  func propose(_ cp: inout Checkpoint, _ archive: Archive<Space.Config>) throws {
    var ctx = BreedContext(space: space, settings: settings, iteration: cp.iteration, archive: archive, rng: cp.rng,
                           state: cp.strategy)
    if cp.iteration == 0 { initialPopulation(&ctx) } else { nextPopulation(&ctx) }
    cp.pending = try ctx.proposals.map {
      PendingCandidate(config: try JSONValue(encoding: $0.config), key: space.canonicalKey(of: $0.config),
                       origin: $0.origin, parents: $0.parents)
    }
    cp.rng = ctx.rng
    cp.strategy = ctx.state
    cp.proposed = true
  }

  /// The shared loop of `run` and `resume`.
  func drive(store: SearchStore, checkpoint cp: inout Checkpoint, archive: inout Archive<Space.Config>,
             warnings: [String], evaluator: Evaluator<Space.Config>, onEvent: (SearchEvent) -> Void,
             shouldStop: () -> Bool) throws -> SearchResult {
    let clock = ContinuousClock()
    let t0 = clock.now
    func elapsed() -> Double { Self.seconds(clock.now - t0) }
    let budget = settings.budget
    let objectives = settings.objectives
    let directions = objectives.map(\.higherIsBetter)
    let log = try CandidateLog(path: store.candidatesPath, objectives: objectives, sync: settings.durability == .sync)
    var evaluatedThisRun = 0, reused = 0, evalSeconds = 0.0
    var done = 0
    func fraction() -> Double {
      var f = (Double(cp.iteration) + (cp.pending.isEmpty ? 0 : Double(done) / Double(cp.pending.count)))
        / Double(budget.iterations + 1)
      if let m = budget.maxCandidates { f = max(f, m == 0 ? 1 : Double(archive.count) / Double(m)) }
      if let s = budget.maxSeconds { f = max(f, s == 0 ? 1 : elapsed() / s) }
      return min(max(f, 0), 1)
    }
    let f0 = fraction()
    var stop = StopReason.completed
    run: while cp.iteration <= budget.iterations {
      if !cp.proposed {
        try propose(&cp, archive)
        cp.evaluated = archive.count
        try store.writeCheckpoint(cp)
      }
      done = 0
      for p in cp.pending {
        if archive.contains(key: p.key) {  // evaluated before an interruption: reuse the record
          reused += 1
          done += 1
          continue
        }
        if let m = budget.maxCandidates, archive.count >= m { stop = .maxCandidates; break run }
        if let s = budget.maxSeconds, elapsed() >= s { stop = .maxSeconds; break run }
        if shouldStop() { stop = .stopRequested; break run }
        let config = try p.config.decode(as: Space.Config.self)
        let r = try evaluate(config, p, index: archive.count, iteration: cp.iteration, evaluator: evaluator, clock: clock)
        try log.append(r)
        archive.append(r, config)
        evaluatedThisRun += 1
        evalSeconds += r.evalSeconds
        done += 1
        let f = fraction()
        let el = elapsed()
        onEvent(.progress(SearchProgress(
          iteration: cp.iteration, iterations: budget.iterations, evaluated: archive.count,
          evaluatedThisRun: evaluatedThisRun, budgetFraction: f, elapsedSeconds: el,
          etaSeconds: f > f0 ? el * (1 - f) / (f - f0) : nil, last: r)))
      }
      let front = archive.feasibleFront(objectives)
      let pts = front.map { archive.records[$0].values }
      let ref = settings.referencePoint
        ?? Hypervolume.referencePoint(archive.records.filter(\.feasible).map(\.values), higherIsBetter: directions)
      onEvent(.iterationFinished(iteration: cp.iteration, evaluated: archive.count, frontSize: front.count,
                                 hypervolume: pts.isEmpty ? 0 : Hypervolume.of(pts, reference: ref, higherIsBetter: directions)))
      cp.iteration += 1
      cp.proposed = false
      cp.pending = []
      if cp.iteration <= budget.iterations { try propose(&cp, archive) }
      cp.evaluated = archive.count
      try log.synchronize()
      try store.writeCheckpoint(cp)
    }
    try log.synchronize()
    return SearchResult.summarize(
      records: archive.records, settings: settings, algorithm: Self.algorithm, directory: store.directory,
      stopReason: stop, elapsedSeconds: elapsed(), evaluatorSeconds: evalSeconds,
      evaluatedThisRun: evaluatedThisRun, reused: reused, warnings: warnings)
  }

  /// Calls the evaluator on one candidate and builds its record (errors are recorded, not thrown,
  /// except a wrong number of values, which is a programming error).
  func evaluate(_ config: Space.Config, _ p: PendingCandidate, index: Int, iteration: Int,
                evaluator: Evaluator<Space.Config>, clock: ContinuousClock) throws -> CandidateRecord {
    let objectives = settings.objectives
    let t = clock.now
    var values: [Double] = [], metadata: [String: JSONValue] = [:], error: String?
    do {
      let e = try evaluator(config)
      guard e.values.count == objectives.count else {
        throw SearchError.wrongValueCount(archID: stableHash(p.key), expected: objectives.count, got: e.values.count)
      }
      values = e.values
      metadata = e.metadata
    } catch let e as SearchError {
      throw e
    } catch let e {
      error = "\(e)"
    }
    let secs = Self.seconds(clock.now - t)
    var violation = Double.infinity
    if error == nil {
      violation = 0
      for c in settings.constraints {
        if let j = objectives.firstIndex(where: { $0.name == c.objective }) { violation += c.violation(values[j]) }
      }
      if !values.allSatisfy(\.isFinite) { violation = .infinity }
    }
    return CandidateRecord(index: index, iteration: iteration, archID: stableHash(p.key), key: p.key, config: p.config,
                           origin: p.origin, parents: p.parents, values: values, feasible: violation == 0,
                           violation: violation, error: error, evalSeconds: secs, metadata: metadata)
  }

  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
