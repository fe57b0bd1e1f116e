/// LiteSearch's own SGEMM (row-major, `C = alpha · op(A) · op(B) + beta · C`, BLAS semantics).
///
/// Structure (the BLIS / GotoBLAS loop nest, seen from row-major C):
///
///     for each thread's block of C (split along n, or m when m > n)
///       for ic in 0..<m by MC                 A block  MC×KC  (L2/L3)
///         for pc in 0..<k by KC               pack A block into MR-row panels
///           for jc in 0..<n by NC             pack B block KC×NC into NR-column panels (L2)
///             for ir in 0..<MC by MR          A panel KC×MR stays in L1
///               for jr in 0..<NC by NR        B panel streams from L2
///                 GEMMKernel.tile             12×32 tile of C in 24 zmm registers
///
/// alpha and beta are applied when a tile is stored: the first k block writes
/// `beta·C + alpha·AB` (or `alpha·AB` when beta = 0, never reading C), later ones add `alpha·AB`.
/// Small or skinny problems take the unpacked `GEMMSmall` path instead.
enum NativeGEMM {
  /// Depth of a k block: the A panel (KC×MR floats = 18 KiB) stays in the 32 KiB L1.
  static let kc = 384
  /// Rows of op(A) packed at once (≤ MC×KC×4 bytes = 1.5 MiB of packed A, read from L3).
  static let mc = 1020
  /// Columns of op(B) packed at once: the packed B block (KC×NC×4 = 384 KiB) sits in L2.
  static let nc = 256

  static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(lda >= max(1, transA ? m : k), "sgemm: lda=\(lda) < \(transA ? "m" : "k")=\(transA ? m : k)")
    precondition(ldb >= max(1, transB ? k : n), "sgemm: ldb=\(ldb) < \(transB ? "k" : "n")=\(transB ? k : n)")
    precondition(ldc >= max(1, n), "sgemm: ldc=\(ldc) < n=\(n)")
    if m == 0 || n == 0 { return }
    if k == 0 || alpha == 0 {
      scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
      return
    }
    let work = m * n * k
    if work < 32_768 || m <= 4 || n <= 8 {
      GEMMSmall.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }
    // Split C among threads along its longer side, in whole micro-tiles; keep ≥ ~1 MFLOP each.
    let splitN = n >= m
    let tiles = splitN ? (n + GEMMKernel.nr - 1) / GEMMKernel.nr : (m + GEMMKernel.mr - 1) / GEMMKernel.mr
    let nt = max(1, min(threads, tiles, work / 262_144))
    if nt == 1 {
      blocked(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
              b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
      return
    }
    // Raw pointers cross into the pool's closure as bit patterns (they are only read there, and
    // each thread writes a disjoint block of C).
    let ab = UInt(bitPattern: a), bb = UInt(bitPattern: b), cb = UInt(bitPattern: c)
    ThreadPool.shared.parallelFor(nt, threads: nt) { t in
      let a = UnsafePointer<Float>(bitPattern: ab)!, b = UnsafePointer<Float>(bitPattern: bb)!
      let c = UnsafeMutablePointer<Float>(bitPattern: cb)!
      if splitN {
        let r = chunkRange(tiles, parts: nt, index: t)
        let j0 = r.lowerBound * GEMMKernel.nr, j1 = min(n, r.upperBound * GEMMKernel.nr)
        if j1 <= j0 { return }
        blocked(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
      } else {
        let r = chunkRange(tiles, parts: nt, index: t)
        let i0 = r.lowerBound * GEMMKernel.mr, i1 = min(m, r.upperBound * GEMMKernel.mr)
        if i1 <= i0 { return }
        blocked(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta,
                c: c + i0 * ldc, ldc: ldc)
      }
    }
  }

  /// C = beta·C (beta = 0 writes zeros without reading C).
  static func scale(m: Int, n: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if beta == 1 { return }
    for i in 0..<m {
      let row = c + i * ldc
      if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
    }
  }

  /// The single-threaded packed, blocked GEMM on one block of C (k ≥ 1, alpha ≠ 0).
  static func blocked(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                      a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    let mr = GEMMKernel.mr, nr = GEMMKernel.nr
    let kcMax = min(kc, k)
    let mcMax = min(mc, (m + mr - 1) / mr * mr)
    let ncMax = min(nc, (n + nr - 1) / nr * nr)
    let aFloats = mcMax * kcMax, bFloats = ncMax * kcMax
    // Offsets in the scratch buffer are multiples of 16 floats, so every part stays 64-byte aligned;
    // packed A gets 16 floats of slack for the packer's overlapping stores.
    let aPad = (aFloats + 31) & ~15, bPad = (bFloats + 15) & ~15
    let scratch = GEMMScratch.checkOut(aPad + bPad + mr * nr)
    defer { GEMMScratch.checkIn(scratch) }
    let aBuf = scratch.base, bBuf = scratch.base + aPad, tileBuf = scratch.base + aPad + bPad
    let firstStore: GEMMKernel.Store = beta == 0 ? .overwrite : (beta == 1 ? .accumulate : .scale)

    var ic = 0
    while ic < m {
      let mcb = min(mc, m - ic)
      var pc = 0
      while pc < k {
        let kcb = min(kc, k - pc)
        GEMMPacking.packA(trans: transA, a: transA ? a + pc * lda + ic : a + ic * lda + pc, lda: lda,
                          mc: mcb, kc: kcb, dst: aBuf)
        let store: GEMMKernel.Store = pc == 0 ? firstStore : .accumulate
        var jc = 0
        while jc < n {
          let ncb = min(nc, n - jc)
          GEMMPacking.packB(trans: transB, b: transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb: ldb,
                            kc: kcb, nc: ncb, dst: bBuf)
          var ir = 0
          while ir < mcb {
            let rows = min(mr, mcb - ir)
            let ap = aBuf + ir * kcb
            let cRow = c + (ic + ir) * ldc + jc
            var jr = 0
            while jr < ncb {
              let cols = min(nr, ncb - jr)
              let bp = bBuf + jr * kcb
              if rows == mr && cols == nr {
                GEMMKernel.tile(kc: kcb, a: ap, b: bp, c: cRow + jr, ldc: ldc, alpha: alpha, beta: beta, store: store)
              } else {
                GEMMKernel.tile(kc: kcb, a: ap, b: bp, c: tileBuf, ldc: nr, alpha: 1, beta: 0, store: .overwrite)
                storeEdge(tileBuf, rows: rows, cols: cols, c: cRow + jr, ldc: ldc, alpha: alpha, beta: beta,
                          store: store)
              }
              jr += nr
            }
            ir += mr
          }
          jc += nc
        }
        pc += kc
      }
      ic += mc
    }
  }

  /// Writes the valid `rows × cols` corner of a computed tile (row stride NR) into C.
  @inline(never)
  static func storeEdge(_ t: UnsafeMutablePointer<Float>, rows: Int, cols: Int, c: UnsafeMutablePointer<Float>,
                        ldc: Int, alpha: Float, beta: Float, store: GEMMKernel.Store) {
    for r in 0..<rows {
      let src = t + r * GEMMKernel.nr, dst = c + r * ldc
      switch store {
      case .overwrite: for j in 0..<cols { dst[j] = alpha * src[j] }
      case .accumulate: for j in 0..<cols { dst[j] += alpha * src[j] }
      case .scale: for j in 0..<cols { dst[j] = beta * dst[j] + alpha * src[j] }
      }
    }
  }
}
