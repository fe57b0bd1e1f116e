#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// OpenBLAS / Accelerate loaded at run time with `dlopen` (never linked, never required).
public final class BLAS: @unchecked Sendable {
  private typealias SgemmFn = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float,
                                              UnsafePointer<Float>, Int32, UnsafePointer<Float>, Int32,
                                              Float, UnsafeMutablePointer<Float>, Int32) -> Void
  private typealias SetThreadsFn = @convention(c) (Int32) -> Void
  private typealias GetThreadsFn = @convention(c) () -> Int32

  private let handle: UnsafeMutableRawPointer
  private let cblasSgemm: SgemmFn
  private let setThreads: SetThreadsFn?
  private let getThreads: GetThreadsFn?
  /// The library file that was loaded.
  public let path: String

  /// The loaded library, or nil when none is installed.
  public static let shared: BLAS? = BLAS.load()

  private init(handle: UnsafeMutableRawPointer, sgemm: SgemmFn, setThreads: SetThreadsFn?,
               getThreads: GetThreadsFn?, path: String) {
    self.handle = handle
    self.cblasSgemm = sgemm
    self.setThreads = setThreads
    self.getThreads = getThreads
    self.path = path
  }

  /// Library names tried in order.
  public static let candidates = [
    "libopenblas.so.0", "libopenblas.so", "libopenblasp-r0.so", "libblas.so.3",
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  ]

  /// Opens the first candidate that exports `cblas_sgemm`, and sets its thread count to
  /// `Engine.threads`.
  static func load() -> BLAS? {
    for name in candidates {
      guard let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      guard let sym = dlsym(h, "cblas_sgemm") else { dlclose(h); continue }
      let st = dlsym(h, "openblas_set_num_threads").map { unsafeBitCast($0, to: SetThreadsFn.self) }
      let gt = dlsym(h, "openblas_get_num_threads").map { unsafeBitCast($0, to: GetThreadsFn.self) }
      // Start at the engine's thread count (LTS_THREADS / all cores), like the native kernel.
      st?(Int32(Engine.threads))
      return BLAS(handle: h, sgemm: unsafeBitCast(sym, to: SgemmFn.self), setThreads: st, getThreads: gt,
                  path: name)
    }
    return nil
  }

  /// Sets OpenBLAS's thread count (no-op for libraries without the call).
  public func setThreadCount(_ n: Int) {
    precondition(n >= 1, "BLAS.setThreadCount: n=\(n) must be ≥ 1")
    setThreads?(Int32(n))
  }

  /// True when the library exports `openblas_set_num_threads` / `openblas_get_num_threads`.
  public var hasThreadControl: Bool { setThreads != nil && getThreads != nil }

  /// OpenBLAS's current thread count (nil for libraries without the call).
  public var threadCount: Int? { getThreads.map { Int($0()) } }

  /// Row-major cblas_sgemm, same contract as `GEMM.sgemm`. Leading dimensions are raised to 1
  /// (cblas rejects 0, which callers may pass for an empty operand), and an empty C returns early.
  public func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "BLAS.sgemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112
    cblasSgemm(rowMajor, transA ? trans : noTrans, transB ? trans : noTrans, Int32(m), Int32(n), Int32(k),
               alpha, a, Int32(max(1, lda)), b, Int32(max(1, ldb)), beta, c, Int32(max(1, ldc)))
  }
}
