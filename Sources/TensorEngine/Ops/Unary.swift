/// Elementwise unary ops.

extension Tensor {
  /// Elementwise `f(x)`; no autograd.
  @inline(__always)
  func mapValues(_ f: (Float) -> Float) -> Tensor {
    let src = contiguous()
    let out = Tensor(uninitializedShape: shape)
    let p = src.pointer, o = out.pointer
    for i in 0..<count { o[i] = f(p[i]) }
    return out
  }

  /// `s · x`.
  public func scaled(_ s: Float) throws -> Tensor {
    let out = mapValues { $0 * s }
    if GradMode.shouldRecord(self) { out.record(Node(op: "scale", inputs: [self]) { g in [try g.scaled(s)] }) }
    return out
  }
}
