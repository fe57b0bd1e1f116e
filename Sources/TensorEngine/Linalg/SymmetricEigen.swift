import Foundation

/// Which implementation computes a symmetric eigen-decomposition.
public enum EigenBackend: String, Sendable, CaseIterable {
  /// LiteSearch's own Householder + implicit QL solver (always available).
  case native
  /// LAPACK `dsyevd` loaded at run time (liblapack / OpenBLAS / Accelerate); never required.
  case lapack
}

/// Float64 eigenvalues (and eigenvectors) of real symmetric matrices, and singular values.
///
/// Matrices are row-major `[Double]` of n·n values. LAPACK `dsyevd` is used when it can be loaded
/// at run time, else LiteSearch's own solver; `LTS_LAPACK=off` forces the own solver. Both are
/// tested against the same known matrices (LinalgTests).
public enum SymmetricEigen {
  nonisolated(unsafe) private static var _backend: EigenBackend = {
    let off = ["off", "0", "no", "native", "false"]
    if let s = ProcessInfo.processInfo.environment["LTS_LAPACK"]?.lowercased(), off.contains(s) { return .native }
    return LAPACK.shared != nil ? .lapack : .native
  }()

  /// The default backend: `.lapack` when loadable and not disabled by `LTS_LAPACK=off`.
  public static var backend: EigenBackend {
    get { _backend }
    set { _backend = (newValue == .lapack && LAPACK.shared == nil) ? .native : newValue }
  }

  /// Whether LAPACK could be loaded on this machine (and from which file).
  public static var lapackPath: String? { LAPACK.shared?.path }

  /// Eigenvalues of the symmetric n×n row-major matrix `a`, ascending.
  /// Throws when the size does not match or a value is NaN / infinite.
  public static func eigenvalues(of a: [Double], n: Int, backend: EigenBackend? = nil) throws -> [Double] {
    try decompose(a, n: n, vectors: false, backend: backend).values
  }

  /// Eigenvalues (ascending) and eigenvectors of the symmetric n×n row-major `a`:
  /// `vectors[i·n ..< (i+1)·n]` is the unit eigenvector of `values[i]` (a row per eigenvector).
  public static func eigen(of a: [Double], n: Int, backend: EigenBackend? = nil) throws -> (values: [Double], vectors: [Double]) {
    let r = try decompose(a, n: n, vectors: true, backend: backend)
    return (r.values, r.vectors ?? [])
  }

  static func decompose(_ a: [Double], n: Int, vectors: Bool, backend: EigenBackend?) throws -> (values: [Double], vectors: [Double]?) {
    guard n >= 0, a.count == n * n else {
      throw TensorError.invalidArgument(op: "SymmetricEigen", detail: "expected \(n)×\(n) = \(n * n) values, got \(a.count)")
    }
    if let bad = a.firstIndex(where: { !$0.isFinite }) {
      throw TensorError.nonFinite(op: "SymmetricEigen", shape: [n, n],
                                  detail: "entry (\(bad / max(n, 1)), \(bad % max(n, 1))) is \(a[bad])")
    }
    let use = backend ?? self.backend
    if use == .lapack, let lapack = LAPACK.shared {
      return try lapack.symmetricEigen(a, n: n, vectors: vectors)
    }
    return try NativeSymmetricEigen.decompose(a, n: n, vectors: vectors)
  }

  /// Singular values of the rows×cols row-major matrix `a`, largest first (min(rows, cols) of
  /// them), from the eigenvalues of the smaller Gram matrix AᵀA or AAᵀ (accumulated in float64;
  /// tiny negative eigenvalues from rounding are clamped to 0). Relative accuracy of a singular
  /// value σ is about ε·σ_max²/σ², so values far below σ_max·1e-8 are not resolved.
  public static func singularValues(of a: [Double], rows: Int, cols: Int, backend: EigenBackend? = nil) throws -> [Double] {
    guard rows >= 0, cols >= 0, a.count == rows * cols else {
      throw TensorError.invalidArgument(op: "singularValues", detail: "expected \(rows)×\(cols) = \(rows * cols) values, got \(a.count)")
    }
    let k = min(rows, cols)
    if k == 0 { return [] }
    let gram = gramMatrix(a, rows: rows, cols: cols)
    let ev = try eigenvalues(of: gram, n: k, backend: backend)
    return ev.reversed().map { max($0, 0).squareRoot() }
  }

  /// The k×k Gram matrix of the smaller side: AᵀA (cols ≤ rows) or AAᵀ, k = min(rows, cols), with
  /// the blocked SIMD kernel of `Correlation.gram` (A, or Aᵀ, read as samples × features).
  static func gramMatrix(_ a: [Double], rows: Int, cols: Int) -> [Double] {
    if cols <= rows { return Correlation.gram(a, samples: rows, features: cols) }
    var t = [Double](repeating: 0, count: a.count)
    for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = a[r * cols + c] } }
    return Correlation.gram(t, samples: cols, features: rows)
  }
}
