import Foundation
import Synchronization

/// Real discrete Fourier and cosine transforms along an axis (FNet / FlexiBERT "LT" layers).
///
/// For a length-N axis:
/// - `cosineTransform`: X_k = Σₙ xₙ cos(2πkn/N)   (real part of the DFT up to sign convention)
/// - `sineTransform`:   X_k = Σₙ xₙ sin(2πkn/N)   (so Re DFT(x)_k = C(x)_k, Im DFT(x)_k = −S(x)_k)
/// - `dct`:             X_k = Σₙ xₙ cos(π(n + ½)k/N)   (DCT-II, unnormalised)
/// - `fourierReal2D`:   Re of the 2-D DFT over two axes = C_a(C_b x) − S_a(S_b x), as in FNet.
///
/// Choice: each transform is a precomputed N×N basis matrix times the data, run on the engine's
/// GEMM. That is O(N²) per transformed vector instead of an FFT's O(N log N), but for the
/// sequence and hidden lengths used here (N ≤ ~1024) a blocked SIMD GEMM beats a scalar FFT, the
/// gradient is the same GEMM with the (transposed) basis, and any N works (no power-of-two
/// restriction). Bases are computed once per (kind, N) in double precision and cached for the
/// process; they are engine constants, not tensors, so they are not counted by `MemoryTracker`
/// (peak-memory measurements stay repeatable whether or not the cache is warm).

/// Which basis a spectral transform uses.
enum SpectralKind: Hashable, Sendable {
  case cosine, sine, dct2

  /// Basis entry B[n, k] (input index n, output index k) for length `len`.
  func entry(_ n: Int, _ k: Int, _ len: Int) -> Double {
    switch self {
    case .cosine: return Foundation.cos(2 * Double.pi * Double((n * k) % len) / Double(len))
    case .sine: return Foundation.sin(2 * Double.pi * Double((n * k) % len) / Double(len))
    case .dct2: return Foundation.cos(Double.pi * Double(((2 * n + 1) * k) % (4 * len)) / Double(2 * len))
    }
  }
}

/// An immutable N×N basis matrix, row-major [n, k].
final class SpectralBasis: @unchecked Sendable {
  let n: Int
  let pointer: UnsafeMutablePointer<Float>

  init(kind: SpectralKind, n: Int) {
    self.n = n
    pointer = .allocate(capacity: Swift.max(1, n * n))
    for i in 0..<n { for k in 0..<n { pointer[i * n + k] = Float(kind.entry(i, k, n)) } }
  }

  deinit { pointer.deallocate() }

  private static let cache = Mutex<[Key: SpectralBasis]>([:])
  private struct Key: Hashable { let kind: SpectralKind; let n: Int }

  /// The cached basis for (kind, n), built on first use.
  static func get(_ kind: SpectralKind, _ n: Int) -> SpectralBasis {
    if let b = cache.withLock({ $0[Key(kind: kind, n: n)] }) { return b }
    let b = SpectralBasis(kind: kind, n: n)
    return cache.withLock { c in
      if let existing = c[Key(kind: kind, n: n)] { return existing }
      c[Key(kind: kind, n: n)] = b
      return b
    }
  }
}

extension Tensor {
  /// y = x · B (or x · Bᵀ) along `axis`; differentiable (the gradient applies the transpose).
  func applyBasis(_ kind: SpectralKind, axis a: Int, transposed: Bool, op: String) throws -> Tensor {
    guard rank > 0 else { throw TensorError.invalidArgument(op: op, detail: "needs at least one dimension") }
    let (src, ax) = try movedLast(a, op: op)
    let n = src.shape[rank - 1]
    let rows = n == 0 ? 0 : src.count / n
    let basis = SpectralBasis.get(kind, n)
    let y = Tensor(uninitializedShape: src.shape)
    if rows > 0 {
      // [rows, n] · [n, n]
      GEMM.sgemm(transA: false, transB: transposed, m: rows, n: n, k: n, alpha: 1, a: src.pointer, lda: n,
                 b: basis.pointer, ldb: n, beta: 0, c: y.pointer, ldc: n)
    }
    let out = try y.movedBack(ax)
    if GradMode.shouldRecord(self) {
      out.record(Node(op: op, inputs: [self]) { g in
        [try g.applyBasis(kind, axis: ax, transposed: !transposed, op: op)]
      })
    }
    return out
  }

  /// Σₙ xₙ cos(2πkn/N) along `axis` (same shape).
  public func cosineTransform(axis: Int) throws -> Tensor {
    try applyBasis(.cosine, axis: axis, transposed: false, op: "cosineTransform")
  }

  /// Σₙ xₙ sin(2πkn/N) along `axis` (same shape).
  public func sineTransform(axis: Int) throws -> Tensor {
    try applyBasis(.sine, axis: axis, transposed: false, op: "sineTransform")
  }

  /// Unnormalised DCT-II Σₙ xₙ cos(π(n + ½)k/N) along `axis` (same shape).
  public func dct(axis: Int) throws -> Tensor {
    try applyBasis(.dct2, axis: axis, transposed: false, op: "dct")
  }

  /// Real part of the 2-D DFT over `axes`: C₀(C₁x) − S₀(S₁x) (FNet's token mixing uses the
  /// sequence and hidden axes).
  public func fourierReal2D(axes: (Int, Int)) throws -> Tensor {
    let a0 = try axis(axes.0, op: "fourierReal2D"), a1 = try axis(axes.1, op: "fourierReal2D")
    guard a0 != a1 else {
      throw TensorError.invalidArgument(op: "fourierReal2D", detail: "axes must differ, got \(axes) for shape \(shape)")
    }
    let cc = try cosineTransform(axis: a1).cosineTransform(axis: a0)
    let ss = try sineTransform(axis: a1).sineTransform(axis: a0)
    return try cc - ss
  }

  /// `fourierReal2D(axes:)` with the two axes as an array (exactly two entries).
  public func fourierReal2D(axes: [Int]) throws -> Tensor {
    guard axes.count == 2 else {
      throw TensorError.invalidArgument(op: "fourierReal2D", detail: "needs exactly two axes, got \(axes) for shape \(shape)")
    }
    return try fourierReal2D(axes: (axes[0], axes[1]))
  }
}
