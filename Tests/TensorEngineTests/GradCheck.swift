import SearchSpaces
@testable import TensorEngine

/// Test helpers: central finite-difference gradient checks and tolerance comparisons.
///
/// `gradCheck` reduces f's output to a scalar with a fixed random projection R
/// (L = Σ f(inputs) ⊙ R, so every output element matters with a different weight), back-propagates
/// once, then perturbs every element of every input by ±eps and compares
/// (L(x + eps) − L(x − eps)) / 2eps against the analytic gradient with |Δ| ≤ atol + rtol·|ref|.
/// The numerical evaluations run with grad recording off, so ops with separate inference paths
/// (fused attention) are checked against their differentiable path at the same time.
/// Returns a description of up to 10 mismatches (empty = pass).
func gradCheck(_ inputs: [Tensor], eps: Float = 1e-2, atol: Float = 2e-3, rtol: Float = 2e-2, seed: UInt64 = 7,
               _ f: ([Tensor]) throws -> Tensor) throws -> [String] {
  for x in inputs {
    precondition(x.isContiguous && x.isLeaf, "gradCheck: inputs must be contiguous leaves")
    x.requiringGrad()
    x.zeroGrad()
  }
  var rng = SplitMix64(seed: seed)
  let y0 = try f(inputs)
  let r = Tensor.randn(y0.shape, using: &rng)
  let rv = r.values
  func loss() throws -> Float {
    let y = try withNoGrad { try f(inputs).values }
    var s = 0.0
    for (a, b) in zip(y, rv) { s += Double(a) * Double(b) }
    return Float(s)
  }
  try (y0 * r).sum().backward()
  var failures: [String] = []
  for (i, x) in inputs.enumerated() {
    let analytic = x.grad?.values ?? [Float](repeating: 0, count: x.count)
    for j in 0..<x.count {
      let old = x.pointer[j]
      x.pointer[j] = old + eps
      let lp = try loss()
      x.pointer[j] = old - eps
      let lm = try loss()
      x.pointer[j] = old
      let numeric = (lp - lm) / (2 * eps)
      if abs(numeric - analytic[j]) > atol + rtol * abs(numeric), failures.count < 10 {
        failures.append("input \(i) \(x.shape) element \(j): analytic \(analytic[j]) vs numeric \(numeric)")
      }
    }
  }
  for x in inputs { x.zeroGrad() }
  return failures
}

/// Indices where |a − b| > atol + rtol·|b| (b is the reference), described; empty = all close.
func mismatches(_ a: [Float], _ b: [Float], atol: Float = 1e-5, rtol: Float = 1e-4) -> [String] {
  guard a.count == b.count else { return ["counts differ: \(a.count) vs \(b.count)"] }
  var out: [String] = []
  for i in 0..<a.count where !(abs(a[i] - b[i]) <= atol + rtol * abs(b[i])) {
    if a[i] == b[i] { continue }   // equal infinities
    out.append("[\(i)] \(a[i]) vs reference \(b[i])")
    if out.count == 10 { break }
  }
  return out
}

/// A seeded normal tensor (test inputs).
func randn(_ shape: [Int], seed: UInt64, std: Float = 1) -> Tensor {
  var rng = SplitMix64(seed: seed)
  return Tensor.randn(shape, std: std, using: &rng)
}

/// A seeded uniform tensor in [low, high).
func uniform(_ shape: [Int], seed: UInt64, _ low: Float, _ high: Float) -> Tensor {
  var rng = SplitMix64(seed: seed)
  return Tensor.uniform(shape, low: low, high: high, using: &rng)
}
