import Foundation
import Testing
@testable import Benchmarks
import SearchSpaces

/// The `flexibert` loader on the shared `BERT_benchmark.json` (both readings) and on small
/// malformed inputs, whose errors must name the record id, the layer and the field on one line.
struct FlexiBERTBenchmarkTests {
  static var folder: String { (BenchmarkRegistry.defaultDataRoot() as NSString).appendingPathComponent("flexibert") }

  @Test func loadsAll500UnderBothReadings() throws {
    let bench = try BenchmarkRegistry.get("flexibert")
    let trained = try bench.load(path: Self.folder, options: [:])
    let described = try bench.load(path: Self.folder, options: ["reading": "described"])
    #expect(trained.records.count == 500 && described.records.count == 500)
    #expect(trained.excluded.isEmpty)
    #expect(trained.note?.contains("as-trained") == true)
    #expect(described.note?.contains("described") == true)
    #expect(!bench.lowerIsBetter)

    // Record 0 (SOURCES.md example): hidden 256; layer 1 LT/DCT 2 heads, 3 × 512.
    let d0 = try #require(described.records[0].config as? FlexiBERTConfig)
    #expect(described.records[0].id == "0")
    #expect(described.records[0].target == 74.73375)
    #expect(d0.hiddenSize == 256)
    #expect(d0.layers[0] == FlexiBERTLayer(operation: .sa, parameter: "WMA", heads: 4, ffn: [1024, 1024, 1024]))
    #expect(d0.layers[1] == FlexiBERTLayer(operation: .lt, parameter: "DCT", heads: 2, ffn: [512, 512, 512]))
    #expect(d0.layers[3].ffn == [1024])
    let t0 = try #require(trained.records[0].config as? FlexiBERTConfig)
    #expect(t0.layers.map(\.ffn) == [[1024, 1024, 1024], [1024, 512, 512], [1024, 512, 512], [1024]])
    #expect(t0.layers.map(\.heads) == [4, 2, 4, 4])
    #expect(t0 == d0.asTrained)

    // Every as-trained layer is SDP attention with an FFN 4·hidden wide first.
    for r in trained.records {
      let c = try #require(r.config as? FlexiBERTConfig)
      #expect(c.layers.allSatisfy { $0.operation == .sa && $0.parameter == "SDP" && $0.ffn[0] == 4 * c.hiddenSize })
    }
    // DSC kernels come through as integers in the JSON.
    let kernels = Set(described.records.flatMap { ($0.config as! FlexiBERTConfig).layers.compactMap(\.kernelSize) })
    #expect(kernels == [5, 9])

    // Four (hidden, depth) groups, with the counts of SOURCES.md.
    var groups: [String: Int] = [:]
    for r in trained.records { groups[bench.groupKey(r)!, default: 0] += 1 }
    #expect(groups.keys.sorted() == ["128×2", "128×4", "256×2", "256×4"])
    #expect(groups["128×2", default: 0] + groups["256×2", default: 0] == 239)
    #expect(groups["128×2", default: 0] + groups["128×4", default: 0] == 251)
    #expect(bench.groupDescription == "hidden size × depth")
  }

  static func record(id: Int = 7, hidden: Any = 128, layers: String) -> String {
    """
    [{"id": \(id), "completed": true, "scores": {"glue": 70.5},
      "hparams": {"model_hparam_overrides": {"hidden_size": \(hidden), "nas_config": {"encoder_layers": [
        {"operation_type": "SA", "operation_parameter": "SDP", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1},
        \(layers)]}}}}]
    """
  }

  @Test(arguments: [
    (#"{"operation_type": "XX", "operation_parameter": "SDP", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1}"#,
     "operation_type"),
    (#"{"operation_type": "LT", "operation_parameter": "SDP", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1}"#,
     "parameter"),
    (#"{"operation_type": "DSC", "operation_parameter": 6, "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1}"#,
     "parameter"),
    (#"{"operation_type": "SA", "operation_parameter": "SDP", "num_operation_heads": 3, "feed_forward_dimension": 512, "num_feed_forward": 1}"#,
     "heads"),
    (#"{"operation_type": "SA", "operation_parameter": "SDP", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 0}"#,
     "num_feed_forward"),
    (#"{"operation_type": "SA", "operation_parameter": "SDP", "num_operation_heads": 2, "num_feed_forward": 1}"#,
     "feed_forward_dimension"),
    (#"{"operation_parameter": "SDP", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1}"#,
     "operation_type"),
  ])
  func badRecordsNameIdLayerAndField(layer: String, field: String) {
    for reading in FlexiBERTBenchmark.Reading.allCases {
      do {
        _ = try FlexiBERTBenchmark.parse(Data(Self.record(layers: layer).utf8), file: "b.json", reading: reading)
        Issue.record("expected an error for \(layer)")
      } catch let e as BenchmarkError {
        let s = e.description
        #expect(s.contains("record id 7"), "\(s)")
        #expect(s.contains("layer 1"), "\(s)")
        #expect(s.contains(field), "\(s)")
        #expect(!s.contains("\n"))
      } catch { Issue.record("unexpected error \(error)") }
    }
  }

  @Test func badOptionsAndFiles() throws {
    let b = FlexiBERTBenchmark()
    #expect(throws: BenchmarkError.self) { try b.load(path: Self.folder, options: ["reading": "trained"]) }
    #expect(throws: BenchmarkError.self) { try b.load(path: Self.folder, options: ["layer": "2"]) }
    #expect(throws: BenchmarkError.self) { try b.load(path: "/nonexistent/flexibert", options: [:]) }
    #expect(throws: BenchmarkError.self) {
      try FlexiBERTBenchmark.parse(Data(Self.record(hidden: "\"big\"", layers: #"{"operation_type": "LT", "operation_parameter": "DFT", "num_operation_heads": 2, "feed_forward_dimension": 512, "num_feed_forward": 1}"#).utf8), file: "b.json", reading: .described)
    }
    // An unfinished run is excluded, not an error.
    let json = #"[{"id": 3, "completed": false, "scores": {}, "hparams": {}}]"#
    let d = try FlexiBERTBenchmark.parse(Data(json.utf8), file: "b.json", reading: .asTrained)
    #expect(d.records.isEmpty && d.excluded.count == 1 && d.excluded[0].id == "3")
  }
}
