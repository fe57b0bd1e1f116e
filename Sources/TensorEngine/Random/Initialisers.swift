/// Tensor initialisers drawing from the shared `SplitMix64` (defined in SearchSpaces).
import SearchSpaces
import RealModule
import Foundation

extension Tensor {
  /// Elements per independently seeded block of `randn` (fixed, so values never depend on threads).
  static let randnBlock = 1 << 14

  /// Normal(mean, std) initialisation.
  ///
  /// Takes one draw from `rng` as a base seed, then fills fixed blocks of `randnBlock` elements, each
  /// from its own SplitMix64 seeded by (base, block index), with the Box–Muller transform in Float
  /// (both outputs of each pair used). Blocks run on all threads; the values depend only on the seed.
  public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1, using rng: inout SplitMix64,
                           requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    let p = t.pointer, n = t.count
    let base = rng.next()
    let blocks = (n + randnBlock - 1) / randnBlock
    let fill: (Int) -> Void = { b in
      var r = SplitMix64(seed: base ^ (UInt64(b) &* 0xD1B5_4A32_D192_ED03))
      let lo = b * randnBlock, hi = Swift.min(n, lo + randnBlock)
      var i = lo
      while i < hi {
        // u1 in (0, 1], u2 in [0, 1) from 24 random bits each.
        let bits = r.next()
        let u1 = (Float(bits >> 40) + 1) * 0x1p-24
        let u2 = Float((bits >> 8) & 0xFF_FFFF) * 0x1p-24
        let radius = (-2 * Float.log(u1)).squareRoot() * std
        let theta = 2 * Float.pi * u2
        p[i] = mean + radius * Float.cos(theta)
        if i + 1 < hi { p[i + 1] = mean + radius * Float.sin(theta) }
        i += 2
      }
    }
    if blocks >= 4 {
      let parts = Swift.min(Engine.threads, blocks)
      ThreadPool.shared.parallelFor(parts) { part in for b in chunkRange(blocks, parts: parts, index: part) { fill(b) } }
    } else {
      for b in 0..<blocks { fill(b) }
    }
    t.requiresGrad = requiresGrad
    return t
  }

  /// Normal(0, std) by Marsaglia's polar method in Float, drawn sequentially from `rng`: two normals
  /// per accepted pair of 24-bit uniforms taken from one draw (about 21% of draws are rejected, so
  /// the number of draws taken depends on the values). Single-threaded, but for the many mid-sized
  /// matrices of a FlexiBERT encoder it costs ≈ 1.4× less CPU than `randn` (measured in
  /// docs/zerolm.md), and it is the stream behind every FlexiBERT figure there; `randn` (blocked,
  /// parallel Box–Muller) serves the rest.
  public static func randnPolar(_ shape: [Int], std: Float = 1, using rng: inout SplitMix64) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    let n = t.count, p = t.pointer
    var i = 0
    while i < n {
      let z = rng.next()
      let u = Float(UInt32(truncatingIfNeeded: z) >> 8) * 0x1.0p-23 - 1          // (−1, 1)
      let v = Float(UInt32(truncatingIfNeeded: z >> 32) >> 8) * 0x1.0p-23 - 1
      let s = u * u + v * v
      if s >= 1 || s == 0 { continue }
      let f = (-2 * logf(s) / s).squareRoot() * std
      p[i] = u * f
      if i + 1 < n { p[i + 1] = v * f }
      i += 2
    }
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
