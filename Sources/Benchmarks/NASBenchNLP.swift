import Foundation
import SearchSpaces

/// `nasbench-nlp-wt2`: the NAS-Bench-NLP recurrent cells trained on WikiText-2 (Klyuchnikov et al.
/// 2020), from `wt2.jsonl` of ../shared/data/nasbench_nlp (see its SOURCES.md): 345 runs, 341 OK.
///
/// Each line's `recipe` becomes a `RecurrentConfig` (emb 400, hidden 600, 3 layers; `vocab_size`
/// left to the corpus, i.e. WikiText-2's 33,278 — the benchmark's `num_params`). Target: the final
/// test loss (`test_loss_final`, nats per token, lower is better). Runs whose status is not `OK` or
/// whose final test loss is missing (diverged training) are counted and excluded with the reason.
public struct NASBenchNLPBenchmark: RankingBenchmark {
  public let name = "nasbench-nlp-wt2"
  public let targetDescription = "final test loss (WikiText-2, nats per token)"
  public let lowerIsBetter = true
  public let defaultFolder = "nasbench_nlp"
  /// The table inside the folder.
  public static let fileName = "wt2.jsonl"
  /// Proxies that read text use the corpus the cells were trained on.
  public var defaultProxyOptions: [String: String] { ["corpus": "wikitext-2"] }

  public init() {}

  /// One line of `wt2.jsonl` (only the fields the loader needs).
  struct Line: Decodable {
    var id: String
    var status: String
    var recipe: [String: RecipeNode]
    var test_loss_final: Double?
    var epochs_completed: Int?
  }

  /// `path` is the folder holding `wt2.jsonl` or the file itself. No loader options.
  public func load(path: String, options: [String: String] = [:]) throws -> BenchmarkData {
    try rejectLoaderOptions(options, path: path)
    let file = try dataFile(path, fileName: Self.fileName)
    guard let data = FileManager.default.contents(atPath: file) else { throw BenchmarkError(file: file, detail: "cannot be read") }
    var records: [BenchmarkRecord] = [], excluded: [(id: String, reason: String)] = []
    var seen = Set<String>()
    let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    for (i, raw) in lines.enumerated() {
      let where_ = "line \(i + 1)"
      if raw.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
      let line: Line
      do { line = try JSONDecoder().decode(Line.self, from: Data(raw)) } catch let e as ConfigError {
        throw BenchmarkError(file: file, location: where_, detail: e.description)
      } catch let e as DecodingError {
        throw BenchmarkError(file: file, location: where_, detail: ConfigError.from(e).description)
      }
      guard seen.insert(line.id).inserted else { throw BenchmarkError(file: file, location: where_, detail: "duplicate id \(line.id)") }
      let config = RecurrentConfig(recipe: line.recipe)
      do { try config.validate() } catch let e as ConfigError {
        throw BenchmarkError(file: file, location: "\(where_) (id \(line.id))", detail: e.description)
      }
      guard line.status == "OK", let loss = line.test_loss_final, loss.isFinite else {
        let epochs = line.epochs_completed.map { " after \($0) epoch\($0 == 1 ? "" : "s")" } ?? ""
        excluded.append((line.id, "status '\(line.status)'\(epochs): training failed or diverged, no final test loss"))
        continue
      }
      records.append(BenchmarkRecord(id: line.id, config: config, target: loss))
    }
    guard !records.isEmpty else { throw BenchmarkError(file: file, detail: "holds no usable runs") }
    return BenchmarkData(records: records, excluded: excluded,
                         note: "\(records.count) OK runs of \(records.count + excluded.count); target = test_loss_final (lower is better)")
  }
}
