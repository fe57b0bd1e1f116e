import Foundation
import Testing
@testable import Benchmarks
import SearchSpaces

/// The `nasbench-nlp-wt2` loader on the shared `wt2.jsonl` and on small malformed files.
struct NASBenchNLPTests {
  static var folder: String { (BenchmarkRegistry.defaultDataRoot() as NSString).appendingPathComponent("nasbench_nlp") }
  static var available: Bool { FileManager.default.fileExists(atPath: folder + "/wt2.jsonl") }

  @Test func loads341RunsAndExcludesTheFourFailed() throws {
    guard Self.available else { return }
    let bench = try BenchmarkRegistry.get("nasbench-nlp-wt2")
    #expect(bench.lowerIsBetter)
    #expect(bench.defaultProxyOptions == ["corpus": "wikitext-2"])
    let d = try bench.load(path: Self.folder, options: [:])
    #expect(d.records.count == 341)
    #expect(d.excluded.count == 4)
    #expect(d.excluded.allSatisfy { $0.reason.contains("loss is nan!") })
    #expect(Set(d.excluded.map(\.id)) == ["1007257_999958405", "1009182_999929401", "1009257_999945333", "1009703_999909384"])
    let rnn = try #require(d.records.first { $0.id == "1000000_999988992" })
    #expect(rnn.target == 5.147947130803299)
    let lstm = try #require(d.records.first { $0.id.hasPrefix("1000001_") })
    #expect(lstm.target == 4.520790381286907)
    #expect((lstm.config as? RecurrentConfig)?.recipe.count == 13)
  }

  @Test func closedFormParametersReproduceNumParamsOfAllRuns() throws {
    guard Self.available else { return }
    let text = try String(contentsOfFile: Self.folder + "/wt2.jsonl", encoding: .utf8)
    var n = 0
    for line in text.split(separator: "\n") {
      let obj = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
      let recipe = try JSONSerialization.data(withJSONObject: obj["recipe"]!)
      let cfg = RecurrentConfig(recipe: try JSONDecoder().decode([String: RecipeNode].self, from: recipe))
      #expect(cfg.parameterCount() == obj["num_params"] as! Int, "\(obj["id"]!)")
      n += 1
    }
    #expect(n == 345)
  }

  @Test func malformedLinesNameFileAndLine() throws {
    let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("lts-nb-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let ok = #"{"id": "a", "status": "OK", "test_loss_final": 5.0, "recipe": {"h_new_0": {"op": "linear", "input": ["x", "h_prev_0"]}}}"#
    func message(_ lines: [String]) throws -> String {
      let f = dir + "/wt2.jsonl"
      try lines.joined(separator: "\n").write(toFile: f, atomically: true, encoding: .utf8)
      do { _ = try NASBenchNLPBenchmark().load(path: dir); return "(no error)" } catch { return "\(error)" }
    }
    #expect(try message([ok, "{not json"]).contains("wt2.jsonl: line 2"))
    let cyc = #"{"id": "b", "status": "OK", "test_loss_final": 5.0, "recipe": {"h_new_0": {"op": "linear", "input": ["h_new_0"]}}}"#
    let m = try message([ok, cyc])
    #expect(m.contains("line 2 (id b)") && m.contains("recipe.h_new_0") && m.contains("cycle"))
    let unknown = #"{"id": "c", "status": "OK", "test_loss_final": 5.0, "recipe": {"h_new_0": {"op": "gru", "input": ["x"]}}}"#
    #expect(try message([unknown]).contains("recipe.h_new_0.op = gru: unknown op"))
    let failed = #"{"id": "d", "status": "loss is nan!", "test_loss_final": null, "epochs_completed": 1, "recipe": {"h_new_0": {"op": "linear", "input": ["x"]}}}"#
    let d = try { () throws -> BenchmarkData in
      try [ok, failed].joined(separator: "\n").write(toFile: dir + "/wt2.jsonl", atomically: true, encoding: .utf8)
      return try NASBenchNLPBenchmark().load(path: dir)
    }()
    #expect(d.records.map(\.id) == ["a"] && d.excluded.map(\.id) == ["d"])
    #expect(d.excluded[0].reason.contains("after 1 epoch:"))
    #expect(try message([ok, ok]).contains("duplicate id a"))
  }
}
