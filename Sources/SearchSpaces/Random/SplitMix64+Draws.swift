/// Integer and Bernoulli draws used by search spaces and searchers.
extension SplitMix64 {
  /// Uniform integer in `0..<n` (n ≥ 1), by Lemire's multiply-shift with rejection (unbiased).
  public mutating func nextIndex(_ n: Int) -> Int {
    precondition(n >= 1, "nextIndex needs n ≥ 1")
    // Written out (not `UInt64.random(in:using:)`) so the stream never depends on the stdlib version.
    let bound = UInt64(n)
    var m = next().multipliedFullWidth(by: bound)
    if m.low < bound {
      let threshold = (0 &- bound) % bound
      while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
    }
    return Int(m.high)
  }

  /// `true` with probability `p`.
  public mutating func chance(_ p: Double) -> Bool { nextUnit() < p }
}
