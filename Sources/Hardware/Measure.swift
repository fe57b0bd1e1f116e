import Foundation
import Models
import SearchSpaces
import TensorEngine

/// How a forward pass is measured (DESIGN.md, "Hardware cost").
public struct MeasureOptions: Codable, Sendable, Equatable {
  public var batch = 1
  public var seqLen = 192
  /// Threads the kernels may use (LTS measured on one).
  public var threads = Engine.threads
  /// Untimed runs before timing (caches, page faults, thread wake-up); the first also measures peak
  /// memory, so at least one untimed run always happens.
  public var warmups = 2
  /// Timed runs; the median is reported.
  public var repeats = 5

  public init() {}

  enum CodingKeys: String, CodingKey {
    case batch, seqLen = "seq_len", threads, warmups, repeats
  }

  /// Throws a readable error for impossible settings.
  public func validate() throws {
    func bad(_ f: String, _ v: Int, _ r: String) -> ConfigError { ConfigError(field: f, value: "\(v)", rule: r) }
    if batch < 1 { throw bad("batch", batch, "must be ≥ 1") }
    if seqLen < 1 { throw bad("seq_len", seqLen, "must be ≥ 1") }
    if threads < 1 { throw bad("threads", threads, "must be ≥ 1") }
    if warmups < 0 { throw bad("warmups", warmups, "must be ≥ 0") }
    if repeats < 1 { throw bad("repeats", repeats, "must be ≥ 1") }
  }
}

/// One candidate's measured cost. JSON keys are those of `lts measure --json`.
public struct Measurement: Codable, Sendable, Equatable {
  /// Median wall time of one forward pass, ms.
  public var latencyMs: Double
  /// Interquartile range of the timed runs, ms.
  public var latencySpreadMs: Double
  public var latencyMinMs: Double
  public var latencyMaxMs: Double
  /// High-water mark of live tensor bytes during the forward pass, above the parameters, MiB.
  public var peakMemoryMB: Double
  /// Bytes held by the parameters, MiB (reported separately).
  public var paramMemoryMB: Double
  /// Resident set size of the process after the runs, MiB.
  public var rssMB: Double
  public var threads: Int
  public var seqLen: Int
  public var batch: Int
  public var repeats: Int

  enum CodingKeys: String, CodingKey {
    case latencyMs = "latency_ms", latencySpreadMs = "latency_spread_ms", latencyMinMs = "latency_min_ms"
    case latencyMaxMs = "latency_max_ms", peakMemoryMB = "peak_memory_mb", paramMemoryMB = "param_memory_mb"
    case rssMB = "rss_mb", threads, seqLen = "seq_len", batch, repeats
  }
}

/// Anything that can put a cost on a config: this machine, or a command run elsewhere.
public protocol CostMeasurer: Sendable {
  func measure(_ config: any ArchitectureConfig, options: MeasureOptions) throws -> Measurement
}

/// Measures on this machine: builds the model, then times its inference forward pass and reads the
/// engine's allocation high-water mark.
public struct LocalMeasurer: CostMeasurer {
  public var seed: UInt64
  public init(seed: UInt64 = 0) { self.seed = seed }

  public func measure(_ config: any ArchitectureConfig, options: MeasureOptions) throws -> Measurement {
    let model = try ModelRegistry.build(config, seed: seed)
    return try Self.measure(model: model, options: options)
  }

  /// Times `model.measurementForward` and records its peak live tensor bytes.
  public static func measure(model: any LanguageModel, options: MeasureOptions) throws -> Measurement {
    try options.validate()
    let savedThreads = Engine.threads
    Engine.threads = options.threads
    defer { Engine.threads = savedThreads }
    // Peak memory: exact, from the allocator (the output is live at the end and counts). The first
    // run measures it (it is the same on every run), doubling as a warm-up.
    let (_, peak) = try MemoryTracker.measurePeak { try model.measurementForward(batch: options.batch, seqLen: options.seqLen) }
    for _ in 1..<max(options.warmups, 1) { _ = try model.measurementForward(batch: options.batch, seqLen: options.seqLen) }
    var times: [Double] = []
    for _ in 0..<options.repeats {
      let t0 = DispatchTime.now().uptimeNanoseconds
      _ = try model.measurementForward(batch: options.batch, seqLen: options.seqLen)
      times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
    }
    times.sort()
    let mib = 1024.0 * 1024.0
    return Measurement(latencyMs: quantile(times, 0.5), latencySpreadMs: quantile(times, 0.75) - quantile(times, 0.25),
                       latencyMinMs: times.first!, latencyMaxMs: times.last!,
                       peakMemoryMB: Double(peak) / mib, paramMemoryMB: Double(model.parameterBytes) / mib,
                       rssMB: ProcessMemory.residentMB(), threads: options.threads, seqLen: options.seqLen,
                       batch: options.batch, repeats: options.repeats)
  }
}

/// Linear-interpolated quantile of sorted values.
public func quantile(_ sorted: [Double], _ q: Double) -> Double {
  guard !sorted.isEmpty else { return .nan }
  let pos = q * Double(sorted.count - 1)
  let lo = Int(pos.rounded(.down)), hi = min(lo + 1, sorted.count - 1)
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - Double(lo))
}

/// Process memory as the OS sees it.
public enum ProcessMemory {
  /// Current resident set size in MiB (Linux: /proc/self/status VmRSS; elsewhere 0).
  public static func residentMB() -> Double { field("VmRSS") }
  /// Peak resident set size in MiB (VmHWM).
  public static func peakResidentMB() -> Double { field("VmHWM") }

  static func field(_ name: String) -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in s.split(separator: "\n") where line.hasPrefix(name + ":") {
      let kb = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
      return kb / 1024
    }
    return 0
  }
}
