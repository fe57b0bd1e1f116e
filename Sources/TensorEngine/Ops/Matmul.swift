/// Matrix products on the engine's GEMM. Batched over leading dimensions (broadcast), and
/// transposed views of the last two axes are passed to GEMM as flags, without copies.

extension Tensor {
  /// How a matrix view can be handed to GEMM: pointer offset, transposed flag, leading dimension.
  func gemmOperand(rows: Int, cols: Int) -> (trans: Bool, ld: Int)? {
    let r = rank
    let s0 = strides[r - 2], s1 = strides[r - 1]
    if s1 == 1 && (s0 >= cols || rows == 1) { return (false, Swift.max(s0, cols)) }
    if s0 == 1 && (s1 >= rows || cols == 1) { return (true, Swift.max(s1, rows)) }
    return nil
  }

  /// `a @ b` for shapes `[…, m, k] @ […, k, n]` (leading dims broadcast; 1-D operands are not
  /// promoted: use 2-D).
  public func matmul(_ b: Tensor) throws -> Tensor {
    let a = self
    guard a.rank >= 2, b.rank >= 2 else {
      throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], reason: "both operands need at least 2 dimensions")
    }
    let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1], k2 = b.shape[b.rank - 2], n = b.shape[b.rank - 1]
    guard k == k2 else {
      throw TensorError.shapeMismatch(op: "matmul", shapes: [a.shape, b.shape], reason: "inner dimensions \(k) and \(k2) differ")
    }
    let batchA = Array(a.shape.dropLast(2)), batchB = Array(b.shape.dropLast(2))
    let batch = try Tensor.broadcastShape(batchA, batchB, op: "matmul")
    let nb = batch.reduce(1, *)
    let out = Tensor(uninitializedShape: batch + [m, n])
    // Operands usable in place, else made contiguous.
    let A = a.gemmOperand(rows: m, cols: k) != nil ? a : a.contiguous()
    let B = b.gemmOperand(rows: k, cols: n) != nil ? b : b.contiguous()
    let (ta, lda) = A.gemmOperand(rows: m, cols: k)!
    let (tb, ldb) = B.gemmOperand(rows: k, cols: n)!
    let sA = A.broadcastStrides(to: batch + [m, k]), sB = B.broadcastStrides(to: batch + [k, n])
    if nb == 1 {
      GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: A.pointer, lda: lda,
                 b: B.pointer, ldb: ldb, beta: 0, c: out.pointer, ldc: n, bOwner: B.storage)
    } else {
      // Offsets of each batch item.
      func offsets(_ s: [Int]) -> [Int] {
        var res = [Int](repeating: 0, count: nb)
        var idx = [Int](repeating: 0, count: batch.count)
        for t in 0..<nb {
          var o = 0
          for d in 0..<batch.count { o += idx[d] * s[d] }
          res[t] = o
          var d = batch.count - 1
          while d >= 0 { idx[d] += 1; if idx[d] < batch[d] { break }; idx[d] = 0; d -= 1 }
        }
        return res
      }
      let oa = offsets(sA), ob = offsets(sB)
      let pa = A.pointer, pb = B.pointer, pc = out.pointer
      let threads = Engine.threads
      let work = 2 * m * n * k
      if nb >= threads && work < 4_000_000 {
        // Many small products: one thread per batch item, single-threaded GEMMs.
        ThreadPool.shared.parallelFor(threads) { part in
          for t in chunkRange(nb, parts: threads, index: part) {
            GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: pa + oa[t], lda: lda,
                       b: pb + ob[t], ldb: ldb, beta: 0, c: pc + t * m * n, ldc: n, threads: 1)
          }
        }
      } else {
        for t in 0..<nb {
          GEMM.sgemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: pa + oa[t], lda: lda,
                     b: pb + ob[t], ldb: ldb, beta: 0, c: pc + t * m * n, ldc: n)
        }
      }
    }
    if GradMode.shouldRecord(a, b) {
      out.record(Node(op: "matmul", inputs: [a, b]) { g in
        let ga = a.requiresGrad ? try g.matmul(b.transposed()).sumToShape(a.shape) : nil
        let gb = b.requiresGrad ? try a.transposed().matmul(g).sumToShape(b.shape) : nil
        return [ga, gb]
      })
    }
    return out
  }
}
