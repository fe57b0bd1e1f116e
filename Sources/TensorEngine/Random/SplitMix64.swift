/// A small, fast, seedable RNG (SplitMix64). One instance is passed `inout` wherever randomness
/// is drawn, so the same seed always gives the same run.
public struct SplitMix64: RandomNumberGenerator, Sendable, Codable, Equatable {
  public private(set) var state: UInt64

  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in [0, 1).
  public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

  /// Standard normal (Box–Muller).
  public mutating func nextNormal() -> Double {
    var u1 = nextUnit()
    while u1 <= .leastNormalMagnitude { u1 = nextUnit() }
    let u2 = nextUnit()
    return (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
  }
}

import RealModule

@inline(__always) func _log(_ x: Double) -> Double { Double.log(x) }
@inline(__always) func _cos(_ x: Double) -> Double { Double.cos(x) }

extension Tensor {
  /// Normal(mean, std) initialisation.
  public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout SplitMix64,
                           requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    let p = t.pointer
    for i in 0..<t.count { p[i] = mean + std * Float(rng.nextNormal()) }
    t.requiresGrad = requiresGrad
    return t
  }

  /// Uniform(low, high) initialisation.
  public static func uniform(_ shape: [Int], low: Float, high: Float, using rng: inout SplitMix64,
                             requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    let p = t.pointer
    let w = Double(high - low)
    for i in 0..<t.count { p[i] = low + Float(rng.nextUnit() * w) }
    t.requiresGrad = requiresGrad
    return t
  }
}
