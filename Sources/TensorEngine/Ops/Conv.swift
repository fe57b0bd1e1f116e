/// Depthwise 1-D convolution along time (FlexiBERT's dynamic-convolution layers).
///
/// x [B, T, C], weight [C, K], bias [C]: each channel c is convolved with its own kernel along T,
/// "same" zero padding with left = (K − 1) / 2 (so odd K is centred):
///   y[b, t, c] = bias[c] + Σ_k w[c, k] · x[b, t + k − left, c].
/// Cost O(B·T·C·K); the inner loop runs over channels (contiguous) with SIMD.

extension Tensor {
  /// Depthwise conv of x [B, T, C] with weight [C, K] (and optional bias [C]) → [B, T, C].
  public func depthwiseConv1d(weight: Tensor, bias: Tensor?) throws -> Tensor {
    guard rank == 3, weight.rank == 2, weight.shape[0] == shape[2], weight.shape[1] >= 1 else {
      throw TensorError.shapeMismatch(op: "depthwiseConv1d", shapes: [shape, weight.shape],
                                      reason: "input must be [B, T, C] and weight [C, K] with K ≥ 1")
    }
    let bsz = shape[0], t = shape[1], c = shape[2], k = weight.shape[1], left = (k - 1) / 2
    if let bias, bias.shape != [c] {
      throw TensorError.shapeMismatch(op: "depthwiseConv1d", shapes: [shape, weight.shape, bias.shape], reason: "bias must be [C]")
    }
    let x = contiguous()
    // Kernel transposed to [K, C] so the channel loop is contiguous.
    let wT = try withNoGrad { try weight.transposed().contiguous() }
    let out = Tensor.zeros(shape)
    let bc = bias?.contiguous()
    let px = x.pointer, pw = wT.pointer, po = out.pointer
    Tensor.forChunks(bsz * t, costPerItem: c * k) { range in
      for bt in range {
        let b = bt / t, ti = bt % t
        let o = po + bt * c
        if let bc { o.update(from: bc.pointer, count: c) }
        for j in 0..<k {
          let s = ti + j - left
          if s < 0 || s >= t { continue }
          let xr = px + (b * t + s) * c, wr = pw + j * c
          var i = 0
          while i + 16 <= c { vstore(vload(o + i) + vload(xr + i) * vload(wr + i), o + i); i += 16 }
          for r in i..<c { o[r] += xr[r] * wr[r] }
        }
      }
    }
    var inputs = [self, weight]
    if let bias { inputs.append(bias) }
    if GradMode.shouldRecord(inputs) {
      out.record(Node(op: "depthwiseConv1d", inputs: inputs) { g in
        let gc = g.contiguous()
        let dx = Tensor.zeros([bsz, t, c]), dwT = Tensor.zeros([k, c])
        // Capture the tensors (not just their pointers) so the saved input and kernel stay alive.
        let pg = gc.pointer, pdx = dx.pointer, pdw = dwT.pointer, px = x.pointer, pw = wT.pointer
        for b in 0..<bsz {
          for ti in 0..<t {
            let gr = pg + (b * t + ti) * c
            for j in 0..<k {
              let s = ti + j - left
              if s < 0 || s >= t { continue }
              let xr = px + (b * t + s) * c, dxr = pdx + (b * t + s) * c, wr = pw + j * c, dwr = pdw + j * c
              for r in 0..<c {
                dxr[r] += gr[r] * wr[r]
                dwr[r] += gr[r] * xr[r]
              }
            }
          }
        }
        var res: [Tensor?] = [dx, try dwT.transposed().contiguous()]
        if bias != nil { res.append(try gc.sum(axes: [0, 1])) }
        return res
      })
    }
    return out
  }
}
