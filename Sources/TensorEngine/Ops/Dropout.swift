import SearchSpaces
/// Inverted dropout: in training each element is zeroed with probability p and the survivors are
/// scaled by 1/(1 − p), so inference needs no rescaling; outside training it is the identity.

extension Tensor {
  /// Dropout with drop probability `p` ∈ [0, 1); identity (returns self) when `!training` or p = 0.
  public func dropout(p: Float, training: Bool, using rng: inout SplitMix64) throws -> Tensor {
    guard p >= 0 && p < 1 else {
      throw TensorError.invalidArgument(op: "dropout", detail: "p must be in [0, 1), got \(p) (input shape \(shape))")
    }
    if !training || p == 0 { return self }
    let keep = 1 - Double(p), scale = 1 / Float(keep)
    let mask = Tensor(uninitializedShape: shape)
    for i in 0..<count { mask.pointer[i] = rng.nextUnit() < keep ? scale : 0 }
    let out = Tensor.zipMap(self, mask, MulKernel())
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "dropout", inputs: [self]) { g in [Tensor.zipMap(g, mask, MulKernel())] })
    }
    return out
  }
}
