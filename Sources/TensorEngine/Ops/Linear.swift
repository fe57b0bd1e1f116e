/// Fully connected layer: x [..., in] · W [in, out] + b [out] → [..., out].
///
/// The weight is stored [in, out] (GPT-2 `Conv1D` layout). Forward fills each output row with
/// the bias and runs one GEMM with beta = 1 (bias add fused, no extra pass); a transposed weight
/// view goes to GEMM as a flag. Backward: dx = g·Wᵀ, dW = xᵀ·g, db = Σ_rows g, all GEMMs.

extension Tensor {
  /// `x · weight + bias` over the last axis.
  public func linear(weight: Tensor, bias: Tensor?) throws -> Tensor {
    guard rank >= 1, weight.rank == 2, shape[rank - 1] == weight.shape[0] else {
      throw TensorError.shapeMismatch(op: "linear", shapes: [shape, weight.shape],
                                      reason: "input [..., in] needs weight [in, out]")
    }
    let inF = weight.shape[0], outF = weight.shape[1]
    if let bias, bias.shape != [outF] {
      throw TensorError.shapeMismatch(op: "linear", shapes: [shape, weight.shape, bias.shape], reason: "bias must be [out] = [\(outF)]")
    }
    let rows = inF == 0 ? count / Swift.max(1, shape[rank - 1]) : count / inF
    let x = contiguous()
    let W = weight.gemmOperand(rows: inF, cols: outF) != nil ? weight : weight.contiguous()
    let (tw, ldw) = W.gemmOperand(rows: inF, cols: outF)!
    let outShape = Array(shape.dropLast()) + [outF]
    let out = Tensor(uninitializedShape: outShape)
    let o = out.pointer
    var beta: Float = 0
    if let bias {
      let bc = bias.contiguous()
      for r in 0..<rows { (o + r * outF).update(from: bc.pointer, count: outF) }
      beta = 1
    } else if inF == 0 {
      o.update(repeating: 0, count: rows * outF)
    }
    if inF > 0 {
      GEMM.sgemm(transA: false, transB: tw, m: rows, n: outF, k: inF, alpha: 1, a: x.pointer, lda: inF,
                 b: W.pointer, ldb: ldw, beta: beta, c: o, ldc: outF, bOwner: W.storage)
    }
    var inputs = [self, weight]
    if let bias { inputs.append(bias) }
    if GradMode.shouldRecord(inputs) {
      let inShape = shape
      out.record(Node(op: "linear", inputs: inputs) { g in
        let g2 = try g.reshaped([rows, outF])
        let x2 = try x.reshaped([rows, inF])
        let dx = self.requiresGrad ? try g2.matmul(weight.transposed()).reshaped(inShape) : nil
        let dw = weight.requiresGrad ? try x2.transposed().matmul(g2) : nil
        var res: [Tensor?] = [dx, dw]
        if let bias { res.append(bias.requiresGrad ? try g2.sum(axes: [0]) : nil) }
        return res
      })
    }
    return out
  }
}
