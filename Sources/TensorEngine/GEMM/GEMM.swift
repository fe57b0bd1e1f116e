import Foundation

/// Which implementation runs `GEMM.sgemm`.
public enum GEMMBackend: String, Sendable, CaseIterable {
  /// LiteSearch's own packed, SIMD, multi-threaded kernel (always available).
  case native
  /// OpenBLAS (or Accelerate) loaded at run time with `dlopen`; never required.
  case openblas
}

/// Single-precision general matrix multiply, row-major:
/// `C[m×n] = alpha · op(A)[m×k] · op(B)[k×n] + beta · C`, where `op(X)` is X or Xᵀ.
///
/// Leading dimensions are row strides of the stored (untransposed) arrays: A is stored m×k
/// (lda ≥ k) or, when `transA`, k×m (lda ≥ m); likewise B.
public enum GEMM {
  nonisolated(unsafe) private static var _backend: GEMMBackend = {
    if let s = ProcessInfo.processInfo.environment["LTS_BLAS"]?.lowercased(), s == "openblas" || s == "accelerate" {
      return BLAS.shared != nil ? .openblas : .native
    }
    return .native
  }()

  /// The backend in use (`LTS_BLAS=openblas` selects OpenBLAS when it can be loaded).
  public static var backend: GEMMBackend {
    get { _backend }
    set { _backend = (newValue == .openblas && BLAS.shared == nil) ? .native : newValue }
  }

  public static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                           a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                           beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int? = nil,
                           bOwner: Storage? = nil) {
    if m == 0 || n == 0 { return }
    // OpenBLAS has one process-wide thread count, so a call limited to fewer threads than the
    // engine's (e.g. attention's per-head `threads: 1` inside the pool) runs natively instead
    // of oversubscribing the cores.
    if backend == .openblas, threads.map({ $0 >= Engine.threads }) ?? true, let blas = BLAS.shared {
      blas.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                 b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    NativeGEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                     b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads ?? Engine.threads, bOwner: bOwner)
  }

  /// The naive triple loop (double accumulation): the reference every fast path is checked against.
  public static func reference(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                               a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                               beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    for i in 0..<m {
      for j in 0..<n {
        var s = 0.0
        for p in 0..<k {
          let av = transA ? a[p * lda + i] : a[i * lda + p]
          let bv = transB ? b[j * ldb + p] : b[p * ldb + j]
          s += Double(av) * Double(bv)
        }
        let prev = beta == 0 ? 0 : beta * c[i * ldc + j]
        c[i * ldc + j] = alpha * Float(s) + prev
      }
    }
  }
}
