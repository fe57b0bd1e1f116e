import ArgumentParser
import Foundation
import Hardware
import Proxies
import Reports
import Search
import SearchSpaces
import TensorEngine

/// `lts search`: the LTS evolutionary search on this machine (or on a device reached by a command).
struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "search",
    abstract: "Search a GPT-2 space for the Pareto front of proxy ↑, real latency ↓ and real peak memory ↓.",
    discussion: """
      With no arguments: the LTS GPT-2 space, the LTS evolutionary algorithm with a population scaled to \
      finish in about two minutes on 2 cores (--time-budget 100), every candidate really built and measured \
      on this machine. The paper's settings are --population 100 --parents 20 --mutations 40 \
      --crossovers 40 --iterations 30 --time-budget 0.

      Every evaluated candidate is appended to DIR/candidates.jsonl at once and the state is checkpointed \
      after each iteration; Ctrl-C stops after the current candidate, and `lts search --resume DIR` \
      continues a stopped or killed search without re-measuring anything. Results: DIR/pareto.json, \
      DIR/frontier/ (native and Hugging Face configs) and DIR/report.html.
      """)

  // Space and algorithm
  @Option(help: "Search space file (JSON or YAML; default: the built-in LTS GPT-2 space).")
  var space: String?
  @Option(help: "evolution (LTS), random, or nsga2.")
  var algorithm: SearchAlgorithm = .evolution
  @Option(help: "Proxy to maximise (see `lts score --help`).")
  var proxy = "decoder-params"

  // Budget
  @Option(help: "Iterations after the initial population (default 30).")
  var iterations: Int?
  @Option(help: "Wall-clock seconds of evaluation in this run, 0 = no limit (default 100).")
  var timeBudget: Double?
  @Option(help: "Stop after this many evaluated candidates.")
  var maxCandidates: Int?

  // Evolution
  @Option(help: "Initial population (and random-search batch / NSGA-II population).")
  var population = 25
  @Option(help: "Parents drawn from the Pareto front per iteration.")
  var parents = 5
  @Option(help: "Mutated children per iteration.")
  var mutations = 10
  @Option(help: "Crossover children per iteration.")
  var crossovers = 10
  @Option(help: "Per-gene resampling probability of a mutation.")
  var mutationProb = 0.3
  @Option(help: "Per-gene probability of the second parent's gene in a crossover.")
  var crossoverProb = 0.5

  // Constraints
  @Option(help: "Largest acceptable latency, ms.")
  var maxLatency: Double?
  @Option(help: "Largest acceptable peak memory (parameters + activations), MiB.")
  var maxMemory: Double?

  // Measurement
  @Option(help: "Measure with this shell command instead of locally; {config} is replaced by a config file path; it must print `lts measure --json` output.")
  var measureCommand: String?
  @Option(help: "Sequence length of the measured forward pass.")
  var seqLen = 192
  @Option(help: "Batch size of the measured forward pass.")
  var batch = 1
  @Option(help: "Untimed warm-up runs per candidate.")
  var warmups = 1
  @Option(help: "Timed runs per candidate (median).")
  var repeats = 3
  @OptionGroup var engine: EngineOptions

  // Run
  @Option(help: "Seed of the search (same seed and same measurements → same candidates).")
  var seed: UInt64 = 42
  @Option(name: [.short, .customLong("output")], help: "Output directory (default: runs/lts-<time>).")
  var output: String?
  @Option(help: "Continue the search saved in this directory.")
  var resume: String?
  @Flag(help: "Allow a fresh search to replace an earlier one in --output.")
  var overwrite = false

  func validate() throws {
    if population < 1 { throw ValidationError("--population must be ≥ 1") }
    if let t = timeBudget, t < 0 { throw ValidationError("--time-budget must be ≥ 0") }
    if let i = iterations, i < 0 { throw ValidationError("--iterations must be ≥ 0") }
    if let m = maxLatency, !(m > 0) { throw ValidationError("--max-latency must be > 0 ms") }
    if let m = maxMemory, !(m > 0) { throw ValidationError("--max-memory must be > 0 MiB") }
    if resume != nil && output != nil { throw ValidationError("use either --resume DIR or --output DIR, not both") }
  }

  static let objectiveNames = (latency: "latency_ms", memory: "memory_mb")

  func run() throws {
    engine.apply()
    StopSignal.install()
    let t0 = Date()
    // Everything that can be wrong with the inputs is checked before any work or any file.
    // A resumed search measures exactly as it started: its space and run settings are read back.
    let saved: RunSettings? = try resume.map { dir in try userFacing { try RunSettings.load(directory: dir) } }
    let spacePath = saved.map { ($0.directory as NSString).appendingPathComponent("space.yaml") } ?? self.space
    let space = try userFacing { try spacePath.map { try GPT2Space.load(path: $0) } ?? GPT2Space.lts }
    let runSettings = saved ?? RunSettings(directory: "", proxy: self.proxy, seqLen: seqLen, batch: batch, warmups: warmups,
                                   repeats: repeats, threads: engine.threads ?? Engine.threads, measureCommand: measureCommand)
    if saved != nil { Engine.threads = runSettings.threads }
    let proxy = try userFacing { try ProxyRegistry.get(runSettings.proxy) }
    guard proxy.supports(backbone: GPT2Config.backbone) else {
      printErr("error: proxy \(proxy.name) cannot score gpt2 configs")
      throw ExitCode(2)
    }
    let mopt = runSettings.measureOptions
    try userFacing { try mopt.validate() }
    let measurer: any CostMeasurer = runSettings.measureCommand.map { ExternalMeasurer(command: $0) } ?? LocalMeasurer(seed: seed)

    let proxyObjective = proxy.name.replacingOccurrences(of: "-", with: "_")
    var constraints: [ObjectiveConstraint] = []
    if let m = maxLatency { constraints.append(ObjectiveConstraint(Self.objectiveNames.latency, max: m)) }
    if let m = maxMemory { constraints.append(ObjectiveConstraint(Self.objectiveNames.memory, max: m)) }
    let settings = SearchSettings(
      objectives: [Objective(proxyObjective, higherIsBetter: proxy.higherIsBetter),
                   Objective(Self.objectiveNames.latency, higherIsBetter: false),
                   Objective(Self.objectiveNames.memory, higherIsBetter: false)],
      constraints: constraints, seed: seed,
      budget: budget(iterations: iterations ?? 30, timeBudget: timeBudget ?? 100),
      populationSize: population, parents: parents, mutations: mutations, crossovers: crossovers,
      mutationProbability: mutationProb, crossoverProbability: crossoverProb)

    let context = ProxyContext(seed: seed)
    let evaluator: Evaluator<GPT2Config> = { cfg in
      let p = try proxy.score(cfg, context: context)
      guard let value = p.value else { throw ProxyError.invalidOption(proxy: proxy.name, option: "value", detail: p.undefinedReason ?? "undefined") }
      let m = try measurer.measure(cfg, options: mopt)
      return Evaluation([value, m.latencyMs, m.peakMemoryMB + m.paramMemoryMB], metadata: [
        "proxy_seconds": .double(p.seconds), "latency_spread_ms": .double(m.latencySpreadMs),
        "activation_peak_mb": .double(m.peakMemoryMB), "param_memory_mb": .double(m.paramMemoryMB),
        "rss_mb": .double(m.rssMB), "threads": .int(m.threads),
      ])
    }

    let bar = ProgressBar()
    let onEvent: (SearchEvent) -> Void = { ev in
      switch ev {
      case let .progress(p):
        let rate = p.elapsedSeconds > 0 ? Double(p.evaluatedThisRun) / p.elapsedSeconds * 60 : 0
        bar.update(fraction: p.budgetFraction,
                   text: "iteration \(p.iteration)/\(p.iterations) · \(p.evaluated) candidates · \(String(format: "%.0f", rate))/min",
                   elapsed: p.elapsedSeconds, eta: p.etaSeconds)
      case let .iterationFinished(it, n, front, _):
        if !bar.isTTY { bar.message("iteration \(it) done: \(n) candidates, front of \(front)") }
      case let .warning(w):
        bar.message("warning: \(w)")
      }
    }
    let dir = resume ?? output ?? "runs/lts-\(Self.timestamp())"
    if resume == nil {
      try userFacing { try runSettings.prepare(directory: dir, space: space, overwrite: overwrite) }
      printErr("lts search: \(algorithm.rawValue) on \(self.space ?? "the LTS GPT-2 space"), proxy \(proxy.name), \(mopt.threads) thread(s), seq \(mopt.seqLen); writing \(dir)")
    } else {
      printErr("lts search: resuming \(dir)")
    }
    let result: SearchResult = try userFacing {
      defer { bar.finish() }
      if let r = resume {
        // A resumed search keeps its saved budget unless one is given here.
        let given = iterations != nil || timeBudget != nil || maxCandidates != nil
        let saved = try SearchStore(directory: r).savedSettings().settings.budget
        let b = given ? budget(iterations: iterations ?? saved.iterations, timeBudget: timeBudget ?? saved.maxSeconds ?? 0) : nil
        return try SearchAlgorithm.resume(from: r, space: space, evaluator: evaluator,
                                         budget: b, onEvent: onEvent, shouldStop: { StopSignal.requested })
      }
      return try algorithm.run(space: space, settings: settings, evaluator: evaluator, output: dir,
                               overwrite: overwrite, onEvent: onEvent, shouldStop: { StopSignal.requested })
    }
    let artifacts = try SearchArtifacts(result: result, space: space, proxyName: proxy.name, measure: mopt,
                                        wallSeconds: Date().timeIntervalSince(t0), measureCommand: runSettings.measureCommand)
    try artifacts.writeAll()
    artifacts.printSummary()
    if StopSignal.requested || result.stopReason == .stopRequested {
      printErr("stopped; continue with: lts search --resume \(dir)")
    }
  }

  /// The measurement settings of a search, saved as DIR/run.json (beside DIR/space.yaml) before any
  /// work, so that `--resume` measures exactly as the search started.
  struct RunSettings: Codable {
    var directory: String
    var proxy: String
    var seqLen: Int
    var batch: Int
    var warmups: Int
    var repeats: Int
    var threads: Int
    var measureCommand: String?

    var measureOptions: MeasureOptions {
      var o = MeasureOptions()
      o.seqLen = seqLen
      o.batch = batch
      o.warmups = warmups
      o.repeats = repeats
      o.threads = threads
      return o
    }

    enum CodingKeys: String, CodingKey {
      case proxy, seqLen = "seq_len", batch, warmups, repeats, threads, measureCommand = "measure_command"
    }

    init(directory: String, proxy: String, seqLen: Int, batch: Int, warmups: Int, repeats: Int, threads: Int, measureCommand: String?) {
      self.directory = directory
      self.proxy = proxy
      self.seqLen = seqLen
      self.batch = batch
      self.warmups = warmups
      self.repeats = repeats
      self.threads = threads
      self.measureCommand = measureCommand
    }

    init(from decoder: Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      directory = ""
      proxy = try c.decode(String.self, forKey: .proxy)
      seqLen = try c.decode(Int.self, forKey: .seqLen)
      batch = try c.decode(Int.self, forKey: .batch)
      warmups = try c.decode(Int.self, forKey: .warmups)
      repeats = try c.decode(Int.self, forKey: .repeats)
      threads = try c.decode(Int.self, forKey: .threads)
      measureCommand = try c.decodeIfPresent(String.self, forKey: .measureCommand)
    }

    static func load(directory: String) throws -> RunSettings {
      let p = (directory as NSString).appendingPathComponent("run.json")
      guard let data = FileManager.default.contents(atPath: p) else {
        throw SearchError.noCheckpoint(path: directory)
      }
      do {
        var r = try JSONDecoder().decode(RunSettings.self, from: data)
        r.directory = directory
        return r
      } catch {
        throw SearchError.corruptCheckpoint(path: p, reason: "\(error)")
      }
    }

    /// Creates the directory and writes run.json and space.yaml; refuses a directory holding a search.
    func prepare(directory: String, space: GPT2Space, overwrite: Bool) throws {
      let fm = FileManager.default
      if !overwrite && fm.fileExists(atPath: (directory as NSString).appendingPathComponent("state.json")) {
        throw SearchError.outputNotEmpty(path: directory)
      }
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try enc.encode(self).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("run.json")), options: .atomic)
        try space.fileText.write(toFile: (directory as NSString).appendingPathComponent("space.yaml"), atomically: true, encoding: .utf8)
      } catch {
        throw SearchError.outputNotWritable(path: directory, reason: "\(error.localizedDescription)")
      }
    }
  }

  func budget(iterations: Int, timeBudget: Double) -> SearchBudget {
    SearchBudget(iterations: iterations, maxCandidates: maxCandidates, maxSeconds: timeBudget > 0 ? timeBudget : nil)
  }

  static func timestamp() -> String {
    let f = DateFormatter()
    f.dateFormat = "yyyyMMdd-HHmmss"
    f.locale = Locale(identifier: "en_US_POSIX")
    return f.string(from: Date())
  }
}

extension SearchAlgorithm: ExpressibleByArgument {}
