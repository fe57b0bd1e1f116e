/// Layer normalisation over the last axis (GPT-2 / BERT `LayerNorm`).
///
/// Shapes: x [..., D] viewed as rows [N, D]; weight, bias [D]. Forward per row: mean μ, biased
/// variance σ², rstd = 1/√(σ² + eps), y = (x − μ)·rstd·w + b. Backward (llm.c form) with
/// x̂ = (x − μ)·rstd and d = g·w: dx = rstd·(d − mean(d) − x̂·mean(d·x̂)), dw = Σ g·x̂, db = Σ g.

/// Normalises `rows` rows of length `n`; writes per-row mean and rstd when `stats` is given.
func layerNormRows(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ w: UnsafePointer<Float>,
                   _ b: UnsafePointer<Float>, rows: Int, n: Int, eps: Float,
                   stats: UnsafeMutablePointer<Float>?) {
  Tensor.forChunks(rows, costPerItem: 4 * n) { range in
    for r in range {
      let xr = x + r * n, yr = y + r * n
      let mean = vsum(xr, n) / Float(n)
      let mv = Vec16(repeating: mean)
      var acc = Vec16()
      var i = 0
      while i + 16 <= n { let d = vload(xr + i) - mv; acc += d * d; i += 16 }
      if i < n { let d = vloadPartial(xr + i, n - i, pad: mean) - mv; acc += d * d }
      let rstd = 1 / (acc.sum() / Float(n) + eps).squareRoot()
      let rv = Vec16(repeating: rstd)
      i = 0
      while i + 16 <= n { vstore((vload(xr + i) - mv) * rv * vload(w + i) + vload(b + i), yr + i); i += 16 }
      if i < n {
        let m = n - i
        vstorePartial((vloadPartial(xr + i, m) - mv) * rv * vloadPartial(w + i, m) + vloadPartial(b + i, m), yr + i, m)
      }
      if let s = stats { s[2 * r] = mean; s[2 * r + 1] = rstd }
    }
  }
}

extension Tensor {
  /// Layer norm over the last axis with learned `weight` and `bias` (both [D]).
  public func layerNorm(weight: Tensor, bias: Tensor, eps: Float = 1e-5) throws -> Tensor {
    guard rank >= 1, let d = shape.last, weight.shape == [d], bias.shape == [d] else {
      throw TensorError.shapeMismatch(op: "layerNorm", shapes: [shape, weight.shape, bias.shape],
                                      reason: "weight and bias must be [D] for input [..., D]")
    }
    let x = contiguous(), w = weight.contiguous(), b = bias.contiguous()
    let rows = d == 0 ? 0 : count / d
    let out = Tensor(uninitializedShape: shape)
    let recording = GradMode.shouldRecord(self, weight, bias)
    let stats: Tensor? = recording ? Tensor(uninitializedShape: [rows, 2]) : nil
    layerNormRows(x.pointer, out.pointer, w.pointer, b.pointer, rows: rows, n: d, eps: eps, stats: stats?.pointer)
    if recording, let stats {
      let inShape = shape
      out.record(Node(op: "layerNorm", inputs: [self, weight, bias]) { g in
        let gc = g.contiguous()
        let dx = Tensor(uninitializedShape: inShape), dw = Tensor.zeros([d]), db = Tensor.zeros([d])
        let nf = Float(d)
        for r in 0..<rows {
          let xr = x.pointer + r * d, gr = gc.pointer + r * d, dxr = dx.pointer + r * d
          let mean = stats.pointer[2 * r], rstd = stats.pointer[2 * r + 1]
          var sumD: Float = 0, sumDX: Float = 0
          for j in 0..<d {
            let xh = (xr[j] - mean) * rstd, dn = gr[j] * w.pointer[j]
            sumD += dn; sumDX += dn * xh
            dw.pointer[j] += gr[j] * xh
            db.pointer[j] += gr[j]
          }
          let mD = sumD / nf, mDX = sumDX / nf
          for j in 0..<d {
            let xh = (xr[j] - mean) * rstd
            dxr[j] = (gr[j] * w.pointer[j] - mD - xh * mDX) * rstd
          }
        }
        return [dx, dw, db]
      })
    }
    return out
  }
}
