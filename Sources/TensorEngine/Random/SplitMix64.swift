/// Tensor initialisers drawing from the shared `SplitMix64` (defined in SearchSpaces).
import SearchSpaces
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
