/// The no-packing path of the native SGEMM for small products (attention's per-head Q·Kᵀ and
/// P·V, small layers): packing costs about as much as the arithmetic there, so the micro-kernel
/// reads A and B where they are (`GEMMKernel.tileDirect`). Only what cannot be read in place is
/// packed: op(B) = Bᵀ (the kernel needs 32 contiguous columns per k step), and the edge panels
/// (fewer than 12 rows or 32 columns), which the kernel would otherwise read past.
enum GEMMDirect {
  /// Largest m·n·k taken by this path.
  static let maxWork = 4 << 20
  /// Largest k taken by this path (no k blocking here).
  static let maxK = 512

  /// True when `NativeGEMM` should use this path.
  static func applies(m: Int, n: Int, k: Int) -> Bool { m * n * k <= maxWork && k <= maxK }

  /// C = alpha · op(A) · op(B) + beta · C, BLAS semantics; splits n across up to `threads` threads.
  static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    let tiles = (n + GEMMKernel.nr - 1) / GEMMKernel.nr
    let nt = max(1, min(threads, tiles, m * n * k / 1_048_576))
    if nt == 1 {
      block(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc)
      return
    }
    let ab = UInt(bitPattern: a), bb = UInt(bitPattern: b), cb = UInt(bitPattern: c)
    ThreadPool.shared.parallelFor(nt, threads: nt) { t in
      let a = UnsafePointer<Float>(bitPattern: ab)!, b = UnsafePointer<Float>(bitPattern: bb)!
      let c = UnsafeMutablePointer<Float>(bitPattern: cb)!
      let r = chunkRange(tiles, parts: nt, index: t)
      let j0 = r.lowerBound * GEMMKernel.nr, j1 = min(n, r.upperBound * GEMMKernel.nr)
      if j1 <= j0 { return }
      block(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
            b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
    }
  }

  /// One thread's columns of C (1 ≤ k ≤ maxK).
  static func block(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let mr = GEMMKernel.mr, nr = GEMMKernel.nr
    let nFull = n / nr * nr, nEdge = n - nFull
    // Scratch: the A edge panel, packed B (all of it when transposed, else the edge panel only), a tile.
    let aEdgeFloats = NativeGEMM.roundUp(mr * k, 16)
    let bFloats = NativeGEMM.roundUp(transB ? NativeGEMM.roundUp(n, nr) * k : (nEdge > 0 ? nr * k : 0), 16)
    let scratch = GEMMScratch.checkOut(aEdgeFloats + bFloats + mr * nr)
    defer { GEMMScratch.checkIn(scratch) }
    let aEdge = scratch.base, bBuf = scratch.base + aEdgeFloats, tileBuf = bBuf + bFloats
    if transB {
      GEMMPacking.packB(trans: true, b: b, ldb: ldb, kc: k, nc: n, dst: bBuf)
    } else if nEdge > 0 {
      GEMMPacking.packB(trans: false, b: b + nFull, ldb: ldb, kc: k, nc: nEdge, dst: bBuf)
    }
    let store: GEMMKernel.Store = beta == 0 ? .overwrite : (beta == 1 ? .accumulate : .scale)

    var ir = 0
    while ir < m {
      let rows = min(mr, m - ir)
      // Where this panel's A values are: in place for a full panel, else packed.
      let ap: UnsafePointer<Float>, aRow: Int, aStep: Int
      if rows == mr {
        (ap, aRow, aStep) = transA ? (a + ir, 1, lda) : (a + ir * lda, lda, 1)
      } else {
        GEMMPacking.packA(trans: transA, a: transA ? a + ir : a + ir * lda, lda: lda, mc: rows, kc: k, dst: aEdge)
        (ap, aRow, aStep) = (UnsafePointer(aEdge), 1, mr)
      }
      let cRow = c + ir * ldc
      var jr = 0
      while jr < n {
        let cols = min(nr, n - jr)
        let bp: UnsafePointer<Float>, bStep: Int
        if transB {
          (bp, bStep) = (UnsafePointer(bBuf + jr * k), nr)
        } else if cols == nr {
          (bp, bStep) = (b + jr, ldb)
        } else {
          (bp, bStep) = (UnsafePointer(bBuf), nr)
        }
        if rows == mr && cols == nr {
          GEMMKernel.tileDirect(kc: k, a: ap, aRow: aRow, aStep: aStep, b: bp, bStep: bStep, c: cRow + jr,
                                ldc: ldc, alpha: alpha, beta: beta, store: store)
        } else {
          GEMMKernel.tileEdge(rows: rows, cols: cols, kc: k, a: ap, aRow: aRow, aStep: aStep, b: bp, bStep: bStep,
                              tile: tileBuf)
          NativeGEMM.storeEdge(tileBuf, rows: rows, cols: cols, c: cRow + jr, ldc: ldc, alpha: alpha, beta: beta,
                               store: store)
        }
        jr += nr
      }
      ir += mr
    }
  }
}
