#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The register-tiled micro-kernel of the native SGEMM: a 12×32 tile of C held in 24
/// `SIMD16<Float>` accumulators (24 of the 32 zmm registers on AVX-512; `addingProduct` lowers to
/// `vfmadd231ps` with `-target-cpu native`). Other targets split the vectors into what they have
/// (AVX2 / NEON), so the same source is the portable fallback.
///
/// Operands are the packed panels of `GEMMPacking`: `a` holds, for each k step, the 12 values of
/// the tile's rows of op(A) (broadcast); `b` holds, for each k step, 32 contiguous values of the
/// tile's columns of op(B) (two vector loads, 64-byte aligned). Small problems skip packing and
/// read A and B in place with `tileDirect`.
///
/// Every kernel exists in two forms, chosen once per process by `fusedMultiplyAdd`: with
/// `addingProduct` (one FMA instruction where the compile target has FMA), and with a separate
/// multiply and add (for targets without FMA, e.g. baseline x86-64, where `addingProduct` is a
/// libm call per lane and some 50× slower). Tests pass `fused:` explicitly to check both forms.
enum GEMMKernel {
  /// Rows of the micro-tile (broadcast side, packed A).
  static let mr = 12
  /// Columns of the micro-tile (vector side, packed B): two `SIMD16<Float>`.
  static let nr = 32

  typealias V = SIMD16<Float>

  /// How a finished tile is written to C.
  enum Store: Sendable {
    /// C = alpha·AB (C's old contents are ignored, even NaN).
    case overwrite
    /// C = C + alpha·AB.
    case accumulate
    /// C = beta·C + alpha·AB.
    case scale
  }

  /// True when `addingProduct` is a hardware instruction in this build. Decided once by timing a
  /// short chain of each form (the software form is tens of times slower, so the test is robust).
  static let fusedMultiplyAdd: Bool = {
    #if arch(arm64)
    return true        // every arm64 target has vector FMA
    #else
    let x = probeOperand(1.0001), y = probeOperand(0.9999)
    var best = (fused: UInt64.max, separate: UInt64.max)
    for _ in 0..<3 {
      best.fused = min(best.fused, probeTime(x, y, fused: true))
      best.separate = min(best.separate, probeTime(x, y, fused: false))
    }
    return best.fused <= 4 * best.separate
    #endif
  }()

  @inline(never) static func probeOperand(_ v: Float) -> V { V(repeating: v) }

  @inline(never) static func probeTime(_ x: V, _ y: V, fused: Bool) -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let start = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    var acc = x
    for _ in 0..<512 { acc = madd(acc, x, y, fused) }
    clock_gettime(CLOCK_MONOTONIC, &ts)
    let end = UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    return acc.sum().isNaN ? 0 : end - start
  }

  /// acc + a·b, fused or not.
  @inline(__always) static func madd(_ acc: V, _ a: V, _ b: V, _ fused: Bool) -> V {
    fused ? acc.addingProduct(a, b) : acc + a * b
  }

  @inline(__always)
  private static func storeRow(_ v0: V, _ v1: V, _ dst: UnsafeMutablePointer<Float>, alpha: V, beta: V,
                               store: Store) {
    let raw = UnsafeMutableRawPointer(dst)
    var r0 = v0 * alpha, r1 = v1 * alpha
    switch store {
    case .overwrite: break
    case .accumulate:
      r0 += raw.loadUnaligned(as: V.self)
      r1 += raw.loadUnaligned(fromByteOffset: 64, as: V.self)
    case .scale:
      r0 += beta * raw.loadUnaligned(as: V.self)
      r1 += beta * raw.loadUnaligned(fromByteOffset: 64, as: V.self)
    }
    raw.storeBytes(of: r0, as: V.self)
    raw.storeBytes(of: r1, toByteOffset: 64, as: V.self)
  }

  /// Computes the full 12×32 tile `alpha · Apanel · Bpanel` over `kc` steps from packed panels and
  /// writes it to `c` (row stride `ldc`) as `store` says. Edge tiles go through `tileEdge`.
  static func tile(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, store: Store,
                   fused: Bool = fusedMultiplyAdd) {
    if fused {
      tile12(kc: kc, a: a, aRow: 1, aStep: mr, b: b, bStep: nr, c: c, ldc: ldc, alpha: alpha, beta: beta,
             store: store, fused: true)
    } else {
      tile12(kc: kc, a: a, aRow: 1, aStep: mr, b: b, bStep: nr, c: c, ldc: ldc, alpha: alpha, beta: beta,
             store: store, fused: false)
    }
  }

  /// The same tile with A and B read in place (small problems, no packing): A value (row r, step p)
  /// is `a[r·aRow + p·aStep]`, and step p's 32 B values are contiguous at `b + p·bStep`.
  static func tileDirect(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                         bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                         store: Store, fused: Bool = fusedMultiplyAdd) {
    if fused {
      tile12(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: c, ldc: ldc, alpha: alpha, beta: beta,
             store: store, fused: true)
    } else {
      tile12(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: c, ldc: ldc, alpha: alpha, beta: beta,
             store: store, fused: false)
    }
  }

  /// An edge tile: the first `rows` (≤ 12) rows and `cols` (≤ 32) columns of the tile, computed by
  /// the smallest of the 4-, 8- or 12-row, 16- or 32-column kernels that covers them, written as
  /// plain AB to `tile` (row stride 32; what the kernel does not cover is left as it was). The
  /// caller copies the valid corner into C (`NativeGEMM.storeEdge`).
  static func tileEdge(rows: Int, cols: Int, kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int,
                       b: UnsafePointer<Float>, bStep: Int, tile: UnsafeMutablePointer<Float>,
                       fused: Bool = fusedMultiplyAdd) {
    if fused {
      edge(rows: rows, cols: cols, kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, tile: tile, fused: true)
    } else {
      edge(rows: rows, cols: cols, kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, tile: tile,
           fused: false)
    }
  }

  @inline(__always)
  private static func edge(rows: Int, cols: Int, kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int,
                           b: UnsafePointer<Float>, bStep: Int, tile: UnsafeMutablePointer<Float>, fused: Bool) {
    switch (rows <= 4 ? 4 : (rows <= 8 ? 8 : 12), cols <= 16) {
    case (4, true): tile4x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, fused: fused)
    case (8, true): tile8x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, fused: fused)
    case (_, true): tile12x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, fused: fused)
    case (4, false):
      tile4(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
            store: .overwrite, fused: fused)
    case (8, false):
      tile8(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
            store: .overwrite, fused: fused)
    default:
      tile12(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
             store: .overwrite, fused: fused)
    }
  }

  /// The 12-row kernel: 12×32 accumulators in 24 `SIMD16<Float>` registers.
  @inline(__always)
  private static func tile12(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                           bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                           store: Store, fused: Bool) {
    let z = V()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z
    var c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
    var c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z
    var c90 = z, c91 = z, c100 = z, c101 = z, c110 = z, c111 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self), b1 = bp.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: ap[0])
      c00 = madd(c00, a0, b0, fused); c01 = madd(c01, a0, b1, fused)
      let a1 = V(repeating: ap[1 &* aRow])
      c10 = madd(c10, a1, b0, fused); c11 = madd(c11, a1, b1, fused)
      let a2 = V(repeating: ap[2 &* aRow])
      c20 = madd(c20, a2, b0, fused); c21 = madd(c21, a2, b1, fused)
      let a3 = V(repeating: ap[3 &* aRow])
      c30 = madd(c30, a3, b0, fused); c31 = madd(c31, a3, b1, fused)
      let a4 = V(repeating: ap[4 &* aRow])
      c40 = madd(c40, a4, b0, fused); c41 = madd(c41, a4, b1, fused)
      let a5 = V(repeating: ap[5 &* aRow])
      c50 = madd(c50, a5, b0, fused); c51 = madd(c51, a5, b1, fused)
      let a6 = V(repeating: ap[6 &* aRow])
      c60 = madd(c60, a6, b0, fused); c61 = madd(c61, a6, b1, fused)
      let a7 = V(repeating: ap[7 &* aRow])
      c70 = madd(c70, a7, b0, fused); c71 = madd(c71, a7, b1, fused)
      let a8 = V(repeating: ap[8 &* aRow])
      c80 = madd(c80, a8, b0, fused); c81 = madd(c81, a8, b1, fused)
      let a9 = V(repeating: ap[9 &* aRow])
      c90 = madd(c90, a9, b0, fused); c91 = madd(c91, a9, b1, fused)
      let a10 = V(repeating: ap[10 &* aRow])
      c100 = madd(c100, a10, b0, fused); c101 = madd(c101, a10, b1, fused)
      let a11 = V(repeating: ap[11 &* aRow])
      c110 = madd(c110, a11, b0, fused); c111 = madd(c111, a11, b1, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = V(repeating: alpha), vb = V(repeating: beta)
    storeRow(c00, c01, c + 0 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c10, c11, c + 1 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c20, c21, c + 2 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c30, c31, c + 3 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c40, c41, c + 4 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c50, c51, c + 5 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c60, c61, c + 6 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c70, c71, c + 7 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c80, c81, c + 8 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c90, c91, c + 9 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c100, c101, c + 10 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c110, c111, c + 11 &* ldc, alpha: va, beta: vb, store: store)
  }

  /// The 8-row kernel: 8×32 accumulators in 16 `SIMD16<Float>` registers.
  @inline(__always)
  private static func tile8(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                           bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                           store: Store, fused: Bool) {
    let z = V()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z
    var c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self), b1 = bp.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: ap[0])
      c00 = madd(c00, a0, b0, fused); c01 = madd(c01, a0, b1, fused)
      let a1 = V(repeating: ap[1 &* aRow])
      c10 = madd(c10, a1, b0, fused); c11 = madd(c11, a1, b1, fused)
      let a2 = V(repeating: ap[2 &* aRow])
      c20 = madd(c20, a2, b0, fused); c21 = madd(c21, a2, b1, fused)
      let a3 = V(repeating: ap[3 &* aRow])
      c30 = madd(c30, a3, b0, fused); c31 = madd(c31, a3, b1, fused)
      let a4 = V(repeating: ap[4 &* aRow])
      c40 = madd(c40, a4, b0, fused); c41 = madd(c41, a4, b1, fused)
      let a5 = V(repeating: ap[5 &* aRow])
      c50 = madd(c50, a5, b0, fused); c51 = madd(c51, a5, b1, fused)
      let a6 = V(repeating: ap[6 &* aRow])
      c60 = madd(c60, a6, b0, fused); c61 = madd(c61, a6, b1, fused)
      let a7 = V(repeating: ap[7 &* aRow])
      c70 = madd(c70, a7, b0, fused); c71 = madd(c71, a7, b1, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = V(repeating: alpha), vb = V(repeating: beta)
    storeRow(c00, c01, c + 0 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c10, c11, c + 1 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c20, c21, c + 2 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c30, c31, c + 3 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c40, c41, c + 4 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c50, c51, c + 5 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c60, c61, c + 6 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c70, c71, c + 7 &* ldc, alpha: va, beta: vb, store: store)
  }

  /// The 4-row kernel: 4×32 accumulators in 8 `SIMD16<Float>` registers.
  @inline(__always)
  private static func tile4(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                           bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                           store: Store, fused: Bool) {
    let z = V()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self), b1 = bp.loadUnaligned(fromByteOffset: 64, as: V.self)
      let a0 = V(repeating: ap[0])
      c00 = madd(c00, a0, b0, fused); c01 = madd(c01, a0, b1, fused)
      let a1 = V(repeating: ap[1 &* aRow])
      c10 = madd(c10, a1, b0, fused); c11 = madd(c11, a1, b1, fused)
      let a2 = V(repeating: ap[2 &* aRow])
      c20 = madd(c20, a2, b0, fused); c21 = madd(c21, a2, b1, fused)
      let a3 = V(repeating: ap[3 &* aRow])
      c30 = madd(c30, a3, b0, fused); c31 = madd(c31, a3, b1, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = V(repeating: alpha), vb = V(repeating: beta)
    storeRow(c00, c01, c + 0 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c10, c11, c + 1 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c20, c21, c + 2 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c30, c31, c + 3 &* ldc, alpha: va, beta: vb, store: store)
  }

  /// The 12×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile12x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>, fused: Bool) {
    let z = V()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var c4 = z, c5 = z, c6 = z, c7 = z
    var c8 = z, c9 = z, c10 = z, c11 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self)
      c0 = madd(c0, V(repeating: ap[0]), b0, fused)
      c1 = madd(c1, V(repeating: ap[1 &* aRow]), b0, fused)
      c2 = madd(c2, V(repeating: ap[2 &* aRow]), b0, fused)
      c3 = madd(c3, V(repeating: ap[3 &* aRow]), b0, fused)
      c4 = madd(c4, V(repeating: ap[4 &* aRow]), b0, fused)
      c5 = madd(c5, V(repeating: ap[5 &* aRow]), b0, fused)
      c6 = madd(c6, V(repeating: ap[6 &* aRow]), b0, fused)
      c7 = madd(c7, V(repeating: ap[7 &* aRow]), b0, fused)
      c8 = madd(c8, V(repeating: ap[8 &* aRow]), b0, fused)
      c9 = madd(c9, V(repeating: ap[9 &* aRow]), b0, fused)
      c10 = madd(c10, V(repeating: ap[10 &* aRow]), b0, fused)
      c11 = madd(c11, V(repeating: ap[11 &* aRow]), b0, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: V.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: V.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: V.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: V.self)
    raw.storeBytes(of: c4, toByteOffset: 512, as: V.self)
    raw.storeBytes(of: c5, toByteOffset: 640, as: V.self)
    raw.storeBytes(of: c6, toByteOffset: 768, as: V.self)
    raw.storeBytes(of: c7, toByteOffset: 896, as: V.self)
    raw.storeBytes(of: c8, toByteOffset: 1024, as: V.self)
    raw.storeBytes(of: c9, toByteOffset: 1152, as: V.self)
    raw.storeBytes(of: c10, toByteOffset: 1280, as: V.self)
    raw.storeBytes(of: c11, toByteOffset: 1408, as: V.self)
  }

  /// The 8×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile8x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>, fused: Bool) {
    let z = V()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var c4 = z, c5 = z, c6 = z, c7 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self)
      c0 = madd(c0, V(repeating: ap[0]), b0, fused)
      c1 = madd(c1, V(repeating: ap[1 &* aRow]), b0, fused)
      c2 = madd(c2, V(repeating: ap[2 &* aRow]), b0, fused)
      c3 = madd(c3, V(repeating: ap[3 &* aRow]), b0, fused)
      c4 = madd(c4, V(repeating: ap[4 &* aRow]), b0, fused)
      c5 = madd(c5, V(repeating: ap[5 &* aRow]), b0, fused)
      c6 = madd(c6, V(repeating: ap[6 &* aRow]), b0, fused)
      c7 = madd(c7, V(repeating: ap[7 &* aRow]), b0, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: V.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: V.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: V.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: V.self)
    raw.storeBytes(of: c4, toByteOffset: 512, as: V.self)
    raw.storeBytes(of: c5, toByteOffset: 640, as: V.self)
    raw.storeBytes(of: c6, toByteOffset: 768, as: V.self)
    raw.storeBytes(of: c7, toByteOffset: 896, as: V.self)
  }

  /// The 4×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile4x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>, fused: Bool) {
    let z = V()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: V.self)
      c0 = madd(c0, V(repeating: ap[0]), b0, fused)
      c1 = madd(c1, V(repeating: ap[1 &* aRow]), b0, fused)
      c2 = madd(c2, V(repeating: ap[2 &* aRow]), b0, fused)
      c3 = madd(c3, V(repeating: ap[3 &* aRow]), b0, fused)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: V.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: V.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: V.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: V.self)
  }
}
