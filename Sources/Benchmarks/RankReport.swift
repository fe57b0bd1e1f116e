import Foundation
import Proxies
import SearchSpaces

/// Settings of a rank check.
public struct RankSettings: Sendable {
  /// Bootstrap resamples for the confidence intervals (0 = no intervals).
  public var bootstrap = 1000
  /// Seed of the bootstrap (the proxies' seed is `ProxyContext.seed`).
  public var seed: UInt64 = 0
  /// Top fraction for the top-k overlap.
  public var topFraction = 0.1
  /// Confidence level of the intervals.
  public var level = 0.95

  public init(bootstrap: Int = 1000, seed: UInt64 = 0, topFraction: Double = 0.1) {
    self.bootstrap = bootstrap
    self.seed = seed
    self.topFraction = topFraction
  }
}

/// One proxy's results on every record of a benchmark, in record order.
public struct ProxyScores: Sendable {
  public var proxy: String
  public var higherIsBetter: Bool
  public var results: [ProxyResult]

  public init(proxy: String, higherIsBetter: Bool, results: [ProxyResult]) {
    self.proxy = proxy
    self.higherIsBetter = higherIsBetter
    self.results = results
  }
}

/// Spearman ρ inside one group of records (e.g. one FlexiBERT (hidden size, depth) cell).
public struct GroupRanking: Sendable, Equatable {
  public var key: String
  /// Records of the group with a defined proxy value.
  public var n: Int
  public var spearman: Double?
}

/// How well one proxy ranks a benchmark. Correlations are between the proxy and the ground truth,
/// both oriented so that larger = better (`−ppl` for perplexities; `−proxy` when the proxy's
/// `higherIsBetter` is false), so a good proxy is positive.
public struct ProxyRanking: Sendable {
  public var proxy: String
  public var higherIsBetter: Bool
  /// Records with a defined value (the ones the statistics use).
  public var n: Int
  /// Records excluded because the proxy was undefined, and why (reason → count).
  public var undefined: Int
  public var undefinedReasons: [String: Int]
  public var spearman: Double?
  public var kendall: Double?
  public var topkOverlap: Double?
  public var topFraction: Double
  public var spearmanCI: RankStats.Interval?
  public var kendallCI: RankStats.Interval?
  public var topkCI: RankStats.Interval?
  /// Mean wall time of one evaluation (seconds), over all records.
  public var secondsPerArch: Double
  /// Per-group Spearman (empty when the benchmark has no groups) and their mean.
  public var groups: [GroupRanking]
  public var meanGroupSpearman: Double?
}

/// Scores benchmark records with proxies and turns the scores into rank statistics.
public enum RankRunner {
  /// Scores every record with every proxy (records outer, so progress is even across proxies).
  /// `progress(done, total)` is called after each evaluation. A proxy that throws aborts the run
  /// with a `BenchmarkError` naming the benchmark, the record and the proxy; an undefined value is
  /// kept (and later excluded and counted).
  public static func score(_ records: [BenchmarkRecord], benchmark: String, proxies: [any Proxy],
                           context: ProxyContext,
                           progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [ProxyScores] {
    var results = [[ProxyResult]](repeating: [], count: proxies.count)
    let total = records.count * proxies.count
    var done = 0
    for r in records {
      for (j, p) in proxies.enumerated() {
        do { results[j].append(try p.score(r.config, context: context)) } catch {
          throw BenchmarkError(file: benchmark, location: "record \(r.id)", detail: p.describe(error))
        }
        done += 1
        progress(done, total)
      }
    }
    return zip(proxies, results).map { ProxyScores(proxy: $0.name, higherIsBetter: $0.higherIsBetter, results: $1) }
  }

  /// Rank statistics of one proxy. `truth` is the published target per record, `lowerIsBetter`
  /// its direction; `groups` (optional, per record) adds within-group Spearman. Bootstrap CIs
  /// resample records (pairs) with `settings.seed`, the same resamples for every proxy.
  public static func rank(_ scores: ProxyScores, truth: [Double], lowerIsBetter: Bool, groups: [String?] = [],
                          settings: RankSettings = RankSettings()) -> ProxyRanking {
    precondition(scores.results.count == truth.count, "rank: \(scores.results.count) scores for \(truth.count) records")
    var x: [Double] = [], y: [Double] = [], g: [String?] = []
    var reasons: [String: Int] = [:]
    for (i, r) in scores.results.enumerated() {
      guard let v = r.value else {
        reasons[r.undefinedReason ?? "undefined", default: 0] += 1
        continue
      }
      x.append(scores.higherIsBetter ? v : -v)
      y.append(lowerIsBetter ? -truth[i] : truth[i])
      g.append(i < groups.count ? groups[i] : nil)
    }
    let frac = settings.topFraction
    func ci(_ stat: @escaping ([Double], [Double]) -> Double?) -> RankStats.Interval? {
      settings.bootstrap > 0
        ? RankStats.bootstrapCI(x, y, resamples: settings.bootstrap, level: settings.level, seed: settings.seed, statistic: stat)
        : nil
    }
    let topk: ([Double], [Double]) -> Double? = { a, b in RankStats.topKOverlap(truth: b, proxy: a, fraction: frac) }
    var groupStats: [GroupRanking] = []
    let keys = Set(g.compactMap { $0 })
    for key in keys.sorted() {
      let idx = g.indices.filter { g[$0] == key }
      groupStats.append(GroupRanking(key: key, n: idx.count,
                                     spearman: RankStats.spearman(idx.map { x[$0] }, idx.map { y[$0] })))
    }
    let definedGroups = groupStats.compactMap(\.spearman)
    let seconds = scores.results.map(\.seconds)
    return ProxyRanking(
      proxy: scores.proxy, higherIsBetter: scores.higherIsBetter, n: x.count,
      undefined: scores.results.count - x.count, undefinedReasons: reasons,
      spearman: RankStats.spearman(x, y), kendall: RankStats.kendallTauB(x, y),
      topkOverlap: x.count >= 2 ? topk(x, y) : nil, topFraction: frac,
      spearmanCI: ci(RankStats.spearman), kendallCI: ci(RankStats.kendallTauB), topkCI: ci(topk),
      secondsPerArch: seconds.isEmpty ? 0 : seconds.reduce(0, +) / Double(seconds.count),
      groups: groupStats,
      meanGroupSpearman: definedGroups.isEmpty ? nil : definedGroups.reduce(0, +) / Double(definedGroups.count))
  }

  /// Loads nothing, scores `data` with `proxies` and ranks each: the whole `lts rank` pipeline.
  public static func run(_ benchmark: any RankingBenchmark, data: BenchmarkData, proxies: [any Proxy],
                         context: ProxyContext, settings: RankSettings = RankSettings(),
                         progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }) throws -> [ProxyRanking] {
    var context = context
    if context.population.isEmpty { context.population = data.records.map(\.config) }
    let scores = try score(data.records, benchmark: benchmark.name, proxies: proxies, context: context, progress: progress)
    let truth = data.records.map(\.target)
    let groups = data.records.map { benchmark.groupKey($0) }
    return scores.map { rank($0, truth: truth, lowerIsBetter: benchmark.lowerIsBetter, groups: groups, settings: settings) }
  }
}

// MARK: - Rendering

/// Text and JSON forms of rank results.
public enum RankReport {
  /// The sign-convention sentence printed above the table.
  public static func signConvention(_ b: any RankingBenchmark) -> String {
    b.lowerIsBetter
      ? "ground truth: \(b.targetDescription), lower is better; correlations are with −target, so a good proxy is positive"
      : "ground truth: \(b.targetDescription), higher is better; a good proxy is positive"
  }

  static func f(_ v: Double?, _ digits: Int = 3) -> String {
    guard let v else { return "–" }
    return String(format: "%.\(digits)f", v)
  }

  static func interval(_ i: RankStats.Interval?) -> String {
    guard let i else { return "" }
    return "[\(f(i.lower, 2)), \(f(i.upper, 2))]"
  }

  static func pad(_ s: String, _ w: Int, right: Bool = false) -> String {
    let n = s.count
    guard n < w else { return s }
    let fill = String(repeating: " ", count: w - n)
    return right ? fill + s : s + fill
  }

  /// Seconds as a short human figure (µs, ms or s).
  public static func duration(_ s: Double) -> String {
    if s < 1e-3 { return String(format: "%.1f µs", s * 1e6) }
    if s < 1 { return String(format: "%.1f ms", s * 1e3) }
    return String(format: "%.2f s", s)
  }

  /// The table of `lts rank`, with its header lines (benchmark, records, exclusions, sign
  /// convention) and, when the benchmark has groups, the within-group Spearman per proxy.
  public static func text(benchmark: any RankingBenchmark, path: String, data: BenchmarkData, rankings: [ProxyRanking],
                          settings: RankSettings) -> String {
    var out: [String] = []
    out.append("benchmark  \(benchmark.name) (\(path))")
    if let note = data.note { out.append("           \(note)") }
    var recs = "records    \(data.records.count) scored"
    if !data.excluded.isEmpty {
      var byReason: [String: Int] = [:]
      for e in data.excluded { byReason[e.reason, default: 0] += 1 }
      let top = byReason.sorted { $0.value > $1.value }.prefix(3).map { "\($0.value)× \($0.key)" }.joined(separator: "; ")
      recs += ", \(data.excluded.count) excluded by the loader (\(top))"
    }
    out.append(recs)
    out.append("sign       \(signConvention(benchmark))")
    out.append("           (a proxy marked (−) predicts better models by smaller values and is negated)")
    let pct = Int((settings.topFraction * 100).rounded())
    let ciNote = settings.bootstrap > 0
      ? "\(Int(settings.level * 100))% CIs: percentile bootstrap, \(settings.bootstrap) paired resamples, seed \(settings.seed)"
      : "no confidence intervals (--bootstrap 0)"
    out.append("           \(ciNote)")
    out.append("")
    let ciHead = settings.bootstrap > 0 ? " [\(Int(settings.level * 100))% CI]" : ""
    let cols = ["proxy", "n", "Spearman ρ" + ciHead, "Kendall τ" + ciHead, "top-\(pct)%" + ciHead, "undef", "time/arch"]
    func cell(_ v: Double?, _ i: RankStats.Interval?, _ digits: Int = 3) -> String {
      settings.bootstrap > 0 ? f(v, digits) + " " + pad(interval(i), 14, right: true) : f(v, digits)
    }
    let body = rankings.map { r in
      [r.higherIsBetter ? r.proxy : r.proxy + " (−)", "\(r.n)", cell(r.spearman, r.spearmanCI), cell(r.kendall, r.kendallCI),
       cell(r.topkOverlap, r.topkCI, 2), "\(r.undefined)", duration(r.secondsPerArch)]
    }
    let widths = cols.indices.map { i in ([cols] + body).map { $0[i].count }.max() ?? 0 }
    func row(_ cells: [String]) -> String {
      zip(cells.indices, cells).map { i, c in pad(c, widths[i], right: i > 0) }.joined(separator: "  ")
    }
    out.append(row(cols))
    out.append(String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1)))
    for b in body { out.append(row(b)) }
    for r in rankings where r.undefined > 0 {
      let why = r.undefinedReasons.sorted { $0.value > $1.value }.prefix(3).map { "\($0.value)× \($0.key)" }.joined(separator: "; ")
      out.append("  \(r.proxy): \(r.undefined) undefined, excluded (\(why))")
    }
    if rankings.contains(where: { !$0.groups.isEmpty }) {
      out.append("")
      out.append("Spearman ρ within each \(benchmark.groupDescription):")
      let keys = Array(Set(rankings.flatMap { $0.groups.map(\.key) })).sorted()
      let kw = max(10, keys.map(\.count).max() ?? 0)
      let pw = max(14, rankings.map { $0.proxy.count + 2 }.max() ?? 0)
      out.append(pad("proxy", pw) + " " + keys.map { pad($0, kw, right: true) }.joined(separator: " ") + " " + pad("mean", 8, right: true))
      for r in rankings {
        let byKey = Dictionary(uniqueKeysWithValues: r.groups.map { ($0.key, $0) })
        let cells = keys.map { k in pad(byKey[k].map { "\(f($0.spearman)) (\($0.n))" } ?? "–", kw, right: true) }
        out.append(pad(r.proxy, pw) + " " + cells.joined(separator: " ") + " " + pad(f(r.meanGroupSpearman), 8, right: true))
      }
    }
    return out.joined(separator: "\n")
  }

  /// One JSON object (one line) per proxy: `proxy`, `spearman`, `kendall`, `topk_overlap`, `n`, the
  /// intervals as `[lower, upper]` (`spearman_ci`, `kendall_ci`, `topk_overlap_ci`), `undefined`,
  /// `excluded_by_loader`, `seconds_per_arch`, `higher_is_better`, `benchmark`, `top_fraction`, and
  /// for grouped benchmarks `groups` (key → {n, spearman}) and `mean_group_spearman`. Undefined
  /// statistics are `null`.
  public static func json(benchmark: any RankingBenchmark, data: BenchmarkData, ranking r: ProxyRanking) -> String {
    var o = JSONLine()
    o["proxy"] = .string(r.proxy)
    o["benchmark"] = .string(benchmark.name)
    o["n"] = .int(r.n)
    o["spearman"] = .number(r.spearman)
    o["kendall"] = .number(r.kendall)
    o["topk_overlap"] = .number(r.topkOverlap)
    o["top_fraction"] = .number(r.topFraction)
    func ci(_ i: RankStats.Interval?) -> JSONLine.Value {
      i.map { .raw("[\(JSONLine.format($0.lower)), \(JSONLine.format($0.upper))]") } ?? .null
    }
    o["spearman_ci"] = ci(r.spearmanCI)
    o["kendall_ci"] = ci(r.kendallCI)
    o["topk_overlap_ci"] = ci(r.topkCI)
    o["undefined"] = .int(r.undefined)
    o["excluded_by_loader"] = .int(data.excluded.count)
    o["seconds_per_arch"] = .number(r.secondsPerArch)
    o["higher_is_better"] = .bool(r.higherIsBetter)
    if !r.groups.isEmpty {
      var g = JSONLine()
      for x in r.groups {
        var e = JSONLine()
        e["n"] = .int(x.n)
        e["spearman"] = .number(x.spearman)
        g[x.key] = .raw(e.text)
      }
      o["groups"] = .raw(g.text)
      o["mean_group_spearman"] = .number(r.meanGroupSpearman)
    }
    return o.text
  }
}

/// A JSON object written with its keys in insertion order (for JSONL output a person reads).
public struct JSONLine: Sendable {
  public enum Value: Sendable {
    case string(String), int(Int), number(Double?), bool(Bool), null
    /// Already-encoded JSON.
    case raw(String)
  }

  public private(set) var keys: [String] = []
  var values: [String: Value] = [:]

  public init() {}

  public subscript(key: String) -> Value? {
    get { values[key] }
    set {
      if values[key] == nil { keys.append(key) }
      values[key] = newValue
      if newValue == nil { keys.removeAll { $0 == key } }
    }
  }

  /// A double as JSON: integral values below 2⁵³ without a fraction, others in Swift's shortest
  /// round-trip form; non-finite values as `null`.
  public static func format(_ v: Double) -> String {
    guard v.isFinite else { return "null" }
    if v == v.rounded(), abs(v) < 9.007_199_254_740_992e15 { return String(Int64(v)) }
    return "\(v)"
  }

  /// A JSON string literal.
  public static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
      default: out.unicodeScalars.append(u)
      }
    }
    return out + "\""
  }

  /// The object on one line.
  public var text: String {
    let parts = keys.map { k -> String in
      let v: String
      switch values[k]! {
      case let .string(s): v = Self.quote(s)
      case let .int(i): v = String(i)
      case let .number(d): v = d.map(Self.format) ?? "null"
      case let .bool(b): v = b ? "true" : "false"
      case .null: v = "null"
      case let .raw(r): v = r
      }
      return "\(Self.quote(k)): \(v)"
    }
    return "{" + parts.joined(separator: ", ") + "}"
  }
}
