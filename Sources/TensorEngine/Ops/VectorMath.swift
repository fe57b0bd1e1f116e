/// SIMD building blocks shared by the elementwise, softmax and normalisation kernels.
///
/// Every kernel works on 16 floats at a time (`SIMD16<Float>`, one AVX-512 register); the tail of
/// a buffer is padded into a register rather than handled by a second scalar implementation, so
/// each op has exactly one kernel. `vexp` is the Cephes `expf` range reduction + degree-6
/// polynomial (≤ 2 ulp on [-87, 88]); it returns exactly 0 below -87.3 (so −inf masks give 0),
/// +inf above 88.7 and propagates NaN. Rounding uses the 1.5·2²³ trick and clamps are compare +
/// select, because the stdlib's generic SIMD conversions, `clamped` and `pointwiseMax` do not
/// vectorise (they cost ~10× a whole `vexp`).

public typealias Vec16 = SIMD16<Float>

// MARK: - Loads and stores

@inline(__always)
func vload(_ p: UnsafePointer<Float>) -> Vec16 {
  UnsafeRawPointer(p).loadUnaligned(as: Vec16.self)
}

@inline(__always)
func vstore(_ v: Vec16, _ p: UnsafeMutablePointer<Float>) {
  UnsafeMutableRawPointer(p).storeBytes(of: v, as: Vec16.self)
}

/// Loads `n` < 16 floats, padding the other lanes with `pad`.
@inline(__always)
func vloadPartial(_ p: UnsafePointer<Float>, _ n: Int, pad: Float = 0) -> Vec16 {
  var v = Vec16(repeating: pad)
  for i in 0..<n { v[i] = p[i] }
  return v
}

/// Stores the first `n` < 16 lanes.
@inline(__always)
func vstorePartial(_ v: Vec16, _ p: UnsafeMutablePointer<Float>, _ n: Int) {
  for i in 0..<n { p[i] = v[i] }
}

// MARK: - Transcendentals

/// Elementwise e^x.
@inline(__always)
func vexp(_ x: Vec16) -> Vec16 {
  let lo = Vec16(repeating: -87.3), hi = Vec16(repeating: 88.7)
  let xc = x.replacing(with: lo, where: x .< lo).replacing(with: hi, where: x .> hi)
  // Round to nearest with the 1.5·2²³ trick (no per-lane conversions): the low mantissa bits of
  // t = v + magic hold round(v) as an integer.
  let magic = Vec16(repeating: 12_582_912)
  let t = xc * 1.442_695_04 + magic
  let n = t - magic
  let r = xc - n * 0.693_359_375 + n * 2.121_944_4e-4
  var p = Vec16(repeating: 1.987_569_15e-4)
  p = p * r + 1.398_199_95e-3
  p = p * r + 8.333_451_9e-3
  p = p * r + 4.166_579_6e-2
  p = p * r + 1.666_666_55e-1
  p = p * r + 5.000_000_1e-1
  p = p * (r * r) + r + 1
  // 2^n by building the exponent bits: n ∈ [-126, 128]; n = 128 only above the finite range.
  let ni = unsafeBitCast(t, to: SIMD16<Int32>.self) &- 0x4B40_0000
  let half = ni &>> 1
  let s1 = unsafeBitCast((half &+ 127) &<< 23, to: Vec16.self)
  let s2 = unsafeBitCast((ni &- half &+ 127) &<< 23, to: Vec16.self)
  var y = p * s1 * s2
  y.replace(with: 0, where: x .< lo)
  y.replace(with: Float.infinity, where: x .> hi)
  y.replace(with: x, where: x .!= x)
  return y
}

/// Elementwise tanh: Cephes odd polynomial for |x| < 0.625, 1 − 2/(e^{2x}+1) elsewhere.
@inline(__always)
func vtanh(_ x: Vec16) -> Vec16 {
  let z = x * x
  var p = Vec16(repeating: -5.704_988_72e-3)
  p = p * z + 2.063_908_88e-2
  p = p * z - 5.373_971_56e-2
  p = p * z + 1.333_144_22e-1
  p = p * z - 3.333_328_19e-1
  let small = p * z * x + x
  let e = vexp(x + x)
  var y = 1 - 2 / (e + 1)
  let absx = x.replacing(with: -x, where: x .< 0)
  y.replace(with: small, where: absx .< 0.625)
  y.replace(with: x, where: x .!= x)
  return y
}

/// Elementwise logistic sigmoid 1 / (1 + e^{−x}).
@inline(__always)
func vsigmoid(_ x: Vec16) -> Vec16 { 1 / (1 + vexp(-x)) }

/// GELU, tanh form: 0.5·x·(1 + tanh(u)), u = √(2/π)·(x + 0.044715·x³), evaluated through the
/// identity 0.5·(1 + tanh u) = σ(2u) as x / (1 + e^{−2u}): one exp and one division.
@inline(__always)
func vgelu(_ x: Vec16) -> Vec16 {
  let x3: Vec16 = x * x * x
  let u2: Vec16 = 1.595_769_12 * (x + 0.044_715 * x3)   // 2u
  return x / (1 + vexp(-u2))
}

/// Derivative of `vgelu`: with s = σ(2u), d/dx = s + 2x·s·(1 − s)·du/dx.
@inline(__always)
func vgeluGrad(_ x: Vec16) -> Vec16 {
  let x2 = x * x
  let x3: Vec16 = x2 * x
  let u2: Vec16 = 1.595_769_12 * (x + 0.044_715 * x3)
  let s = 1 / (1 + vexp(-u2))
  let du: Vec16 = 0.797_884_56 * (1 + 0.134_145 * x2)
  let b: Vec16 = 2 * x * s * (1 - s)
  return s + b * du
}

// MARK: - Horizontal reductions over a buffer

/// Σ p[0..<n].
@inline(__always)
func vsum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  var acc = Vec16()
  var i = 0
  while i + 16 <= n { acc += vload(p + i); i += 16 }
  if i < n { acc += vloadPartial(p + i, n - i) }
  return acc.sum()
}

/// max p[0..<n] (−inf for n = 0).
@inline(__always)
func vmax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
  var acc = Vec16(repeating: -.infinity)
  var i = 0
  while i + 16 <= n { acc = vmaxLanes(acc, vload(p + i)); i += 16 }
  if i < n { acc = vmaxLanes(acc, vloadPartial(p + i, n - i, pad: -.infinity)) }
  return hmax(acc)
}

/// Lane-wise max by compare + select (the stdlib's `pointwiseMax` / `clamped` do not vectorise);
/// a NaN in `a` is kept, a NaN in `b` is skipped.
@inline(__always)
func vmaxLanes(_ a: Vec16, _ b: Vec16) -> Vec16 { a.replacing(with: b, where: a .< b) }

/// Horizontal max of 16 lanes by halving (the stdlib's `max()` is scalar).
@inline(__always)
func hmax(_ v: Vec16) -> Float {
  let a = v.lowHalf.replacing(with: v.highHalf, where: v.lowHalf .< v.highHalf)
  let b = a.lowHalf.replacing(with: a.highHalf, where: a.lowHalf .< a.highHalf)
  let c = b.lowHalf.replacing(with: b.highHalf, where: b.lowHalf .< b.highHalf)
  return c[0] < c[1] ? c[1] : c[0]
}

// MARK: - Parallel chunking

extension Tensor {
  /// Elements per thread below which elementwise kernels stay on the calling thread.
  static let parallelGrain = 1 << 15

  /// Calls `body(range)` over near-equal chunks of 0..<n: on the thread pool when every thread
  /// gets at least `grain` units of work (`cost` per item), else once on the calling thread.
  /// (`body` is escaping because pool workers may release their reference to it a moment after
  /// the loop has finished.)
  @inline(__always)
  static func forChunks(_ n: Int, costPerItem cost: Int = 1, grain: Int = parallelGrain,
                        _ body: @escaping (Range<Int>) -> Void) {
    let parts = min(Engine.threads, Swift.max(1, (n * cost) / grain))
    if parts <= 1 { body(0..<n); return }
    ThreadPool.shared.parallelFor(parts) { i in body(chunkRange(n, parts: parts, index: i)) }
  }
}
