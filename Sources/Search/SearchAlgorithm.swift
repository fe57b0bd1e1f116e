import SearchSpaces

/// The searchers by name, for a command line (`--algorithm evolution|random|nsga2`) and for
/// resuming a directory whose checkpoint names its algorithm.
public enum SearchAlgorithm: String, CaseIterable, Codable, Sendable {
  /// `EvolutionarySearch`, the LTS algorithm (default).
  case evolution
  /// `RandomSearch`, the baseline.
  case random
  /// `NSGA2Search`.
  case nsga2

  /// Runs a new search of this algorithm (see `Searcher.run`).
  public func run<Space: EvolutionarySpace>(
    space: Space, settings: SearchSettings, evaluator: Evaluator<Space.Config>, output: String, overwrite: Bool = false,
    onEvent: (SearchEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }
  ) throws -> SearchResult {
    switch self {
    case .evolution:
      return try EvolutionarySearch(space: space, settings: settings)
        .run(evaluator: evaluator, output: output, overwrite: overwrite, onEvent: onEvent, shouldStop: shouldStop)
    case .random:
      return try RandomSearch(space: space, settings: settings)
        .run(evaluator: evaluator, output: output, overwrite: overwrite, onEvent: onEvent, shouldStop: shouldStop)
    case .nsga2:
      return try NSGA2Search(space: space, settings: settings)
        .run(evaluator: evaluator, output: output, overwrite: overwrite, onEvent: onEvent, shouldStop: shouldStop)
    }
  }

  /// Resumes the search in `directory` with the algorithm and settings saved there; `budget`
  /// replaces the saved budget when given (e.g. more iterations). The space must be the one the
  /// search was started with (checked against the checkpoint).
  public static func resume<Space: EvolutionarySpace>(
    from directory: String, space: Space, evaluator: Evaluator<Space.Config>, budget: SearchBudget? = nil,
    onEvent: (SearchEvent) -> Void = { _ in }, shouldStop: () -> Bool = { false }
  ) throws -> SearchResult {
    let saved = try SearchStore(directory: directory).savedSettings()
    guard let algorithm = SearchAlgorithm(rawValue: saved.algorithm) else {
      throw SearchError.checkpointMismatch(field: "algorithm", saved: saved.algorithm,
                                           given: allCases.map(\.rawValue).joined(separator: "|"))
    }
    var settings = saved.settings
    if let budget { settings.budget = budget }
    switch algorithm {
    case .evolution:
      return try EvolutionarySearch(space: space, settings: settings)
        .resume(from: directory, evaluator: evaluator, onEvent: onEvent, shouldStop: shouldStop)
    case .random:
      return try RandomSearch(space: space, settings: settings)
        .resume(from: directory, evaluator: evaluator, onEvent: onEvent, shouldStop: shouldStop)
    case .nsga2:
      return try NSGA2Search(space: space, settings: settings)
        .resume(from: directory, evaluator: evaluator, onEvent: onEvent, shouldStop: shouldStop)
    }
  }
}

extension SearchResult {
  /// A record's values keyed by objective name (e.g. for a report or a table).
  public func objectiveValues(_ r: CandidateRecord) -> [String: Double] {
    Dictionary(uniqueKeysWithValues: zip(settings.objectives.map(\.name), r.values))
  }
}
