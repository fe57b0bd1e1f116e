import ArgumentParser
import Reports
import Benchmarks
import Foundation
import Proxies
import SearchSpaces
import TensorEngine

/// One row of `lts bench proxies`: a proxy with options, timed on sample configs, beside its
/// reference figure. Add a row by appending to `BenchProxies.cases`.
struct ProxyBenchCase {
  /// Registry name of the proxy.
  var proxy: String
  /// Per-proxy options (as `--option k=v` would set them).
  var options: [String: String] = [:]
  /// What the sample configs are (shown in the table).
  var configLabel: String
  /// The sample configs (loaded lazily; `dataRoot` is the shared data root).
  var configs: (_ dataRoot: String) throws -> [any ArchitectureConfig]
  /// The reference to compare with, e.g. "PyTorch 0.73–0.84 s (3 layers)".
  var reference: String
  /// The target in seconds per architecture, if any (the verdict column).
  var targetSeconds: Double? = nil
  /// When set (`forward` | `backward`), the same recurrent cells are also timed in PyTorch in this
  /// run (`PyTorchRecurrentReference`), and the ratio is printed.
  var torchMode: String? = nil
}

/// `lts bench proxies`: wall time per architecture of the registered proxies on sample configs.
struct BenchProxies: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "proxies",
    abstract: "Seconds per architecture of each proxy on sample configs, beside its reference and target.",
    discussion: """
      Each row runs one proxy (with the options shown) on its sample configs: one untimed warm-up \
      (it loads corpora), then every config `--repeats` times; the median and the maximum of the \
      per-architecture wall times are reported, with the median CPU time of the process (all threads), \
      which other processes on a busy machine do not inflate. The target verdict is on the median \
      wall time. Rows are the table `BenchProxies.cases`.
      """)

  @Option(help: "Threads (default: LTS_THREADS or all cores).")
  var threads: Int?
  @Option(help: "Timed runs per config.")
  var repeats = 3
  @Option(help: ArgumentHelp("Only these proxies (comma-separated).", valueName: "a,b,…"))
  var proxies: String?
  @Option(help: ArgumentHelp("The shared data root (holding nasbench_nlp/ and corpora/).", valueName: "dir"))
  var dataRoot: String?

  /// NAS-Bench-NLP cells: RNN, LSTM, GRU (ids 1000000–1000002) and the runs with the most and the
  /// fewest linear nodes, from the benchmark table.
  static func nasBenchCells(_ root: String) throws -> [any ArchitectureConfig] {
    let folder = (root as NSString).appendingPathComponent(NASBenchNLPBenchmark().defaultFolder)
    let records = try NASBenchNLPBenchmark().load(path: folder).records
    let named = records.filter { ["1000000_", "1000001_", "1000002_"].contains(where: $0.id.hasPrefix) }
    let byNodes = records.sorted { ($0.config as! RecurrentConfig).linearNodeCount < ($1.config as! RecurrentConfig).linearNodeCount }
    return (named + [byNodes.first!, byNodes.last!]).map(\.config)
  }


  /// The rows, in order.
  nonisolated(unsafe) static var cases: [ProxyBenchCase] = [
    ProxyBenchCase(proxy: "hidden-cov", options: ["layer": "1"], configLabel: "NAS-Bench-NLP RNN, LSTM, GRU, min/max linear nodes",
                   configs: nasBenchCells, reference: "PyTorch: build + 3-layer forward", targetSeconds: 0.5, torchMode: "forward"),
    ProxyBenchCase(proxy: "hidden-cov", options: ["layers": "1,2,3"], configLabel: "same 5 cells, all three layers",
                   configs: nasBenchCells, reference: "PyTorch: build + 3-layer forward", torchMode: "forward"),
    ProxyBenchCase(proxy: "hidden-cov", options: ["layer": "1", "no_step0": "true"], configLabel: "same 5 cells",
                   configs: nasBenchCells, reference: "label-free variant (docs/hidden-cov.md)", targetSeconds: 0.5),
    ProxyBenchCase(proxy: "jacob-cov", configLabel: "same 5 cells (forward + backward, 3 layers)",
                   configs: nasBenchCells, reference: "PyTorch: build + forward + backward(ones)", torchMode: "backward"),
    ProxyBenchCase(proxy: "params", configLabel: "same 5 cells", configs: nasBenchCells, reference: "closed form"),
    ProxyBenchCase(proxy: "linear-nodes", configLabel: "same 5 cells", configs: nasBenchCells, reference: "closed form"),
    ProxyBenchCase(proxy: "zerolm", options: ["alpha-space": "flexibert-as-trained"], configLabel: "8 FlexiBERT encoders sampled from the benchmark space, as-trained",
                   configs: { _ in var r = SplitMix64(seed: 0); return (0..<8).map { _ in FlexiBERTConfig.sampleBenchmarkSpace(using: &r).asTrained } },
                   reference: "issue 10 target (docs/zerolm.md)", targetSeconds: 0.2),
  ]

  func run() throws {
    if let t = threads {
      guard t >= 1 else { throw ValidationError("--threads must be ≥ 1 (got \(t))") }
      Engine.threads = t
    }
    guard repeats >= 1 else { throw ValidationError("--repeats must be ≥ 1 (got \(repeats))") }
    let only = proxies.map { Set($0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }) }
    let root = dataRoot ?? BenchmarkRegistry.defaultDataRoot()
    print("Proxy wall time per architecture: median and max over configs × \(repeats) runs, after one warm-up")
    print("threads: \(Engine.threads) of \(Engine.coreCount) cores; GEMM: \(GEMM.backend.rawValue); " +
          "eigensolver: \(SymmetricEigen.backend.rawValue)\(SymmetricEigen.lapackPath.map { " (\($0))" } ?? "")")
    var rows: [[String]] = []
    var torchTimes: [String: (seconds: [Double]?, note: String)] = [:]
    for c in Self.cases where only?.contains(c.proxy) ?? true {
      let proxy = try userFacing { try ProxyRegistry.get(c.proxy) }
      let configs = try userFacing { try c.configs(root) }
      var ctx = ProxyContext(seed: 0)
      ctx.dataRoot = root
      ctx.options = c.options
      _ = try userFacing { try proxy.score(configs[0], context: ctx) }
      var times: [Double] = [], cpu: [Double] = []
      for cfg in configs {
        for _ in 0..<repeats {
          let c0 = Self.processCPUSeconds()
          times.append(try userFacing { try proxy.score(cfg, context: ctx) }.seconds)
          cpu.append(Self.processCPUSeconds() - c0)
        }
      }
      times.sort()
      cpu.sort()
      let median = times[times.count / 2], worst = times.last!
      let opts = c.options.keys.sorted().map { "\($0)=\(c.options[$0]!)" }.joined(separator: " ")
      let verdict = c.targetSeconds.map { median <= $0 ? "median ≤ \(Self.seconds($0)) ok" : "median > \(Self.seconds($0)) SLOW" } ?? "—"
      var reference = c.reference, ratio = "—"
      if let mode = c.torchMode {
        if torchTimes[mode] == nil {
          let cells = configs.compactMap { $0 as? RecurrentConfig }
          torchTimes[mode] = PyTorchRecurrentReference.time(cells, vocabulary: cells.first?.resolvedVocabulary() ?? 33_278, steps: 70, streams: 50, mode: mode,
                                                            threads: Engine.threads, repeats: repeats)
        }
        let (secs, note) = torchTimes[mode]!
        if let secs, !secs.isEmpty {
          let ref = secs.sorted()[secs.count / 2]
          reference += " \(Self.seconds(ref))"
          ratio = String(format: "%.2f×", median / ref)
        } else {
          reference += " (\(note))"
        }
      }
      rows.append([c.proxy, opts.isEmpty ? "—" : opts, c.configLabel, Self.seconds(median), Self.seconds(worst),
                   Self.seconds(cpu[cpu.count / 2]), reference, ratio, verdict])
    }
    print(TerminalTable.render(columns: ["proxy", "options", "configs", "median", "max", "cpu median", "reference (median)", "ours/ref", "target"],
                               rows: rows), terminator: "")
    // This process keeps `Engine.threads` cores busy itself; more than one core's worth beyond
    // that means other processes were running.
    if let load = Self.loadAverage(), load > Double(Engine.threads) + 1 {
      print("note: load average \(String(format: "%.1f", load)) on \(Engine.coreCount) cores when finished: other processes shared the CPU, " +
            "so wall times are inflated; 'cpu median' (CPU seconds of this process, all threads) is the contention-free figure")
    }
  }

  /// CPU seconds used by this process so far (all threads).
  static func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  /// The 1-minute load average (Linux `/proc/loadavg`), if readable.
  static func loadAverage() -> Double? {
    guard let s = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return s.split(separator: " ").first.flatMap { Double($0) }
  }

  static func seconds(_ s: Double) -> String {
    s >= 0.1 ? String(format: "%.3f s", s) : s >= 1e-4 ? String(format: "%.2f ms", s * 1e3) : String(format: "%.1f µs", s * 1e6)
  }
}
