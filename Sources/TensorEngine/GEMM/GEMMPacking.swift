/// Packing of op(A) and op(B) blocks into the panel layouts the micro-kernel streams.
///
/// Packing is where the transposed variants are handled: the kernel only ever sees packed
/// panels, so `transA` / `transB` cost a different read pattern here and no copy by the caller.
/// Panels are zero-padded to whole micro-tiles, so the kernel always runs full tiles.
enum GEMMPacking {
  /// Packs the block of op(A) with rows `0..<mc` and k-columns `0..<kc` (pointer `a` already at
  /// the block's first element of the stored array) into ⌈mc/MR⌉ panels of `kc × MR` floats: for
  /// each k step, the MR row values side by side.
  ///
  /// Stored A is m×k with row stride `lda` (op(A) = A), or k×m (op(A) = Aᵀ, `trans`).
  static func packA(trans: Bool, a: UnsafePointer<Float>, lda: Int, mc: Int, kc: Int,
                    dst: UnsafeMutablePointer<Float>) {
    let mr = GEMMKernel.mr
    var panel = dst
    var i0 = 0
    while i0 < mc {
      let rows = min(mr, mc - i0)
      if trans {
        // op(A)[i, p] = a[p·lda + i]: each k step is a contiguous run of `rows` values.
        for p in 0..<kc {
          let src = a + p * lda + i0
          let d = panel + p * mr
          for r in 0..<rows { d[r] = src[r] }
          for r in rows..<mr { d[r] = 0 }
        }
      } else {
        // op(A)[i, p] = a[i·lda + p]: rows are contiguous along k; transpose 16 k-steps at a
        // time (missing rows read as zeros), scalar for the k tail.
        var p0 = 0
        while p0 + 16 <= kc {
          GEMMTranspose.block16(a + i0 * lda + p0, ld: lda, rows: rows, panel + p0 * mr, dstStride: mr)
          p0 += 16
        }
        for p in p0..<kc {
          let d = panel + p * mr
          for r in 0..<rows { d[r] = a[(i0 + r) * lda + p] }
          for r in rows..<mr { d[r] = 0 }
        }
      }
      panel += kc * mr
      i0 += mr
    }
  }

  /// Packs the block of op(B) with k-rows `0..<kc` and columns `0..<nc` (pointer `b` already at
  /// the block's first element of the stored array) into ⌈nc/NR⌉ panels of `kc × NR` floats: for
  /// each k step, NR contiguous column values.
  ///
  /// Stored B is k×n with row stride `ldb` (op(B) = B), or n×k (op(B) = Bᵀ, `trans`).
  static func packB(trans: Bool, b: UnsafePointer<Float>, ldb: Int, kc: Int, nc: Int,
                    dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMKernel.nr
    var panel = dst
    var j0 = 0
    while j0 < nc {
      let cols = min(nr, nc - j0)
      if trans {
        packBTransposedPanel(b: b + j0 * ldb, ldb: ldb, kc: kc, cols: cols, dst: panel)
      } else if cols == nr {
        // op(B)[p, j] = b[p·ldb + j]: each k step is a contiguous run of 32 values.
        for p in 0..<kc {
          let src = UnsafeRawPointer(b + p * ldb + j0)
          let d = UnsafeMutableRawPointer(panel + p * nr)
          d.storeBytes(of: src.loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
          d.storeBytes(of: src.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), toByteOffset: 64,
                       as: SIMD16<Float>.self)
        }
      } else {
        for p in 0..<kc {
          let src = b + p * ldb + j0
          let d = panel + p * nr
          for j in 0..<cols { d[j] = src[j] }
          for j in cols..<nr { d[j] = 0 }
        }
      }
      panel += kc * nr
      j0 += nr
    }
  }

  /// One NR-wide panel of op(B) = Bᵀ: column j of op(B) is row j of stored B, contiguous along k.
  /// Two 16×16 transposes per 16 k-steps (missing columns read as zeros), scalar for the k tail.
  @inline(__always)
  private static func packBTransposedPanel(b: UnsafePointer<Float>, ldb: Int, kc: Int, cols: Int,
                                           dst: UnsafeMutablePointer<Float>) {
    let nr = GEMMKernel.nr
    let lowRows = min(16, cols), highRows = max(0, cols - 16)
    var p0 = 0
    while p0 + 16 <= kc {
      GEMMTranspose.block16(b + p0, ld: ldb, rows: lowRows, dst + p0 * nr, dstStride: nr)
      GEMMTranspose.block16(b + 16 * ldb + p0, ld: ldb, rows: highRows, dst + p0 * nr + 16, dstStride: nr)
      p0 += 16
    }
    for p in p0..<kc {
      let d = dst + p * nr
      for j in 0..<cols { d[j] = b[j * ldb + p] }
      for j in cols..<nr { d[j] = 0 }
    }
  }
}
