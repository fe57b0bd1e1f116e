import ArgumentParser
import Benchmarks
import Foundation
import Proxies
import SearchSpaces

/// `lts rank --benchmark NAME --proxies a,b,…`: how well proxies rank trained architectures.
struct RankCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rank",
    abstract: "Rank a public benchmark of trained architectures with proxies: Spearman ρ, Kendall τ, top-k overlap.",
    discussion: """
      Loads the benchmark (default: <shared data root>/<its folder>; the root is LTS_DATA or ../shared/data), \
      scores every record with each proxy and compares the proxy's ranking with the ground truth. \
      Correlations are oriented so that a good proxy is positive: a lower-is-better target (perplexity, \
      loss) is negated, and so is a proxy whose smaller values predict better models. Records the loader \
      excludes (failed runs) and records on which a proxy is undefined are counted, reported and left out. \
      Confidence intervals are percentile bootstraps over records. Benchmarks with groups (FlexiBERT's \
      hidden size × depth) also get the Spearman ρ within each group and their mean.
      Benchmarks: \(BenchmarkRegistry.all.keys.sorted().joined(separator: ", ")).
      """)

  @Option(help: "Benchmark name.")
  var benchmark: String
  @Option(help: ArgumentHelp("The benchmark's folder or file (default: <data root>/<benchmark folder>).", valueName: "path"))
  var path: String?
  @OptionGroup var proxyRun: ProxyRunOptions
  @Flag(help: "Print one JSON object per proxy instead of the table.")
  var json = false
  @Option(help: "Bootstrap resamples for the 95% confidence intervals (0: none).")
  var bootstrap = 1000
  @Option(help: ArgumentHelp("Fraction of the best architectures for the top-k overlap.", valueName: "fraction"))
  var top = 0.1
  @Option(help: ArgumentHelp("How the benchmark's records are read (benchmark-specific, e.g. FlexiBERT described|as-trained).",
                             valueName: "reading"))
  var reading: String?

  func validate() throws {
    guard bootstrap >= 0 else { throw ValidationError("--bootstrap must be ≥ 0 (got \(bootstrap))") }
    guard top > 0, top <= 1 else { throw ValidationError("--top must be in (0, 1] (got \(top))") }
  }

  func run() throws {
    let bench = try userFacing { try BenchmarkRegistry.get(benchmark) }
    let proxies = try userFacing { try proxyRun.resolvedProxies() }
    let where_ = path ?? (BenchmarkRegistry.defaultDataRoot() as NSString).appendingPathComponent(bench.defaultFolder)
    var loadOptions: [String: String] = [:]
    if let r = reading { loadOptions["reading"] = r }
    let data = try userFacing { try bench.load(path: where_, options: loadOptions) }
    guard !data.records.isEmpty else {
      printErr("error: \(where_): no usable records (\(data.excluded.count) excluded)")
      throw ExitCode(2)
    }
    for p in proxies {
      if let r = data.records.first(where: { !p.supports(backbone: $0.config.backbone) }) {
        printErr("error: \(bench.name): record \(r.id): backbone = \(r.config.backbone): proxy \(p.name) does not support it")
        throw ExitCode(2)
      }
    }
    let ctx = try proxyRun.context(defaults: bench.defaultProxyOptions)
    let settings = RankSettings(bootstrap: bootstrap, seed: proxyRun.seed, topFraction: top)
    let progress = StderrProgress("rank", total: data.records.count * proxies.count)
    let rankings = try userFacing {
      try RankRunner.run(bench, data: data, proxies: proxies, context: ctx, settings: settings) { done, _ in progress.update(done) }
    }
    if json {
      for r in rankings { print(RankReport.json(benchmark: bench, data: data, ranking: r)) }
    } else {
      print(RankReport.text(benchmark: bench, path: where_, data: data, rankings: rankings, settings: settings))
    }
  }
}
