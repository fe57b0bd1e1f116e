/// Scaled dot-product attention: softmax(q·kᵀ/√hd + mask)·v.
///
/// Shapes: q [B, H, Tq, hd], k [B, H, Tk, hd], v [B, H, Tk, hv] → [B, H, Tq, hv]; `mask` is
/// additive and broadcastable to [B, H, Tq, Tk] (e.g. `paddingMask` [B, 1, 1, Tk]); `causal`
/// lets query i see keys j ≤ i + (Tk − Tq).
///
/// Two paths, tested equal:
/// - composed (autograd recording): matmul → scale → + masks → softmax → matmul, each op
///   differentiable;
/// - fused (no grad): one task per (b, h) on the thread pool; for each block of 64 query rows,
///   one GEMM for the scores (only keys a causal block can see), the mask add and row softmax
///   in place in a per-thread scratch tile, and one GEMM into the output. q, k, v may be strided
///   views (e.g. heads permuted out of [B, T, H, hd]) as long as each matrix has a unit stride.

extension Tensor {
  /// Attention over heads; see the file header for shapes.
  public static func attention(q: Tensor, k: Tensor, v: Tensor, causal: Bool, mask: Tensor? = nil) throws -> Tensor {
    let op = "attention"
    guard q.rank == 4, k.rank == 4, v.rank == 4, q.shape[0] == k.shape[0], q.shape[1] == k.shape[1],
          k.shape[0] == v.shape[0], k.shape[1] == v.shape[1], q.shape[3] == k.shape[3], k.shape[2] == v.shape[2] else {
      throw TensorError.shapeMismatch(op: op, shapes: [q.shape, k.shape, v.shape],
                                      reason: "need q [B, H, Tq, hd], k [B, H, Tk, hd], v [B, H, Tk, hv]")
    }
    let bsz = q.shape[0], heads = q.shape[1], tq = q.shape[2], tk = k.shape[2], hd = q.shape[3], hv = v.shape[3]
    if causal && tq > tk {
      throw TensorError.shapeMismatch(op: op, shapes: [q.shape, k.shape], reason: "causal attention needs Tq ≤ Tk")
    }
    if let mask {
      let b = try broadcastShape(mask.shape, [bsz, heads, tq, tk], op: op)
      guard b == [bsz, heads, tq, tk] else {
        throw TensorError.shapeMismatch(op: op, shapes: [mask.shape, [bsz, heads, tq, tk]],
                                        reason: "mask must broadcast to [B, H, Tq, Tk]")
      }
    }
    let scale = 1 / Float(hd).squareRoot()
    var inputs = [q, k, v]
    if let mask { inputs.append(mask) }
    if GradMode.shouldRecord(inputs) {
      var s = try q.matmul(k.transposed()).scaled(scale)           // [B, H, Tq, Tk]
      if causal { s = try s + causalMask(queries: tq, keys: tk) }
      if let mask { s = try s + mask }
      return try s.softmax(axis: -1).matmul(v)                      // [B, H, Tq, hv]
    }
    return fusedAttention(q: q, k: k, v: v, causal: causal, mask: mask, scale: scale,
                          dims: (bsz, heads, tq, tk, hd, hv))
  }

  /// The no-grad fused kernel (inputs already validated).
  private static func fusedAttention(q qIn: Tensor, k kIn: Tensor, v vIn: Tensor, causal: Bool, mask: Tensor?,
                                     scale: Float, dims: (Int, Int, Int, Int, Int, Int)) -> Tensor {
    let (bsz, heads, tq, tk, hd, hv) = dims
    let out = Tensor(uninitializedShape: [bsz, heads, tq, hv])
    let items = bsz * heads
    if items == 0 || tq == 0 { return out }
    if tk == 0 { out.fill(0); return out }
    let q = qIn.gemmOperand(rows: tq, cols: hd) != nil ? qIn : qIn.contiguous()
    let k = kIn.gemmOperand(rows: tk, cols: hd) != nil ? kIn : kIn.contiguous()
    let v = vIn.gemmOperand(rows: tk, cols: hv) != nil ? vIn : vIn.contiguous()
    let (tqT, ldq) = q.gemmOperand(rows: tq, cols: hd)!
    let (tkT, ldk) = k.gemmOperand(rows: tk, cols: hd)!
    let (tvT, ldv) = v.gemmOperand(rows: tk, cols: hv)!
    let ms = mask?.broadcastStrides(to: [bsz, heads, tq, tk])
    let block = Swift.min(64, tq)
    let parts = Swift.min(Engine.threads, items)
    let scratch = Tensor(uninitializedShape: [parts, block, tk])   // per-thread score tile
    let offset = tk - tq
    let pq = q.pointer, pk = k.pointer, pv = v.pointer, po = out.pointer, pm = mask?.pointer
    let (qs0, qs1, ks0, ks1, vs0, vs1) = (q.strides[0], q.strides[1], k.strides[0], k.strides[1], v.strides[0], v.strides[1])
    ThreadPool.shared.parallelFor(parts) { part in
      let tile = scratch.pointer + part * block * tk
      for item in chunkRange(items, parts: parts, index: part) {
        let b = item / heads, h = item % heads
        let qm = pq + b * qs0 + h * qs1, km = pk + b * ks0 + h * ks1, vm = pv + b * vs0 + h * vs1
        let om = po + item * tq * hv
        var i0 = 0
        while i0 < tq {
          let rows = Swift.min(block, tq - i0)
          let keys = causal ? Swift.min(tk, i0 + rows + offset) : tk      // keys this block can see
          // S[rows, keys] = scale · Q[i0..., :] · Kᵀ
          let qRow = tqT ? qm + i0 : qm + i0 * ldq
          GEMM.sgemm(transA: tqT, transB: !tkT, m: rows, n: keys, k: hd, alpha: scale, a: qRow, lda: ldq,
                     b: km, ldb: ldk, beta: 0, c: tile, ldc: tk, threads: 1)
          for r in 0..<rows {
            let i = i0 + r, row = tile + r * tk
            let visible = causal ? Swift.min(keys, i + offset + 1) : keys
            if let pm, let ms {
              let mrow = pm + b * ms[0] + h * ms[1] + i * ms[2]
              if ms[3] == 1 {
                var j = 0
                while j + 16 <= visible { vstore(vload(row + j) + vload(mrow + j), row + j); j += 16 }
                for jj in j..<visible { row[jj] += mrow[jj] }
              } else {
                for j in 0..<visible { row[j] += mrow[j * ms[3]] }
              }
            }
            softmaxRow(row, row, visible)
            if visible < keys { (row + visible).update(repeating: 0, count: keys - visible) }
          }
          // O[i0..., :] = P[rows, keys] · V[keys, hv]
          GEMM.sgemm(transA: false, transB: tvT, m: rows, n: hv, k: keys, alpha: 1, a: tile, lda: tk,
                     b: vm, ldb: ldv, beta: 0, c: om + i0 * hv, ldc: hv, threads: 1)
          i0 += rows
        }
      }
    }
    return out
  }
}
