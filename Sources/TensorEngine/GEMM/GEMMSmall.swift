/// The unpacked path of the native SGEMM, for problems too small or too skinny to repay packing
/// (m·n·k < 32k, m ≤ 4 such as one token's row times a weight matrix, or n ≤ 8).
///
/// C is first scaled by beta (zeroed when beta = 0, never read), then `alpha · op(A) · op(B)` is
/// added: as row updates `C[i,:] += a_ip · B[p,:]` when op(B) rows are contiguous, or as dot
/// products of contiguous rows when op(B) = Bᵀ. Large skinny problems split n across threads.
enum GEMMSmall {
  /// Columns of C updated together, so that the C chunks stay in cache across the k loop.
  static let columnChunk = 1024

  static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    let nt = max(1, min(threads, n / 64, m * n * k / 1_048_576))
    if nt == 1 {
      block(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb,
            beta: beta, c: c, ldc: ldc)
      return
    }
    let ab = UInt(bitPattern: a), bb = UInt(bitPattern: b), cb = UInt(bitPattern: c)
    ThreadPool.shared.parallelFor(nt, threads: nt) { t in
      let a = UnsafePointer<Float>(bitPattern: ab)!, b = UnsafePointer<Float>(bitPattern: bb)!
      let c = UnsafeMutablePointer<Float>(bitPattern: cb)!
      // Split n in multiples of 16 columns.
      let r = chunkRange((n + 15) / 16, parts: nt, index: t)
      let j0 = r.lowerBound * 16, j1 = min(n, r.upperBound * 16)
      if j1 <= j0 { return }
      block(transA: transA, transB: transB, m: m, n: j1 - j0, k: k, alpha: alpha, a: a, lda: lda,
            b: transB ? b + j0 * ldb : b + j0, ldb: ldb, beta: beta, c: c + j0, ldc: ldc)
    }
  }

  /// One thread's columns of C.
  static func block(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    NativeGEMM.scale(m: m, n: n, beta: beta, c: c, ldc: ldc)
    let fused = GEMMKernel.fusedMultiplyAdd
    if transB {
      // C[i, j] += alpha · ⟨op(A) row i, B row j⟩; op(A) row i is gathered when A is transposed.
      withUnsafeTemporaryAllocation(of: Float.self, capacity: transA ? k : 0) { tmp in
        for i in 0..<m {
          let arow: UnsafePointer<Float>
          if transA {
            for p in 0..<k { tmp[p] = a[p * lda + i] }
            arow = UnsafePointer(tmp.baseAddress!)
          } else {
            arow = a + i * lda
          }
          let crow = c + i * ldc
          for j in 0..<n { crow[j] += alpha * dot(arow, b + j * ldb, k, fused) }
        }
      }
      return
    }
    // C[i, j0..<j0+w] += alpha · a_ip · B[p, j0..<j0+w]. With few rows, each chunk of a B row is
    // read once and applied to every row of C (whose chunks stay in L1 / L2); with many rows
    // (then n is small), each row of C stays in cache while its row of op(A) is read in order.
    var j0 = 0
    while j0 < n {
      let w = min(columnChunk, n - j0)
      if m <= 8 {
        for p in 0..<k {
          let brow = b + p * ldb + j0
          for i in 0..<m { axpy(alpha * (transA ? a[p * lda + i] : a[i * lda + p]), brow, c + i * ldc + j0, w, fused) }
        }
      } else {
        for i in 0..<m {
          let crow = c + i * ldc + j0
          for p in 0..<k {
            axpy(alpha * (transA ? a[p * lda + i] : a[i * lda + p]), b + p * ldb + j0, crow, w, fused)
          }
        }
      }
      j0 += w
    }
  }

  /// y[0..<n] += s · x[0..<n] (`fused`: with FMA, see `GEMMKernel.fusedMultiplyAdd`).
  @inline(__always)
  static func axpy(_ s: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int,
                   _ fused: Bool) {
    let vs = SIMD16<Float>(repeating: s)
    var j = 0
    while j + 16 <= n {
      let xv = UnsafeRawPointer(x + j).loadUnaligned(as: SIMD16<Float>.self)
      let yp = UnsafeMutableRawPointer(y + j)
      yp.storeBytes(of: GEMMKernel.madd(yp.loadUnaligned(as: SIMD16<Float>.self), vs, xv, fused),
                    as: SIMD16<Float>.self)
      j += 16
    }
    while j < n { y[j] = fused ? y[j].addingProduct(s, x[j]) : y[j] + s * x[j]; j += 1 }
  }

  /// ⟨x, y⟩ over n floats, in two SIMD accumulators.
  @inline(__always)
  static func dot(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ n: Int, _ fused: Bool) -> Float {
    var s0 = SIMD16<Float>(), s1 = SIMD16<Float>()
    var p = 0
    while p + 32 <= n {
      let xr = UnsafeRawPointer(x + p), yr = UnsafeRawPointer(y + p)
      s0 = GEMMKernel.madd(s0, xr.loadUnaligned(as: SIMD16<Float>.self), yr.loadUnaligned(as: SIMD16<Float>.self),
                           fused)
      s1 = GEMMKernel.madd(s1, xr.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self),
                           yr.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self), fused)
      p += 32
    }
    if p + 16 <= n {
      s0 = GEMMKernel.madd(s0, UnsafeRawPointer(x + p).loadUnaligned(as: SIMD16<Float>.self),
                           UnsafeRawPointer(y + p).loadUnaligned(as: SIMD16<Float>.self), fused)
      p += 16
    }
    var s = (s0 + s1).sum()
    while p < n { s = fused ? s.addingProduct(x[p], y[p]) : s + x[p] * y[p]; p += 1 }
    return s
  }
}
