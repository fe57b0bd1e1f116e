import Foundation

/// A small, fast, seedable RNG (SplitMix64). One instance is passed `inout` wherever randomness
/// is drawn, so the same seed always gives the same run.
///
/// It lives in SearchSpaces (the lowest module) so that spaces, search and the tensor engine share
/// one generator. Its whole state is `state`: `SplitMix64(seed: rng.state)` continues the stream,
/// which is how a search checkpoint restores it.
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
    return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
  }
}
