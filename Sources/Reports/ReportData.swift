// Plain input types of a search report. The CLI fills these from whatever the search produced;
// nothing here depends on the Search module, so a report can be built from any list of points.

/// One objective of the search, e.g. decoder parameters (higher is better) or latency (lower is better).
public struct ReportObjective: Sendable, Equatable {
  /// Key of the objective in `ReportPoint.objectives`, e.g. `"decoder_params"`.
  public var name: String
  /// Unit shown beside the axis label, e.g. `"ms"`, `"MB"`; empty for plain counts.
  public var unit: String
  /// Direction of improvement; shown on the axis label as "↑ better" / "↓ better".
  public var higherIsBetter: Bool

  public init(name: String, unit: String = "", higherIsBetter: Bool) {
    self.name = name
    self.unit = unit
    self.higherIsBetter = higherIsBetter
  }

  /// Axis label: `name (unit, ↓ better)`.
  public var axisLabel: String {
    let arrow = higherIsBetter ? "↑ better" : "↓ better"
    return unit.isEmpty ? "\(name) (\(arrow))" : "\(name) (\(unit), \(arrow))"
  }
}

/// One evaluated candidate.
public struct ReportPoint: Sendable, Equatable {
  /// Architecture id (the dedupe key of the search).
  public var archID: String
  /// Short config summary shown in tooltips, e.g. `"L=6 d=512"`.
  public var label: String
  /// Objective values by `ReportObjective.name`. Missing or non-finite values are not plotted.
  public var objectives: [String: Double]
  /// Whether the point is on the Pareto frontier (drawn coloured and larger).
  public var onFront: Bool
  /// Whether the point meets the run's constraints (infeasible points are drawn hollow).
  public var feasible: Bool

  public init(archID: String, label: String = "", objectives: [String: Double], onFront: Bool = false,
              feasible: Bool = true) {
    self.archID = archID
    self.label = label
    self.objectives = objectives
    self.onFront = onFront
    self.feasible = feasible
  }
}

/// Everything one HTML report shows. Text is plain (it is escaped when rendered).
public struct ReportData: Sendable {
  /// Page title and heading.
  public var title: String
  /// Objectives in display order; the first is the x axis of the default plots.
  public var objectives: [ReportObjective]
  /// All evaluated candidates.
  public var points: [ReportPoint]
  /// Scatter plots as (x objective name, y objective name). `nil` means the default:
  /// the first objective against each of the others.
  public var plots: [(x: String, y: String)]?
  /// Column keys of the frontier table, in order (e.g. `["arch_id", "n_layer", "d_model"]`).
  /// Empty means the default: arch id, label and every objective.
  public var frontColumns: [String]
  /// One row per frontier candidate, keyed by column; a missing key renders as an empty cell.
  public var frontRows: [[String: String]]
  /// Run settings shown as a two-column table (name, value), e.g. ("seed", "42").
  public var settings: [(String, String)]
  /// Timings shown as a two-column table (phase, duration), e.g. ("search", "1m 52s").
  public var timings: [(String, String)]
  /// Hypervolume of the frontier after each iteration (index 0 = the initial population); empty
  /// hides the chart.
  public var hypervolume: [Double]
  /// Free-text notes shown at the end of the summary.
  public var notes: [String]

  public init(title: String, objectives: [ReportObjective], points: [ReportPoint],
              plots: [(x: String, y: String)]? = nil, frontColumns: [String] = [],
              frontRows: [[String: String]] = [], settings: [(String, String)] = [],
              timings: [(String, String)] = [], hypervolume: [Double] = [], notes: [String] = []) {
    self.title = title
    self.objectives = objectives
    self.points = points
    self.plots = plots
    self.frontColumns = frontColumns
    self.frontRows = frontRows
    self.settings = settings
    self.timings = timings
    self.hypervolume = hypervolume
    self.notes = notes
  }

  /// The plots actually drawn: `plots` if given, else the first objective against each other one.
  public var effectivePlots: [(x: String, y: String)] {
    if let plots { return plots }
    guard let first = objectives.first else { return [] }
    return objectives.dropFirst().map { (x: first.name, y: $0.name) }
  }

  /// The objective called `name`, or a neutral one (no unit, lower is better) if it is not declared.
  public func objective(named name: String) -> ReportObjective {
    objectives.first { $0.name == name } ?? ReportObjective(name: name, higherIsBetter: false)
  }

  /// The frontier table actually shown: `frontColumns`/`frontRows` if given, else one row per
  /// frontier point with its arch id, label and every objective (SI-formatted), sorted by the first
  /// objective.
  public var effectiveFrontTable: (columns: [String], rows: [[String: String]]) {
    if !frontColumns.isEmpty { return (frontColumns, frontRows) }
    let columns = ["arch_id", "config"] + objectives.map(\.name)
    let first = objectives.first?.name ?? ""
    let front = points.filter(\.onFront).sorted {
      ($0.objectives[first] ?? .infinity, $0.archID) < ($1.objectives[first] ?? .infinity, $1.archID)
    }
    let rows = front.map { point -> [String: String] in
      var row = ["arch_id": point.archID, "config": point.label]
      for objective in objectives {
        if let value = point.objectives[objective.name] { row[objective.name] = NumberFormat.si(value) }
      }
      return row
    }
    return (columns, rows)
  }
}
