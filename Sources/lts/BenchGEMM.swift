import ArgumentParser
import Foundation
import TensorEngine

/// `lts bench gemm`: the native SGEMM beside OpenBLAS (loaded with dlopen), same run, same threads.
///
/// For each thread count (1, then all cores or `--threads`) and each shape it prints our GFLOPS,
/// OpenBLAS's GFLOPS, their ratio and the largest relative difference of the two results. Each
/// figure is the best of `--repeats` samples; each sample repeats the call until it lasts ≥ 20 ms.
/// Our samples and OpenBLAS's alternate, with a pause after OpenBLAS so its spinning worker
/// threads have gone to sleep before our next sample.
struct BenchGEMM: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "gemm",
    abstract: "GFLOPS of the native SGEMM beside OpenBLAS (same run, same threads), and their ratio.")

  @Option(help: "Threads for the multi-threaded table (default: LTS_THREADS or all cores).")
  var threads: Int?

  @Option(help: "Timed samples per figure (the best is reported).")
  var repeats: Int = 5

  @Flag(help: "Only the multi-threaded table.")
  var skipSingle = false

  @Flag(help: """
    Time the 1-thread table by the calling thread's CPU time instead of wall time (steadier on a \
    busy machine; both libraries run on the calling thread there).
    """)
  var cpuTime = false

  func validate() throws {
    if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1 (got \(t))") }
    if repeats < 1 { throw ValidationError("--repeats must be ≥ 1 (got \(repeats))") }
  }

  /// A benchmarked product C[m×n] = A[m×k]·B[k×n].
  struct Shape {
    let name: String
    let m, n, k: Int
  }

  static let shapes: [Shape] = [256, 512, 1024, 2048].map { Shape(name: "\($0)³", m: $0, n: $0, k: $0) }
    + [512, 1024].flatMap { d in [
      Shape(name: "[192×\(d)]·[\(d)×\(4 * d)]", m: 192, n: 4 * d, k: d),
      Shape(name: "[192×\(4 * d)]·[\(4 * d)×\(d)]", m: 192, n: d, k: 4 * d),
    ] }

  func run() throws {
    let all = threads ?? Engine.threads
    if all > Engine.threads { Engine.threads = all }
    let blas = BLAS.shared
    let saved = GEMM.backend
    GEMM.backend = .native
    defer { GEMM.backend = saved }
    print("lts bench gemm: C = A·B, row-major Float32, beta = 0; best of \(repeats) samples (≥ 20 ms each).")
    print("cores: \(Engine.coreCount); ours: native (packed panels, 12×32 SIMD16 register tile)")
    if let blas {
      print("OpenBLAS: \(blas.path) (thread count set per table)")
    } else {
      print("OpenBLAS: not found (tried \(BLAS.candidates.joined(separator: ", "))); ours alone.")
    }
    let counts = skipSingle ? [all] : (all == 1 ? [1] : [1, all])
    for t in counts {
      print("")
      print("threads = \(t)" + (cpuTime && t == 1 ? " (timed by thread CPU time)" : " (wall time)"))
      table(threads: t, blas: blas)
    }
  }

  private func table(threads t: Int, blas: BLAS?) {
    blas?.setThreadCount(t)
    var header = pad("shape", 24) + lpad("ours GFLOPS", 12)
    if blas != nil { header += lpad("OpenBLAS", 10) + lpad("ours/OB", 9) + lpad("max rel err", 13) }
    print(header)
    print(String(repeating: "-", count: header.count))
    var ratios: [Double] = []
    for s in Self.shapes {
      var rng = UInt64(s.m * 31 + s.n * 7 + s.k)
      func next() -> Float {
        rng = rng &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: rng >> 11) % 2_000_001 - 1_000_000) / 1_000_000
      }
      let a = (0..<s.m * s.k).map { _ in next() }
      let b = (0..<s.k * s.n).map { _ in next() }
      var ours = [Float](repeating: 0, count: s.m * s.n)
      var theirs = ours
      let flops = 2.0 * Double(s.m) * Double(s.n) * Double(s.k)
      var bestOurs = Double.infinity, bestTheirs = Double.infinity
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          ours.withUnsafeMutableBufferPointer { cbuf in
            theirs.withUnsafeMutableBufferPointer { tbuf in
              let pa = ap.baseAddress!, pb = bp.baseAddress!, pc = cbuf.baseAddress!, pt = tbuf.baseAddress!
              let runOurs = {
                GEMM.sgemm(transA: false, transB: false, m: s.m, n: s.n, k: s.k, alpha: 1, a: pa,
                           lda: s.k, b: pb, ldb: s.n, beta: 0, c: pc, ldc: s.n, threads: t)
              }
              let runTheirs = {
                blas?.sgemm(transA: false, transB: false, m: s.m, n: s.n, k: s.k, alpha: 1, a: pa,
                            lda: s.k, b: pb, ldb: s.n, beta: 0, c: pt, ldc: s.n)
              }
              let cpu = cpuTime && t == 1
              runOurs()
              if blas != nil { runTheirs(); pause() }
              for _ in 0..<repeats {
                // Each sample starts on warm cores: one untimed call first (after the pause the
                // vCPUs have idled, and waking them would be charged to whoever runs next).
                runOurs()
                bestOurs = min(bestOurs, Self.sample(cpu: cpu, runOurs))
                if blas != nil {
                  runTheirs()
                  bestTheirs = min(bestTheirs, Self.sample(cpu: cpu) { runTheirs() })
                  pause()
                }
              }
            }
          }
        }
      }
      var line = pad(s.name, 24) + lpad(fmt(flops / bestOurs / 1e9, 1), 12)
      if blas != nil {
        let ratio = bestTheirs / bestOurs
        ratios.append(ratio)
        line += lpad(fmt(flops / bestTheirs / 1e9, 1), 10) + lpad(fmt(ratio, 2), 9)
          + lpad(String(format: "%.1e", Self.relativeDifference(ours, theirs)), 13)
      }
      print(line)
    }
    if !ratios.isEmpty {
      let geo = exp(ratios.map { log($0) }.reduce(0, +) / Double(ratios.count))
      print("geometric mean ours/OpenBLAS: \(fmt(geo, 2)); min \(fmt(ratios.min()!, 2))")
    }
  }

  /// Nanoseconds of wall time, or of this thread's CPU time when `cpu`.
  static func clock(cpu: Bool) -> UInt64 {
    if !cpu { return DispatchTime.now().uptimeNanoseconds }
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
  }

  /// Seconds per call: the call is repeated until the sample lasts ≥ 20 ms.
  static func sample(cpu: Bool, _ body: () -> Void) -> Double {
    var iters = 0
    let start = clock(cpu: cpu)
    var elapsed: UInt64 = 0
    repeat {
      body()
      iters += 1
      elapsed = clock(cpu: cpu) - start
    } while elapsed < 20_000_000
    return Double(elapsed) / 1e9 / Double(iters)
  }

  /// max |x − y| / max |y|.
  static func relativeDifference(_ x: [Float], _ y: [Float]) -> Double {
    var d: Float = 0, s: Float = 0
    for i in x.indices { d = max(d, abs(x[i] - y[i])); s = max(s, abs(y[i])) }
    return s == 0 ? Double(d) : Double(d / s)
  }

  /// Lets OpenBLAS's worker threads stop spinning before the next native sample.
  private func pause() { usleep(150_000) }

  private func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
  private func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(0, w - s.count)) }
  private func lpad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}
