/// The register-tiled micro-kernel of the native SGEMM: a 12×32 tile of C held in 24
/// `SIMD16<Float>` accumulators (24 of the 32 zmm registers on AVX-512; `addingProduct` lowers to
/// `vfmadd231ps` with `-target-cpu native`). Other targets split the vectors into what they have
/// (AVX2 / NEON), so the same source is the portable fallback.
///
/// Operands are the packed panels of `GEMMPacking`: `a` holds, for each k step, the 12 values of
/// the tile's rows of op(A) (broadcast); `b` holds, for each k step, 32 contiguous values of the
/// tile's columns of op(B) (two vector loads, 64-byte aligned). Small problems skip packing and
/// read A and B in place with `tileDirect`.
enum GEMMKernel {
  /// Rows of the micro-tile (broadcast side, packed A).
  static let mr = 12
  /// Columns of the micro-tile (vector side, packed B): two `SIMD16<Float>`.
  static let nr = 32

  /// How a finished tile is written to C.
  enum Store: Sendable {
    /// C = alpha·AB (C's old contents are ignored, even NaN).
    case overwrite
    /// C = C + alpha·AB.
    case accumulate
    /// C = beta·C + alpha·AB.
    case scale
  }

  @inline(__always)
  private static func storeRow(_ v0: SIMD16<Float>, _ v1: SIMD16<Float>, _ dst: UnsafeMutablePointer<Float>,
                               alpha: SIMD16<Float>, beta: SIMD16<Float>, store: Store) {
    let raw = UnsafeMutableRawPointer(dst)
    var r0 = v0 * alpha, r1 = v1 * alpha
    switch store {
    case .overwrite: break
    case .accumulate:
      r0 += raw.loadUnaligned(as: SIMD16<Float>.self)
      r1 += raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
    case .scale:
      r0 = r0.addingProduct(beta, raw.loadUnaligned(as: SIMD16<Float>.self))
      r1 = r1.addingProduct(beta, raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self))
    }
    raw.storeBytes(of: r0, as: SIMD16<Float>.self)
    raw.storeBytes(of: r1, toByteOffset: 64, as: SIMD16<Float>.self)
  }

  /// Computes the full 12×32 tile `alpha · Apanel · Bpanel` over `kc` steps from packed panels and
  /// writes it to `c` (row stride `ldc`) as `store` says. Edge tiles go through `tileEdge`.
  static func tile(kc: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                   c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float, store: Store) {
    tile12(kc: kc, a: a, aRow: 1, aStep: mr, b: b, bStep: nr, c: c, ldc: ldc, alpha: alpha, beta: beta, store: store)
  }

  /// The same tile with A and B read in place (small problems, no packing): A value (row r, step p)
  /// is `a[r·aRow + p·aStep]`, and step p's 32 B values are contiguous at `b + p·bStep`.
  static func tileDirect(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                         bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                         store: Store) {
    tile12(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: c, ldc: ldc, alpha: alpha, beta: beta,
           store: store)
  }

  /// An edge tile: the first `rows` (≤ 12) rows and `cols` (≤ 32) columns of the tile, computed by
  /// the smallest of the 4-, 8- or 12-row, 16- or 32-column kernels that covers them, written as
  /// plain AB to `tile` (row stride 32; what the kernel does not cover is left as it was). The
  /// caller copies the valid corner into C (`NativeGEMM.storeEdge`).
  static func tileEdge(rows: Int, cols: Int, kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int,
                       b: UnsafePointer<Float>, bStep: Int, tile: UnsafeMutablePointer<Float>) {
    switch (rows <= 4 ? 4 : (rows <= 8 ? 8 : 12), cols <= 16) {
    case (4, true): tile4x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile)
    case (8, true): tile8x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile)
    case (_, true): tile12x16(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile)
    case (4, false):
      tile4(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
            store: .overwrite)
    case (8, false):
      tile8(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
            store: .overwrite)
    default:
      tile12(kc: kc, a: a, aRow: aRow, aStep: aStep, b: b, bStep: bStep, c: tile, ldc: nr, alpha: 1, beta: 0,
             store: .overwrite)
    }
  }

  /// The 4×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile4x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>) {
    let z = SIMD16<Float>()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      c0 = c0.addingProduct(SIMD16<Float>(repeating: ap[0]), b0)
      c1 = c1.addingProduct(SIMD16<Float>(repeating: ap[1 &* aRow]), b0)
      c2 = c2.addingProduct(SIMD16<Float>(repeating: ap[2 &* aRow]), b0)
      c3 = c3.addingProduct(SIMD16<Float>(repeating: ap[3 &* aRow]), b0)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: SIMD16<Float>.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: SIMD16<Float>.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: SIMD16<Float>.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: SIMD16<Float>.self)
  }

  /// The 8×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile8x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>) {
    let z = SIMD16<Float>()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var c4 = z, c5 = z, c6 = z, c7 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      c0 = c0.addingProduct(SIMD16<Float>(repeating: ap[0]), b0)
      c1 = c1.addingProduct(SIMD16<Float>(repeating: ap[1 &* aRow]), b0)
      c2 = c2.addingProduct(SIMD16<Float>(repeating: ap[2 &* aRow]), b0)
      c3 = c3.addingProduct(SIMD16<Float>(repeating: ap[3 &* aRow]), b0)
      c4 = c4.addingProduct(SIMD16<Float>(repeating: ap[4 &* aRow]), b0)
      c5 = c5.addingProduct(SIMD16<Float>(repeating: ap[5 &* aRow]), b0)
      c6 = c6.addingProduct(SIMD16<Float>(repeating: ap[6 &* aRow]), b0)
      c7 = c7.addingProduct(SIMD16<Float>(repeating: ap[7 &* aRow]), b0)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: SIMD16<Float>.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: SIMD16<Float>.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: SIMD16<Float>.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: SIMD16<Float>.self)
    raw.storeBytes(of: c4, toByteOffset: 512, as: SIMD16<Float>.self)
    raw.storeBytes(of: c5, toByteOffset: 640, as: SIMD16<Float>.self)
    raw.storeBytes(of: c6, toByteOffset: 768, as: SIMD16<Float>.self)
    raw.storeBytes(of: c7, toByteOffset: 896, as: SIMD16<Float>.self)
  }

  /// The 12×16 edge kernel (one vector per row), writing plain AB with row stride 32.
  @inline(__always)
  private static func tile12x16(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                              bStep: Int, c: UnsafeMutablePointer<Float>) {
    let z = SIMD16<Float>()
    var c0 = z, c1 = z, c2 = z, c3 = z
    var c4 = z, c5 = z, c6 = z, c7 = z
    var c8 = z, c9 = z, c10 = z, c11 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      c0 = c0.addingProduct(SIMD16<Float>(repeating: ap[0]), b0)
      c1 = c1.addingProduct(SIMD16<Float>(repeating: ap[1 &* aRow]), b0)
      c2 = c2.addingProduct(SIMD16<Float>(repeating: ap[2 &* aRow]), b0)
      c3 = c3.addingProduct(SIMD16<Float>(repeating: ap[3 &* aRow]), b0)
      c4 = c4.addingProduct(SIMD16<Float>(repeating: ap[4 &* aRow]), b0)
      c5 = c5.addingProduct(SIMD16<Float>(repeating: ap[5 &* aRow]), b0)
      c6 = c6.addingProduct(SIMD16<Float>(repeating: ap[6 &* aRow]), b0)
      c7 = c7.addingProduct(SIMD16<Float>(repeating: ap[7 &* aRow]), b0)
      c8 = c8.addingProduct(SIMD16<Float>(repeating: ap[8 &* aRow]), b0)
      c9 = c9.addingProduct(SIMD16<Float>(repeating: ap[9 &* aRow]), b0)
      c10 = c10.addingProduct(SIMD16<Float>(repeating: ap[10 &* aRow]), b0)
      c11 = c11.addingProduct(SIMD16<Float>(repeating: ap[11 &* aRow]), b0)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let raw = UnsafeMutableRawPointer(c)
    raw.storeBytes(of: c0, toByteOffset: 0, as: SIMD16<Float>.self)
    raw.storeBytes(of: c1, toByteOffset: 128, as: SIMD16<Float>.self)
    raw.storeBytes(of: c2, toByteOffset: 256, as: SIMD16<Float>.self)
    raw.storeBytes(of: c3, toByteOffset: 384, as: SIMD16<Float>.self)
    raw.storeBytes(of: c4, toByteOffset: 512, as: SIMD16<Float>.self)
    raw.storeBytes(of: c5, toByteOffset: 640, as: SIMD16<Float>.self)
    raw.storeBytes(of: c6, toByteOffset: 768, as: SIMD16<Float>.self)
    raw.storeBytes(of: c7, toByteOffset: 896, as: SIMD16<Float>.self)
    raw.storeBytes(of: c8, toByteOffset: 1024, as: SIMD16<Float>.self)
    raw.storeBytes(of: c9, toByteOffset: 1152, as: SIMD16<Float>.self)
    raw.storeBytes(of: c10, toByteOffset: 1280, as: SIMD16<Float>.self)
    raw.storeBytes(of: c11, toByteOffset: 1408, as: SIMD16<Float>.self)
  }
  /// The 12-row kernel: 12×32 accumulators in 24 `SIMD16<Float>` registers.
  @inline(__always)
  private static func tile12(kc: Int, a: UnsafePointer<Float>, aRow: Int, aStep: Int, b: UnsafePointer<Float>,
                           bStep: Int, c: UnsafeMutablePointer<Float>, ldc: Int, alpha: Float, beta: Float,
                           store: Store) {
    let z = SIMD16<Float>()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z
    var c30 = z, c31 = z, c40 = z, c41 = z, c50 = z, c51 = z
    var c60 = z, c61 = z, c70 = z, c71 = z, c80 = z, c81 = z
    var c90 = z, c91 = z, c100 = z, c101 = z, c110 = z, c111 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      let b1 = bp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
      let a0 = SIMD16<Float>(repeating: ap[0]); c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
      let a1 = SIMD16<Float>(repeating: ap[1 &* aRow]); c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
      let a2 = SIMD16<Float>(repeating: ap[2 &* aRow]); c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
      let a3 = SIMD16<Float>(repeating: ap[3 &* aRow]); c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
      let a4 = SIMD16<Float>(repeating: ap[4 &* aRow]); c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1)
      let a5 = SIMD16<Float>(repeating: ap[5 &* aRow]); c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1)
      let a6 = SIMD16<Float>(repeating: ap[6 &* aRow]); c60 = c60.addingProduct(a6, b0); c61 = c61.addingProduct(a6, b1)
      let a7 = SIMD16<Float>(repeating: ap[7 &* aRow]); c70 = c70.addingProduct(a7, b0); c71 = c71.addingProduct(a7, b1)
      let a8 = SIMD16<Float>(repeating: ap[8 &* aRow]); c80 = c80.addingProduct(a8, b0); c81 = c81.addingProduct(a8, b1)
      let a9 = SIMD16<Float>(repeating: ap[9 &* aRow]); c90 = c90.addingProduct(a9, b0); c91 = c91.addingProduct(a9, b1)
      let a10 = SIMD16<Float>(repeating: ap[10 &* aRow]); c100 = c100.addingProduct(a10, b0); c101 = c101.addingProduct(a10, b1)
      let a11 = SIMD16<Float>(repeating: ap[11 &* aRow]); c110 = c110.addingProduct(a11, b0); c111 = c111.addingProduct(a11, b1)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = SIMD16<Float>(repeating: alpha), vb = SIMD16<Float>(repeating: beta)
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
                           store: Store) {
    let z = SIMD16<Float>()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z
    var c40 = z, c41 = z, c50 = z, c51 = z, c60 = z, c61 = z, c70 = z, c71 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      let b1 = bp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
      let a0 = SIMD16<Float>(repeating: ap[0]); c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
      let a1 = SIMD16<Float>(repeating: ap[1 &* aRow]); c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
      let a2 = SIMD16<Float>(repeating: ap[2 &* aRow]); c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
      let a3 = SIMD16<Float>(repeating: ap[3 &* aRow]); c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
      let a4 = SIMD16<Float>(repeating: ap[4 &* aRow]); c40 = c40.addingProduct(a4, b0); c41 = c41.addingProduct(a4, b1)
      let a5 = SIMD16<Float>(repeating: ap[5 &* aRow]); c50 = c50.addingProduct(a5, b0); c51 = c51.addingProduct(a5, b1)
      let a6 = SIMD16<Float>(repeating: ap[6 &* aRow]); c60 = c60.addingProduct(a6, b0); c61 = c61.addingProduct(a6, b1)
      let a7 = SIMD16<Float>(repeating: ap[7 &* aRow]); c70 = c70.addingProduct(a7, b0); c71 = c71.addingProduct(a7, b1)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = SIMD16<Float>(repeating: alpha), vb = SIMD16<Float>(repeating: beta)
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
                           store: Store) {
    let z = SIMD16<Float>()
    var c00 = z, c01 = z, c10 = z, c11 = z, c20 = z, c21 = z, c30 = z, c31 = z
    var ap = a
    var bp = UnsafeRawPointer(b)
    let bBytes = bStep &* 4
    var p = 0
    while p < kc {
      let b0 = bp.loadUnaligned(as: SIMD16<Float>.self)
      let b1 = bp.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
      let a0 = SIMD16<Float>(repeating: ap[0]); c00 = c00.addingProduct(a0, b0); c01 = c01.addingProduct(a0, b1)
      let a1 = SIMD16<Float>(repeating: ap[1 &* aRow]); c10 = c10.addingProduct(a1, b0); c11 = c11.addingProduct(a1, b1)
      let a2 = SIMD16<Float>(repeating: ap[2 &* aRow]); c20 = c20.addingProduct(a2, b0); c21 = c21.addingProduct(a2, b1)
      let a3 = SIMD16<Float>(repeating: ap[3 &* aRow]); c30 = c30.addingProduct(a3, b0); c31 = c31.addingProduct(a3, b1)
      ap += aStep
      bp += bBytes
      p &+= 1
    }
    let va = SIMD16<Float>(repeating: alpha), vb = SIMD16<Float>(repeating: beta)
    storeRow(c00, c01, c + 0 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c10, c11, c + 1 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c20, c21, c + 2 &* ldc, alpha: va, beta: vb, store: store)
    storeRow(c30, c31, c + 3 &* ldc, alpha: va, beta: vb, store: store)
  }
}
