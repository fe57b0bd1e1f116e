import Foundation
import Testing
@testable import Benchmarks
import Proxies
import SearchSpaces

/// The LTS GPT-2 / WikiText-103 table in `../shared/data/lts` (skipped when the shared data is absent).
struct LTSBenchmarkTests {
  static var folder: String { (BenchmarkRegistry.defaultDataRoot() as NSString).appendingPathComponent("lts") }
  static var available: Bool { FileManager.default.fileExists(atPath: folder + "/" + LTSGPT2Benchmark.fileName) }

  @Test(.enabled(if: LTSBenchmarkTests.available, "shared data ../shared/data/lts not found"))
  func loadsAll200AndDecoderParamsMatchTheCSV() throws {
    let data = try LTSGPT2Benchmark().load(path: Self.folder, options: [:])
    #expect(data.records.count == 200)
    #expect(data.excluded.isEmpty)
    let table = try CSVTable(file: Self.folder + "/" + LTSGPT2Benchmark.fileName)
    let published = Dictionary(uniqueKeysWithValues: try table.rows.map {
      (try $0.string("id", file: table.file), try $0.int("params_nonembedding", file: table.file))
    })
    var matched = 0
    for r in data.records {
      let g = try #require(r.config as? GPT2Config)
      #expect(g.decoderParams == published[r.id], "\(r.id)")
      if g.decoderParams == published[r.id] { matched += 1 }
      #expect(g.vocabSize == 50264 && g.nPositions == 192)
    }
    #expect(matched == 200)
    // First row, checked by hand against the CSV.
    let first = try #require(data.records.first { $0.id == "config_0_j0" })
    let g = try #require(first.config as? GPT2Config)
    #expect(g.nLayer == 5 && g.dModel == 128 && g.activeInner == [1071, 640, 1286, 800, 1871])
    #expect(g.activeHeads == [2, 4, 4, 8, 8] && g.divVal == 4 && g.embedWidth == 256)
    #expect(g.clusterEnds == [19997, 39997, 50264])
    #expect(abs(first.target - 45.022968707221274) < 1e-12)
    // The file itself or the folder.
    let direct = try LTSGPT2Benchmark().load(path: table.file, options: [:])
    #expect(direct.records.map(\.id) == data.records.map(\.id))
  }

  /// Our closed-form embedding side (token tables, adaptive-input projections, positions) equals
  /// archai's `params_AdaEmb` for all 200 models. (archai's `params_total` is larger: it keeps an
  /// adaptive softmax with 3 clusters even for div_val = 1, and an untied cluster-0 output projection,
  /// `tie_projs[0] = False`; our GPT-2 ties the output to the input embedding.)
  @Test(.enabled(if: LTSBenchmarkTests.available, "shared data ../shared/data/lts not found"))
  func embeddingSideMatchesArchai() throws {
    let data = try LTSGPT2Benchmark().load(path: Self.folder, options: [:])
    let table = try CSVTable(file: Self.folder + "/" + LTSGPT2Benchmark.fileName)
    let published = Dictionary(uniqueKeysWithValues: try table.rows.map {
      (try $0.string("id", file: table.file), try $0.int("params_AdaEmb", file: table.file))
    })
    for r in data.records {
      let g = try #require(r.config as? GPT2Config)
      let k = g.clusterEnds.count
      let softmaxExtras = g.divVal > 1 ? (k - 1) * g.embedWidth + (k - 1) + g.vocabSize : 0
      #expect(g.totalParams - g.decoderParams - softmaxExtras == published[r.id], "\(r.id)")
    }
  }

  static let header = "id,n_layer,d_model,d_inner,n_head,div_val,d_embed,val_ppl,n_token,cutoffs,tgt_len"

  func load(_ body: String) throws -> BenchmarkData {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lts-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent(LTSGPT2Benchmark.fileName).path
    try (Self.header + "\n" + body).write(toFile: file, atomically: true, encoding: .utf8)
    return try LTSGPT2Benchmark().load(path: dir.path, options: [:])
  }

  func error(_ body: String) -> String {
    do { _ = try load(body); return "(no error)" } catch { return "\(error)" }
  }

  @Test func failedRunsAreExcludedNotFatal() throws {
    let data = try load("""
      a,2,64,128|128,2|4,1,64,30.5,1000,,64
      b,2,64,128|128,2|4,1,64,,1000,,64
      c,2,64,128|128,2|4,2,64,nan,1000,300|600|2000,64
      """)
    #expect(data.records.map(\.id) == ["a"])
    #expect(data.excluded.map(\.id) == ["b", "c"])
  }

  @Test func malformedRowsNameFileLineAndField() {
    let e1 = error("a,2,64,128|x,2|4,1,64,30.5,1000,,64")
    #expect(e1.contains(LTSGPT2Benchmark.fileName + ": line 2") && e1.contains("d_inner[1] = 'x'"), "\(e1)")
    let e2 = error("a,2,64,128|128,2|4,1,64,30.5,1000,,64\nb,2,64,128|128,3|4,1,64,31,1000,,64")
    #expect(e2.contains("line 3") && e2.contains("n_head[0]") && e2.contains("must divide d_model"), "\(e2)")
    let e3 = error("a,2,64,128|128,2|4,1,64,abc,1000,,64")
    #expect(e3.contains("line 2") && e3.contains("val_ppl = 'abc'"), "\(e3)")
    let e4 = error("a,2,64,128|128,2|4,1,64,30.5,1000,64")
    #expect(e4.contains("line 2") && e4.contains("has 10 fields, the header has 11"), "\(e4)")
    let e5 = error("a,2,64,128,2|4,1,64,30.5,1000,,64")
    #expect(e5.contains("d_inner") && e5.contains("at least n_layer = 2"), "\(e5)")
  }

  @Test func csvQuotes() throws {
    let t = try CSVTable(text: "a,b\n\"x,1\",\"say \"\"hi\"\"\"\n", file: "q.csv")
    #expect(t.rows.count == 1 && t.rows[0].line == 2)
    #expect(t.rows[0].fields["a"] == "x,1" && t.rows[0].fields["b"] == "say \"hi\"")
    #expect(throws: BenchmarkError.self) { try CSVTable(text: "a\n\"open\n", file: "q.csv") }
  }

  @Test func registered() throws {
    let b = try BenchmarkRegistry.get("lts-gpt2-wt103")
    #expect(b.lowerIsBetter && b.defaultFolder == "lts")
    #expect(b.groupKey(BenchmarkRecord(id: "x", config: GPT2Config(nLayer: 1, dModel: 8, dInner: [8], nHead: [2]), target: 1)) == nil)
  }
}
