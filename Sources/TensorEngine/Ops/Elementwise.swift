/// Elementwise kernel plumbing: a kernel is a small struct applied 16 lanes at a time, and
/// `map` / `zip` run it over contiguous buffers (in parallel for big tensors). Kernels are
/// generic parameters, not closures, so each specialises to a straight SIMD loop.

/// f(x) over 16 lanes.
protocol UnaryKernel {
  func callAsFunction(_ x: Vec16) -> Vec16
}

/// f(a, b) over 16 lanes.
protocol BinaryKernel {
  func callAsFunction(_ a: Vec16, _ b: Vec16) -> Vec16
}

extension BinaryKernel {
  /// One element (used by the strided broadcast walk).
  @inline(__always)
  func scalar(_ a: Float, _ b: Float) -> Float { self(Vec16(repeating: a), Vec16(repeating: b))[0] }
}

/// Runs a unary kernel over `n` contiguous floats.
@inline(__always)
func runUnary<K: UnaryKernel>(_ k: K, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
  var i = 0
  while i + 16 <= n { vstore(k(vload(src + i)), dst + i); i += 16 }
  if i < n { vstorePartial(k(vloadPartial(src + i, n - i)), dst + i, n - i) }
}

/// Runs a binary kernel over `n` contiguous float pairs.
@inline(__always)
func runBinary<K: BinaryKernel>(_ k: K, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                                _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
  var i = 0
  while i + 16 <= n { vstore(k(vload(a + i), vload(b + i)), dst + i); i += 16 }
  if i < n { vstorePartial(k(vloadPartial(a + i, n - i), vloadPartial(b + i, n - i)), dst + i, n - i) }
}

extension Tensor {
  /// A new tensor `k(self)` elementwise; no autograd (callers record their own node).
  func map<K: UnaryKernel>(_ k: K, cost: Int = 1) -> Tensor {
    let src = contiguous()
    let out = Tensor(uninitializedShape: shape)
    let p = src.pointer, o = out.pointer
    Tensor.forChunks(count, costPerItem: cost) { r in runUnary(k, p + r.lowerBound, o + r.lowerBound, r.count) }
    return out
  }

  /// A new tensor `k(a, b)` elementwise for two tensors of the same shape; no autograd.
  static func zipMap<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, _ k: K, cost: Int = 1) -> Tensor {
    precondition(a.shape == b.shape, "Tensor.zip: shapes \(a.shape) and \(b.shape) differ")
    let ca = a.contiguous(), cb = b.contiguous()
    let out = Tensor(uninitializedShape: a.shape)
    let pa = ca.pointer, pb = cb.pointer, o = out.pointer
    Tensor.forChunks(a.count, costPerItem: cost) { r in
      runBinary(k, pa + r.lowerBound, pb + r.lowerBound, o + r.lowerBound, r.count)
    }
    return out
  }
}
