import Foundation

/// Per-iteration summary of a search (all against the result's one reference point).
public struct IterationSummary: Codable, Sendable, Equatable {
  public var iteration: Int
  /// Candidates proposed by this iteration and evaluated.
  public var candidates: Int
  /// Candidates evaluated up to and including this iteration.
  public var cumulative: Int
  /// Size of the feasible front over iterations 0…iteration.
  public var frontSize: Int
  public var hypervolume: Double
  /// `hypervolume` / the result's box volume (ideal → reference), in [0, 1].
  public var normalizedHypervolume: Double
  /// Evaluator wall time of this iteration's candidates.
  public var evalSeconds: Double

  enum CodingKeys: String, CodingKey {
    case iteration, candidates, cumulative, frontSize = "front_size", hypervolume
    case normalizedHypervolume = "normalized_hypervolume", evalSeconds = "eval_seconds"
  }
}

/// The outcome of a search: every candidate, the feasible Pareto front, hypervolume per
/// iteration and timings. Codable, so a CLI can write it as JSON.
public struct SearchResult: Codable, Sendable {
  public var algorithm: String
  public var settings: SearchSettings
  public var directory: String
  /// Every evaluated candidate, in evaluation order (`candidates[i].index == i`).
  public var candidates: [CandidateRecord]
  /// Indices (into `candidates`) of the feasible Pareto front, in evaluation order.
  public var front: [Int]
  public var feasibleCount: Int
  /// Evaluator failures (recorded with their error, never on the front).
  public var failedCount: Int
  /// When no candidate is feasible: up to 10 evaluated candidates with the smallest normalised
  /// violation (`ObjectiveConstraint.violation`), closest first; otherwise empty.
  public var closest: [Int]
  /// The hypervolume reference: `settings.referencePoint`, or the worst feasible value per
  /// objective moved out by 10% of its range (`Hypervolume.referencePoint`). Empty without
  /// feasible candidates.
  public var referencePoint: [Double]
  public var hypervolume: Double
  public var normalizedHypervolume: Double
  public var iterations: [IterationSummary]
  public var stopReason: StopReason
  /// Wall time of this run (not of earlier runs of a resumed search).
  public var elapsedSeconds: Double
  /// Evaluator wall time of this run.
  public var evaluatorSeconds: Double
  public var evaluatedThisRun: Int
  /// Candidates found in candidates.jsonl after the last checkpoint and reused on resume.
  public var reused: Int
  public var warnings: [String]

  /// Whether some candidate met every constraint.
  public var anyFeasible: Bool { feasibleCount > 0 }

  /// The front's records, in evaluation order.
  public var frontCandidates: [CandidateRecord] { front.map { candidates[$0] } }

  enum CodingKeys: String, CodingKey {
    case algorithm, settings, directory, candidates, front, feasibleCount = "feasible_count", failedCount = "failed_count"
    case closest, referencePoint = "reference_point", hypervolume, normalizedHypervolume = "normalized_hypervolume"
    case iterations, stopReason = "stop_reason", elapsedSeconds = "elapsed_seconds", evaluatorSeconds = "evaluator_seconds"
    case evaluatedThisRun = "evaluated_this_run", reused, warnings
  }

  /// Computes front, reference point, hypervolumes and per-iteration summaries from records
  /// (also usable on a candidates.jsonl read with `SearchStore.readCandidates`).
  public static func summarize(records: [CandidateRecord], settings: SearchSettings, algorithm: String,
                               directory: String, stopReason: StopReason = .completed, elapsedSeconds: Double = 0,
                               evaluatorSeconds: Double = 0, evaluatedThisRun: Int = 0, reused: Int = 0,
                               warnings: [String] = []) -> SearchResult {
    let dirs = settings.objectives.map(\.higherIsBetter)
    let feasible = records.indices.filter { records[$0].feasible }
    let feasiblePts = feasible.map { records[$0].values }
    let ref = settings.referencePoint ?? Hypervolume.referencePoint(feasiblePts, higherIsBetter: dirs)
    let box = Hypervolume.boxVolume(feasiblePts, reference: ref, higherIsBetter: dirs)
    func hv(_ idx: [Int]) -> Double {
      idx.isEmpty ? 0 : Hypervolume.of(idx.map { records[$0].values }, reference: ref, higherIsBetter: dirs)
    }
    // Fronts grow incrementally: front(i) = front(front(i − 1) ∪ feasible of iteration i).
    var summaries: [IterationSummary] = []
    var front: [Int] = []
    var cumulative = 0
    let last = records.map(\.iteration).max() ?? -1
    if last >= 0 {
      for it in 0...last {
        let mine = records.indices.filter { records[$0].iteration == it }
        cumulative += mine.count
        let pool = front + mine.filter { records[$0].feasible }
        front = Pareto.front(pool.map { records[$0].values }, higherIsBetter: dirs).map { pool[$0] }.sorted()
        let h = hv(front)
        summaries.append(IterationSummary(
          iteration: it, candidates: mine.count, cumulative: cumulative, frontSize: front.count, hypervolume: h,
          normalizedHypervolume: box > 0 ? h / box : 0, evalSeconds: mine.reduce(0) { $0 + records[$1].evalSeconds }))
      }
    }
    let total = hv(front)
    var closest: [Int] = []
    if feasible.isEmpty {
      closest = Array(records.indices.filter { records[$0].evaluated }
        .sorted { records[$0].violation != records[$1].violation ? records[$0].violation < records[$1].violation : $0 < $1 }
        .prefix(10))
    }
    return SearchResult(
      algorithm: algorithm, settings: settings, directory: directory, candidates: records, front: front,
      feasibleCount: feasible.count, failedCount: records.filter { !$0.evaluated }.count, closest: closest,
      referencePoint: feasible.isEmpty ? [] : ref, hypervolume: total, normalizedHypervolume: box > 0 ? total / box : 0,
      iterations: summaries, stopReason: stopReason, elapsedSeconds: elapsedSeconds, evaluatorSeconds: evaluatorSeconds,
      evaluatedThisRun: evaluatedThisRun, reused: reused, warnings: warnings)
  }

  /// Rebuilds a result from a search directory's files alone (e.g. to redraw a report).
  public static func load(from directory: String) throws -> SearchResult {
    let store = SearchStore(directory: directory)
    let (algorithm, settings, _) = try store.savedSettings()
    let (records, warnings) = try store.readCandidates(objectives: settings.objectives, repair: false)
    return summarize(records: records, settings: settings, algorithm: algorithm, directory: directory, warnings: warnings)
  }

  /// The result as pretty JSON (sorted keys).
  public func jsonData() throws -> Data {
    let e = JSONCoding.prettyEncoder
    e.userInfo[CandidateRecord.objectivesKey] = settings.objectives.map(\.name)
    return try e.encode(self)
  }
}
