import Foundation
import SearchSpaces

/// One trained architecture of a public benchmark.
public struct BenchmarkRecord: Sendable {
  /// The benchmark's own id (e.g. `config_0_j0`).
  public var id: String
  /// The config to score.
  public var config: any ArchitectureConfig
  /// Ground truth as published (perplexity, loss or GLUE score).
  public var target: Double

  public init(id: String, config: any ArchitectureConfig, target: Double) {
    self.id = id
    self.config = config
    self.target = target
  }
}

/// What a benchmark loader returns: usable records and what it left out (and why).
public struct BenchmarkData: Sendable {
  public var records: [BenchmarkRecord]
  /// Rows excluded by the loader (failed runs, diverged training), with reasons.
  public var excluded: [(id: String, reason: String)]
  /// Human-readable note shown by `lts rank` (e.g. the reading of FlexiBERT records).
  public var note: String?

  public init(records: [BenchmarkRecord], excluded: [(id: String, reason: String)] = [], note: String? = nil) {
    self.records = records
    self.excluded = excluded
    self.note = note
  }
}

/// Errors while reading benchmark files: they name the file, and the line or record.
public struct BenchmarkError: Error, CustomStringConvertible, Sendable {
  public var file: String
  public var location: String?
  public var detail: String

  public init(file: String, location: String? = nil, detail: String) {
    self.file = file
    self.location = location
    self.detail = detail
  }

  public var description: String { "\(file)\(location.map { ": \($0)" } ?? ""): \(detail)" }
}

/// A public table of trained architectures. One file per benchmark plus one registry line.
public protocol RankingBenchmark: Sendable {
  /// Registry name, e.g. `lts-gpt2-wt103`.
  var name: String { get }
  /// What the ground truth is, e.g. "validation perplexity (WikiText-103)".
  var targetDescription: String { get }
  /// Whether a lower ground-truth value is better (perplexity, loss).
  var lowerIsBetter: Bool { get }
  /// The folder under the shared data root (`../shared/data/<folder>`) holding the files.
  var defaultFolder: String { get }
  /// Loads records from `path` (a folder or file); `options` carry loader settings (e.g. reading).
  func load(path: String, options: [String: String]) throws -> BenchmarkData
  /// Optional group of a record (e.g. FlexiBERT's "(hidden size, depth)"): when some records have
  /// one, `lts rank` also reports the Spearman ρ within each group and their mean. Default: nil.
  func groupKey(_ record: BenchmarkRecord) -> String?
  /// What a group is, for the report header (e.g. "hidden size × depth"). Default: "group".
  var groupDescription: String { get }
  /// Proxy options this benchmark implies (e.g. `corpus=wikitext-2`), applied by `lts rank` under
  /// the user's own `--option`s. Default: none.
  var defaultProxyOptions: [String: String] { get }
}

extension RankingBenchmark {
  public func groupKey(_ record: BenchmarkRecord) -> String? { nil }
  public var groupDescription: String { "group" }
  public var defaultProxyOptions: [String: String] { [:] }
}

/// All benchmarks by name.
public enum BenchmarkRegistry {
  nonisolated(unsafe) public static var all: [String: any RankingBenchmark] = {
    var d: [String: any RankingBenchmark] = [:]
    for b in builtins { d[b.name] = b }
    return d
  }()

  /// Built-in benchmarks: one line each.
  static let builtins: [any RankingBenchmark] = [
    LTSGPT2Benchmark(),
    FlexiBERTBenchmark(),
    NASBenchNLPBenchmark(),
  ]

  public static func get(_ name: String) throws -> any RankingBenchmark {
    guard let b = all[name] else {
      throw BenchmarkError(file: name, detail: "unknown benchmark; known: \(all.keys.sorted().joined(separator: ", "))")
    }
    return b
  }

  /// The shared data root: `LTS_DATA` if set, else the first of `../shared/data`, `../../shared/data`
  /// (relative to the working directory) that exists.
  public static func defaultDataRoot() -> String {
    if let e = ProcessInfo.processInfo.environment["LTS_DATA"], !e.isEmpty { return e }
    let fm = FileManager.default
    for c in ["../shared/data", "../../shared/data", "shared/data"] where fm.fileExists(atPath: c) { return c }
    return "../shared/data"
  }
}

extension RankingBenchmark {
  /// The data file named `fileName` when `path` is a folder, else `path` itself; a missing path is a
  /// `BenchmarkError` saying what was expected.
  public func dataFile(_ path: String, fileName: String) throws -> String {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw BenchmarkError(file: path, detail: "does not exist (expected the folder holding \(fileName), or the file)")
    }
    return isDir.boolValue ? (path as NSString).appendingPathComponent(fileName) : path
  }

  /// Throws when a loader that takes no options is given some.
  public func rejectLoaderOptions(_ options: [String: String], path: String) throws {
    if let k = options.keys.sorted().first {
      throw BenchmarkError(file: path, detail: "option \(k): \(name) takes no loader options")
    }
  }
}
