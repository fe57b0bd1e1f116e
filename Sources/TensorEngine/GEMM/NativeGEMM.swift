#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LiteSearch's own SGEMM (row-major, `C = alpha · op(A) · op(B) + beta · C`, BLAS semantics).
///
/// Structure (the BLIS / GotoBLAS loop nest, seen from row-major C):
///
///     for each chunk of C (split along n, or m when m > n)
///       for ic in 0..<m by MC                 A block  MC×KC  (L2/L3)
///         for pc in 0..<k by KC               pack A block into MR-row panels (KC: see kBlock)
///           for jc in 0..<n by NC             pack B block KC×NC into NR-column panels (L2)
///             for ir in 0..<MC by MR          A panel KC×MR stays in L1
///               for jr in 0..<NC by NR        B panel streams from L2
///                 GEMMKernel.tile             12×32 tile of C in 24 zmm registers
///
/// With several threads, the operand that every thread needs whole (A when n is split, B when m
/// is split) is packed once, in parallel, into a shared buffer before the threads compute, and C
/// is cut into a few chunks per thread that the threads claim as they go.
///
/// alpha and beta are applied when a tile is stored: the first k block writes
/// `beta·C + alpha·AB` (or `alpha·AB` when beta = 0, never reading C), later ones add `alpha·AB`.
/// Tiny or skinny problems take the unpacked `GEMMSmall` path instead, and small ones (m·n·k ≤ 4M,
/// k ≤ 512) the micro-kernel without packing, `GEMMDirect`.
enum NativeGEMM {
  /// Largest depth of a k block: the A panel (KC×MR floats = 18 KiB) stays in the 32 KiB L1.
  static let kc = 384
  /// Rows of op(A) packed at once (≤ MC×KC×4 bytes = 1.5 MiB of packed A, read from L3).
  static let mc = 1020
  /// Columns of op(B) packed at once: the packed B block (KC×NC×4 = 384 KiB) sits in the 1 MiB L2.
  static let nc = 256

  /// The k block depth used for depth `k`: k split into equal blocks of at most KC (a multiple of
  /// 16 for the packers' transposes), so that no block is a thin remainder.
  @inline(__always) static func kBlock(_ k: Int) -> Int {
    let blocks = (k + kc - 1) / kc
    return min(kc, roundUp((k + blocks - 1) / blocks, 16))
  }

  /// `C = alpha · op(A) · op(B) + beta · C` (see `GEMM.sgemm` for the layout) on up to `threads`
  /// threads; `threads: 1` never touches the thread pool.
  static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int,
                    bOwner: Storage? = nil) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }     // an empty C: nothing is read or written
    precondition(lda >= (transA ? m : k), "sgemm: lda=\(lda) < \(transA ? "m" : "k")=\(transA ? m : k)")
    precondition(ldb >= (transB ? k : n), "sgemm: ldb=\(ldb) < \(transB ? "k" : "n")=\(transB ? k : n)")
    precondition(ldc >= n, "sgemm: ldc=\(ldc) < n=\(n)")
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
    if GEMMDirect.applies(m: m, n: n, k: k) {
      GEMMDirect.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                       b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, threads: threads)
      return
    }
    if let bOwner, let pw = PackedWeights.lookup(owner: bOwner, transB: transB, b: b, ldb: ldb, k: k, n: n) {
      withPackedB(transA: transA, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, packedB: pw.panels,
                  beta: beta, c: c, ldc: ldc, threads: threads)
      withExtendedLifetime(pw) {}
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
    // Every thread needs all of the operand along the side that is not split (A when n is split).
    // Pack it once, in parallel, into a shared buffer, unless it is small (then packing it twice
    // is cheaper than the extra fork–join) or too big to be worth holding.
    let sharedFloats = splitN ? roundUp(m, GEMMKernel.mr) * k : roundUp(n, GEMMKernel.nr) * k
    let share = sharedFloats >= sharedMinimum && sharedFloats <= sharedLimit
    let shared = share ? GEMMScratch.checkOut(sharedFloats) : nil
    defer { if let shared { GEMMScratch.checkIn(shared) } }
    // With a shared operand, a chunk of C costs no extra packing, so C is cut into a few chunks
    // per thread (≥ 4 micro-tiles each) that the threads claim as they go: a thread the OS
    // leaves waiting then costs one chunk, not half the product. Otherwise one chunk per thread.
    let chunks = shared == nil ? nt : max(nt, min(nt * 4, tiles / 4, work / 1_048_576))
    // Raw pointers cross into the pool's closures as bit patterns (operands are only read there;
    // chunks write disjoint parts of the shared buffer, then disjoint blocks of C).
    let ab = UInt(bitPattern: a), bb = UInt(bitPattern: b), cb = UInt(bitPattern: c)
    let sb = shared.map { UInt(bitPattern: $0.base) } ?? 0
    if shared != nil {
      let queue = ChunkQueue(chunks)
      ThreadPool.shared.parallelFor(nt, threads: nt) { _ in
        let dst = UnsafeMutablePointer<Float>(bitPattern: sb)!
        while let part = queue.next() {
          if splitN {
            prepackA(transA: transA, a: UnsafePointer(bitPattern: ab)!, lda: lda, m: m, k: k, dst: dst,
                     part: part, parts: chunks)
          } else {
            prepackB(transB: transB, b: UnsafePointer(bitPattern: bb)!, ldb: ldb, n: n, k: k, dst: dst,
                     part: part, parts: chunks)
          }
        }
      }
    }
    let queue = ChunkQueue(chunks)
    ThreadPool.shared.parallelFor(nt, threads: nt) { _ in
      let a = UnsafePointer<Float>(bitPattern: ab)!, b = UnsafePointer<Float>(bitPattern: bb)!
      let c = UnsafeMutablePointer<Float>(bitPattern: cb)!
      let packed = UnsafePointer<Float>(bitPattern: sb)
      while let part = queue.next() {
        let r = chunkRange(tiles, parts: chunks, index: part)
        if splitN {
          let j0 = r.lowerBound * GEMMKernel.nr, j1 = min(n, r.upperBound * GEMMKernel.nr)
          if j1 <= j0 { continue }
          blocked(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                  b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc, packedA: packed)
        } else {
          let i0 = r.lowerBound * GEMMKernel.mr, i1 = min(m, r.upperBound * GEMMKernel.mr)
          if i1 <= i0 { continue }
          blocked(transA: transA, transB: transB, m: i1 - i0, n: n, k: k, alpha: alpha,
                  a: transA ? a + i0 : a + i0 * lda, lda: lda, b: b, ldb: ldb, beta: beta,
                  c: c + i0 * ldc, ldc: ldc, packedB: packed)
        }
      }
    }
  }

  /// The blocked GEMM with op(B) already packed whole (`prepackB` layout). Threads split C along
  /// n in whole NC blocks (where the whole-operand layout can be cut) when there are enough of
  /// them, else along m, every thread reading all of the packed B.
  static func withPackedB(transA: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                          packedB: UnsafePointer<Float>, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                          threads: Int) {
    let work = m * n * k
    let nBlocks = (n + nc - 1) / nc, mTiles = (m + GEMMKernel.mr - 1) / GEMMKernel.mr
    // Along n when the NC blocks share out evenly (or are many), so each thread reads only its
    // part of B; else along m (e.g. n = 1032: 5 blocks would split 3 : 2).
    let splitN = nBlocks >= 4 * threads || (nBlocks >= threads && nBlocks % threads == 0)
    let nt = max(1, min(threads, splitN ? nBlocks : mTiles, work / 262_144))
    if nt == 1 {
      blocked(transA: transA, transB: false, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: packedB, ldb: 0,
              beta: beta, c: c, ldc: ldc, packedB: packedB)
      return
    }
    let units = splitN ? nBlocks : mTiles
    // A few chunks per thread, claimed as the threads go (a thread the OS delays costs one chunk).
    let chunks = splitN ? min(units, nt * 8) : max(nt, min(nt * 4, units / 2))
    let ab = UInt(bitPattern: a), pb = UInt(bitPattern: packedB), cb = UInt(bitPattern: c)
    let queue = ChunkQueue(chunks)
    ThreadPool.shared.parallelFor(nt, threads: nt) { _ in
      let a = UnsafePointer<Float>(bitPattern: ab)!, packed = UnsafePointer<Float>(bitPattern: pb)!
      let c = UnsafeMutablePointer<Float>(bitPattern: cb)!
      while let part = queue.next() {
        let r = chunkRange(units, parts: chunks, index: part)
        if splitN {
          // Block j0 of the whole packed operand starts at j0·k (all earlier blocks are full).
          let j0 = r.lowerBound * nc, j1 = min(n, r.upperBound * nc)
          if j1 <= j0 { continue }
          blocked(transA: transA, transB: false, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
                  b: packed, ldb: 0, beta: beta, c: c + j0, ldc: ldc, packedB: packed + j0 * k)
        } else {
          let i0 = r.lowerBound * GEMMKernel.mr, i1 = min(m, r.upperBound * GEMMKernel.mr)
          if i1 <= i0 { continue }
          blocked(transA: transA, transB: false, m: i1 - i0, n: n, k: k, alpha: alpha,
                  a: transA ? a + i0 : a + i0 * lda, lda: lda, b: packed, ldb: 0, beta: beta,
                  c: c + i0 * ldc, ldc: ldc, packedB: packed)
        }
      }
    }
  }

  /// Hands out chunk indices 0..<count once each, to whichever thread asks first.
  final class ChunkQueue: @unchecked Sendable {
    private let count: Int
    private var nextIndex = 0
    private let lock = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init(_ count: Int) {
      self.count = count
      pthread_mutex_init(lock, nil)
    }

    deinit {
      pthread_mutex_destroy(lock)
      lock.deallocate()
    }

    /// The next unclaimed chunk, or nil when all are taken.
    func next() -> Int? {
      pthread_mutex_lock(lock)
      defer { pthread_mutex_unlock(lock) }
      if nextIndex >= count { return nil }
      nextIndex += 1
      return nextIndex - 1
    }
  }

  /// Largest shared packed operand (floats, 64 MiB); beyond it each thread packs its own blocks.
  static let sharedLimit = 16 << 20
  /// Smallest shared packed operand (floats): below it each thread packs its own copy.
  static let sharedMinimum = 32 << 10

  @inline(__always) static func roundUp(_ x: Int, _ q: Int) -> Int { (x + q - 1) / q * q }

  /// Where the packed block of rows (or columns) `start…` of length `len`, k block `pc`, begins in
  /// a whole packed operand: blocks before `start` are full (multiples of MR / NR), so they take
  /// `start · k` floats; inside the block, each k block takes `roundUp(len, tile) · kc` floats.
  @inline(__always) static func packedOffset(start: Int, len: Int, tile: Int, pc: Int, k: Int) -> Int {
    start * k + roundUp(len, tile) * pc
  }

  /// Packs this part's MR-row panels of op(A) (all k blocks) into the whole-operand layout that
  /// `blocked(packedA:)` reads.
  static func prepackA(transA: Bool, a: UnsafePointer<Float>, lda: Int, m: Int, k: Int,
                       dst: UnsafeMutablePointer<Float>, part: Int, parts: Int) {
    let mr = GEMMKernel.mr, kb = kBlock(k)
    let panels = chunkRange((m + mr - 1) / mr, parts: parts, index: part)
    let r0 = panels.lowerBound * mr, r1 = min(m, panels.upperBound * mr)
    var ic = 0
    while ic < m {
      let mcb = min(mc, m - ic)
      let lo = max(r0, ic), hi = min(r1, ic + mcb)
      if lo < hi {
        var pc = 0
        while pc < k {
          let kcb = min(kb, k - pc)
          GEMMPacking.packA(trans: transA, a: transA ? a + pc * lda + lo : a + lo * lda + pc, lda: lda,
                            mc: hi - lo, kc: kcb,
                            dst: dst + packedOffset(start: ic, len: mcb, tile: mr, pc: pc, k: k) + (lo - ic) * kcb)
          pc += kb
        }
      }
      ic += mc
    }
  }

  /// Packs this part's NR-column panels of op(B) (all k blocks) into the whole-operand layout that
  /// `blocked(packedB:)` reads.
  static func prepackB(transB: Bool, b: UnsafePointer<Float>, ldb: Int, n: Int, k: Int,
                       dst: UnsafeMutablePointer<Float>, part: Int, parts: Int) {
    let nr = GEMMKernel.nr, kb = kBlock(k)
    let panels = chunkRange((n + nr - 1) / nr, parts: parts, index: part)
    let c0 = panels.lowerBound * nr, c1 = min(n, panels.upperBound * nr)
    var jc = 0
    while jc < n {
      let ncb = min(nc, n - jc)
      let lo = max(c0, jc), hi = min(c1, jc + ncb)
      if lo < hi {
        var pc = 0
        while pc < k {
          let kcb = min(kb, k - pc)
          GEMMPacking.packB(trans: transB, b: transB ? b + lo * ldb + pc : b + pc * ldb + lo, ldb: ldb,
                            kc: kcb, nc: hi - lo,
                            dst: dst + packedOffset(start: jc, len: ncb, tile: nr, pc: pc, k: k) + (lo - jc) * kcb)
          pc += kb
        }
      }
      jc += nc
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
                      beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int,
                      packedA: UnsafePointer<Float>? = nil, packedB: UnsafePointer<Float>? = nil) {
    let mr = GEMMKernel.mr, nr = GEMMKernel.nr
    let kb = kBlock(k), kcMax = min(kb, k)
    let mcMax = min(mc, (m + mr - 1) / mr * mr)
    let ncMax = min(nc, (n + nr - 1) / nr * nr)
    let aFloats = packedA == nil ? mcMax * kcMax : 0, bFloats = packedB == nil ? ncMax * kcMax : 0
    // Offsets in the scratch buffer are multiples of 16 floats, so every part stays 64-byte aligned.
    let aPad = roundUp(aFloats, 16), bPad = roundUp(bFloats, 16)
    let scratch = GEMMScratch.checkOut(aPad + bPad + mr * nr)
    defer { GEMMScratch.checkIn(scratch) }
    let aBuf = scratch.base, bBuf = scratch.base + aPad, tileBuf = scratch.base + aPad + bPad
    let firstStore: GEMMKernel.Store = beta == 0 ? .overwrite : (beta == 1 ? .accumulate : .scale)

    var ic = 0
    while ic < m {
      let mcb = min(mc, m - ic)
      var pc = 0
      while pc < k {
        let kcb = min(kb, k - pc)
        let aBlock: UnsafePointer<Float>
        if let packedA {
          aBlock = packedA + packedOffset(start: ic, len: mcb, tile: mr, pc: pc, k: k)
        } else {
          GEMMPacking.packA(trans: transA, a: transA ? a + pc * lda + ic : a + ic * lda + pc, lda: lda,
                            mc: mcb, kc: kcb, dst: aBuf)
          aBlock = UnsafePointer(aBuf)
        }
        let store: GEMMKernel.Store = pc == 0 ? firstStore : .accumulate
        var jc = 0
        while jc < n {
          let ncb = min(nc, n - jc)
          let bBlock: UnsafePointer<Float>
          if let packedB {
            bBlock = packedB + packedOffset(start: jc, len: ncb, tile: nr, pc: pc, k: k)
          } else {
            GEMMPacking.packB(trans: transB, b: transB ? b + jc * ldb + pc : b + pc * ldb + jc, ldb: ldb,
                              kc: kcb, nc: ncb, dst: bBuf)
            bBlock = UnsafePointer(bBuf)
          }
          var ir = 0
          while ir < mcb {
            let rows = min(mr, mcb - ir)
            let ap = aBlock + ir * kcb
            let cRow = c + (ic + ir) * ldc + jc
            var jr = 0
            while jr < ncb {
              let cols = min(nr, ncb - jr)
              let bp = bBlock + jr * kcb
              if rows == mr && cols == nr {
                GEMMKernel.tile(kc: kcb, a: ap, b: bp, c: cRow + jr, ldc: ldc, alpha: alpha, beta: beta, store: store)
              } else {
                GEMMKernel.tileEdge(rows: rows, cols: cols, kc: kcb, a: ap, aRow: 1, aStep: mr, b: bp, bStep: nr,
                                    tile: tileBuf)
                storeEdge(tileBuf, rows: rows, cols: cols, c: cRow + jr, ldc: ldc, alpha: alpha, beta: beta,
                          store: store)
              }
              jr += nr
            }
            ir += mr
          }
          jc += nc
        }
        pc += kb
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
