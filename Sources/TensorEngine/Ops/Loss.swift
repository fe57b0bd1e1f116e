import RealModule

/// Cross-entropy over a vocabulary, in nats.
///
/// logits [N, V], targets N ids: loss = mean_i (logsumexp(logits_i) − logits_i[target_i]), with
/// the row maximum subtracted inside the log-sum-exp. Gradient: (softmax − onehot) / N.

extension Tensor {
  /// Mean cross-entropy of `logits` [N, V] against `targets` (N ids in 0..<V), a 0-d tensor.
  /// Throws `nonFinite` when the loss is NaN or infinite (e.g. non-finite logits).
  public static func crossEntropy(logits: Tensor, targets: [Int]) throws -> Tensor {
    guard logits.rank == 2, logits.shape[0] == targets.count, logits.shape[0] > 0 else {
      throw TensorError.shapeMismatch(op: "crossEntropy", shapes: [logits.shape, [targets.count]],
                                      reason: "logits must be [N, V] with N = number of targets > 0")
    }
    let n = logits.shape[0], v = logits.shape[1]
    for t in targets where t < 0 || t >= v {
      throw TensorError.indexOutOfRange(op: "crossEntropy", index: t, range: 0..<v, shape: logits.shape)
    }
    let x = logits.contiguous()
    var lse = [Float](repeating: 0, count: n)
    var total = 0.0
    for i in 0..<n {
      let row = x.pointer + i * v
      let m = vmax(row, v)
      lse[i] = m + Float.log(sumExpShifted(row, v, m))
      total += Double(lse[i] - row[targets[i]])
    }
    let loss = Float(total / Double(n))
    guard loss.isFinite else {
      throw TensorError.nonFinite(op: "crossEntropy", shape: logits.shape, detail: "loss is \(loss)")
    }
    let out = Tensor.scalar(loss)
    if GradMode.shouldRecord(logits) {
      out.record(Node(op: "crossEntropy", inputs: [logits]) { g in
        let scale = g.item / Float(n)
        let d = Tensor(uninitializedShape: [n, v])
        for i in 0..<n {
          let row = x.pointer + i * v, dr = d.pointer + i * v
          let l = Vec16(repeating: lse[i]), sv = Vec16(repeating: scale)
          var j = 0
          while j + 16 <= v { vstore(vexp(vload(row + j) - l) * sv, dr + j); j += 16 }
          if j < v { vstorePartial(vexp(vloadPartial(row + j, v - j) - l) * sv, dr + j, v - j) }
          dr[targets[i]] -= scale
        }
        return [d]
      })
    }
    return out
  }
}
