import Foundation
import Hardware
import Reports
import Search
import SearchSpaces
import TensorEngine

/// What a finished (or stopped) search leaves in its directory: `pareto.json`, `frontier/` exports and
/// `report.html`, plus the terminal summary.
struct SearchArtifacts {
  let result: SearchResult
  let space: GPT2Space
  let proxyName: String
  let measure: MeasureOptions
  let wallSeconds: Double
  let measureCommand: String?
  /// The front's records with their configs (unused per-layer entries dropped), decoded once.
  let front: [(CandidateRecord, GPT2Config)]

  init(result: SearchResult, space: GPT2Space, proxyName: String, measure: MeasureOptions,
       wallSeconds: Double, measureCommand: String?) throws {
    self.result = result
    self.space = space
    self.proxyName = proxyName
    self.measure = measure
    self.wallSeconds = wallSeconds
    self.measureCommand = measureCommand
    front = try result.frontCandidates.map { ($0, try $0.config.decode(as: GPT2Config.self).trimmed) }
  }

  var directory: String { result.directory }
  func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
  var objectiveNames: [String] { result.settings.objectives.map(\.name) }

  func writeAll() throws {
    try writePareto()
    try writeExports()
    try HTMLReport.render(reportData()).write(toFile: path("report.html"), atomically: true, encoding: .utf8)
  }

  // MARK: - pareto.json

  func writePareto() throws {
    var rows: [[String: Any]] = []
    for (r, c) in front {
      var row: [String: Any] = ["arch_id": r.archID, "iteration": r.iteration, "origin": r.origin,
                                "config": try JSONSerialization.jsonObject(with: Data(c.jsonString().utf8))]
      for (k, v) in zip(objectiveNames, r.values) { row[k] = v }
      for (k, v) in r.metadata { if let n = v.number { row[k] = n } }
      rows.append(row)
    }
    let doc: [String: Any] = [
      "objectives": result.settings.objectives.map { ["name": $0.name, "higher_is_better": $0.higherIsBetter] },
      "front": rows, "hypervolume": result.hypervolume, "normalized_hypervolume": result.normalizedHypervolume,
      "reference_point": result.referencePoint, "candidates": result.candidates.count,
      "feasible": result.feasibleCount, "failed": result.failedCount, "stop_reason": result.stopReason.rawValue,
    ]
    let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    try data.write(to: URL(fileURLWithPath: path("pareto.json")), options: .atomic)
  }

  // MARK: - exports

  /// A Hugging Face `GPT2Config`-style config.json, when the model fits that class: every layer alike,
  /// a single embedding cluster and d_embed = d_model.
  static func huggingFaceConfig(_ c: GPT2Config) -> [String: Any]? {
    guard Set(c.activeInner).count == 1, Set(c.activeHeads).count == 1, c.divVal == 1, c.embedWidth == c.dModel else { return nil }
    return ["model_type": "gpt2", "architectures": ["GPT2LMHeadModel"], "n_layer": c.nLayer, "n_embd": c.dModel,
            "n_head": c.activeHeads[0], "n_inner": c.activeInner[0], "vocab_size": c.vocabSize,
            "n_positions": c.nPositions, "n_ctx": c.nPositions, "activation_function": "gelu_new",
            "layer_norm_epsilon": 1e-5, "initializer_range": 0.02, "tie_word_embeddings": true]
  }

  func writeExports() throws {
    let dir = path("frontier")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (r, c) in front {
      let base = (dir as NSString).appendingPathComponent(r.archID)
      try (c.jsonString(pretty: true) + "\n").write(toFile: base + ".json", atomically: true, encoding: .utf8)
      if let hf = Self.huggingFaceConfig(c) {
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: hf, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: (base as NSString).appendingPathComponent("config.json")), options: .atomic)
      }
    }
  }

  // MARK: - report

  static func label(_ c: GPT2Config) -> String {
    "L\(c.nLayer) d\(c.dModel) f[\(c.activeInner.map(String.init).joined(separator: ","))] h[\(c.activeHeads.map(String.init).joined(separator: ","))] div\(c.divVal)"
  }

  func frontRows() throws -> (columns: [String], rows: [[String: String]]) {
    let cols = ["arch_id", "n_layer", "d_model", "d_inner", "n_head", "div_val"] + objectiveNames
    let rows = front
      .sorted { $0.0.values[0] > $1.0.values[0] }
      .map { r, c -> [String: String] in
        var row = ["arch_id": r.archID, "n_layer": "\(c.nLayer)", "d_model": "\(c.dModel)",
                   "d_inner": c.activeInner.map(String.init).joined(separator: ","),
                   "n_head": c.activeHeads.map(String.init).joined(separator: ","), "div_val": "\(c.divVal)"]
        for (k, v) in zip(objectiveNames, r.values) {
          row[k] = k.hasSuffix("params") ? NumberFormat.si(v) : String(format: "%.2f", v)
        }
        return row
      }
    return (cols, rows)
  }

  func reportData() throws -> ReportData {
    let onFront = Set(result.front)
    var points: [ReportPoint] = []
    for (i, r) in result.candidates.enumerated() where r.evaluated {
      let label = (try? r.config.decode(as: GPT2Config.self)).map(Self.label) ?? r.archID
      points.append(ReportPoint(archID: r.archID, label: label, objectives: result.objectiveValues(r),
                                onFront: onFront.contains(i), feasible: r.feasible))
    }
    let units = [objectiveNames[0]: "", SearchCommand.objectiveNames.latency: "ms", SearchCommand.objectiveNames.memory: "MiB"]
    let objectives = result.settings.objectives.map { ReportObjective(name: $0.name, unit: units[$0.name] ?? "", higherIsBetter: $0.higherIsBetter) }
    let (cols, rows) = try frontRows()
    let s = result.settings
    var settings: [(String, String)] = [
      ("algorithm", result.algorithm), ("proxy", proxyName), ("seed", "\(s.seed)"),
      ("population / parents / mutations / crossovers", "\(s.populationSize) / \(s.parents) / \(s.mutations) / \(s.crossovers)"),
      ("mutation p / crossover p", "\(s.mutationProbability) / \(s.crossoverProbability)"),
      ("budget", "\(s.budget.iterations) iterations" + (s.budget.maxSeconds.map { ", \(Int($0)) s" } ?? "") + (s.budget.maxCandidates.map { ", \($0) candidates" } ?? "")),
      ("constraints", s.constraints.isEmpty ? "none" : s.constraints.map { "\($0.objective) ≤ \($0.max.map { String($0) } ?? "∞")" }.joined(separator: ", ")),
      ("measurement", measureCommand.map { "command: \($0)" } ?? "this machine, \(measure.threads) thread(s), \(Engine.coreCount) cores, GEMM \(GEMM.backend.rawValue)"),
      ("forward pass", "batch \(measure.batch) × \(measure.seqLen) tokens, \(measure.warmups) warm-up, median of \(measure.repeats)"),
      ("memory objective", "peak live tensor bytes of the forward pass incl. parameters (MiB)"),
    ]
    settings.append(("space", space.fileText.replacingOccurrences(of: "\n", with: "; ")))
    let perMin = result.elapsedSeconds > 0 ? Double(result.evaluatedThisRun) / result.elapsedSeconds * 60 : 0
    let timings: [(String, String)] = [
      ("wall time (this run)", String(format: "%.1f s", wallSeconds)),
      ("search loop", String(format: "%.1f s", result.elapsedSeconds)),
      ("evaluation (build + proxy + measure)", String(format: "%.1f s", result.evaluatorSeconds)),
      ("candidates evaluated (this run / all)", "\(result.evaluatedThisRun) / \(result.candidates.count)"),
      ("candidates per minute", String(format: "%.1f", perMin)),
      ("reused from an earlier run", "\(result.reused)"),
      ("stop reason", result.stopReason.rawValue),
    ]
    var notes: [String] = []
    if !result.anyFeasible { notes.append("No candidate met the constraints; the closest are listed in pareto.json's absence — see the terminal output.") }
    if result.failedCount > 0 { notes.append("\(result.failedCount) candidates failed to evaluate (see candidates.jsonl).") }
    return ReportData(title: "LiteSearch — \(result.algorithm) search, \(proxyName) vs latency vs memory",
                      objectives: objectives, points: points, frontColumns: cols, frontRows: rows,
                      settings: settings, timings: timings, hypervolume: result.iterations.map(\.hypervolume), notes: notes)
  }

  // MARK: - terminal

  func printSummary() {
    let perMin = result.elapsedSeconds > 0 ? Double(result.evaluatedThisRun) / result.elapsedSeconds * 60 : 0
    print("Searched \(result.candidates.count) candidates (\(result.evaluatedThisRun) this run, \(String(format: "%.1f", perMin))/min) in \(String(format: "%.0f", result.elapsedSeconds)) s; stop: \(result.stopReason.rawValue).")
    if result.anyFeasible, let (cols, rows) = try? frontRows() {
      print("Pareto front (\(rows.count) of \(result.feasibleCount) feasible; hypervolume \(String(format: "%.3g", result.hypervolume)), \(String(format: "%.1f%%", 100 * result.normalizedHypervolume)) of the box):")
      print(TerminalTable.render(columns: cols, rows: rows), terminator: "")
    } else {
      print("No candidate meets the constraints. Closest candidates (by relative violation):")
      let cols = ["arch_id", "violation"] + objectiveNames
      let rows = result.closest.map { i -> [String] in
        let r = result.candidates[i]
        return [r.archID, String(format: "%.3f", r.violation)] + r.values.map { String(format: "%.2f", $0) }
      }
      print(TerminalTable.render(columns: cols, rows: rows), terminator: "")
    }
    print("Report: \(path("report.html"))")
    print("Front: \(path("pareto.json")); configs in \(path("frontier"))/; all candidates: \(path("candidates.jsonl"))")
  }
}
