/// Broadcasting binary ops (NumPy rules) and reduction of a gradient back to an input's shape.
///
/// Fast paths: same shape, scalar operand, and a trailing-row operand (`[…, C] ⊕ [C]`, bias adds);
/// everything else walks the output with zero strides on broadcast axes.

struct AddKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ a: Vec16, _ b: Vec16) -> Vec16 { a + b }
}

struct SubKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ a: Vec16, _ b: Vec16) -> Vec16 { a - b }
}

extension Tensor {
  /// The broadcast result shape of `a` and `b`, or a shape error naming `op`.
  public static func broadcastShape(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
    let r = Swift.max(a.count, b.count)
    var out = [Int](repeating: 1, count: r)
    for i in 0..<r {
      let da = i < r - a.count ? 1 : a[i - (r - a.count)]
      let db = i < r - b.count ? 1 : b[i - (r - b.count)]
      guard da == db || da == 1 || db == 1 else {
        throw TensorError.shapeMismatch(op: op, shapes: [a, b], reason: "dimension \(i) is \(da) vs \(db) (broadcasting needs equal sizes or 1)")
      }
      out[i] = da == 1 ? db : da
    }
    return out
  }

  /// Strides of `t` viewed with shape `outShape` (0 on broadcast axes).
  func broadcastStrides(to outShape: [Int]) -> [Int] {
    let r = outShape.count, off = r - rank
    var s = [Int](repeating: 0, count: r)
    for i in 0..<rank where shape[i] != 1 { s[i + off] = strides[i] }
    return s
  }

  /// Elementwise `k(a, b)` with broadcasting; no autograd (callers record their own node).
  ///
  /// SIMD fast paths: equal shapes, a one-element operand, and a trailing-row operand
  /// (`[…, C] ⊕ [C]`, bias adds); big equal-shape inputs are split over the thread pool.
  static func broadcastApply<K: BinaryKernel>(_ a: Tensor, _ b: Tensor, op: String, _ k: K) throws -> Tensor {
    let outShape = try broadcastShape(a.shape, b.shape, op: op)
    let out = Tensor(uninitializedShape: outShape)
    let n = out.count
    let o = out.pointer
    if n == 0 { return out }
    if a.shape == b.shape && a.isContiguous && b.isContiguous {
      let pa = a.pointer, pb = b.pointer
      forChunks(n) { r in runBinary(k, pa + r.lowerBound, pb + r.lowerBound, o + r.lowerBound, r.count) }
      return out
    }
    if b.count == 1 && a.shape == outShape && a.isContiguous {
      let pa = a.pointer, bv = Vec16(repeating: b.pointer[0])
      forChunks(n) { r in
        var i = r.lowerBound
        while i + 16 <= r.upperBound { vstore(k(vload(pa + i), bv), o + i); i += 16 }
        if i < r.upperBound { vstorePartial(k(vloadPartial(pa + i, r.upperBound - i), bv), o + i, r.upperBound - i) }
      }
      return out
    }
    if a.count == 1 && b.shape == outShape && b.isContiguous {
      let pb = b.pointer, av = Vec16(repeating: a.pointer[0])
      forChunks(n) { r in
        var i = r.lowerBound
        while i + 16 <= r.upperBound { vstore(k(av, vload(pb + i)), o + i); i += 16 }
        if i < r.upperBound { vstorePartial(k(av, vloadPartial(pb + i, r.upperBound - i)), o + i, r.upperBound - i) }
      }
      return out
    }
    if a.shape == outShape && a.isContiguous && b.isContiguous && b.rank >= 1,
       Array(outShape.suffix(b.rank)) == b.shape {
      // [rows, c] ⊕ [c]
      let c = b.count, pa = a.pointer, pb = b.pointer
      forChunks(n / c, costPerItem: c) { rows in
        for row in rows { runBinary(k, pa + row * c, pb, o + row * c, c) }
      }
      return out
    }
    // General strided walk.
    let sa = a.broadcastStrides(to: outShape), sb = b.broadcastStrides(to: outShape)
    let r = outShape.count
    var idx = [Int](repeating: 0, count: r)
    var ia = 0, ib = 0
    let pa = a.pointer, pb = b.pointer
    for i in 0..<n {
      o[i] = k.scalar(pa[ia], pb[ib])
      var d = r - 1
      while d >= 0 {
        idx[d] += 1; ia += sa[d]; ib += sb[d]
        if idx[d] < outShape[d] { break }
        ia -= sa[d] * outShape[d]; ib -= sb[d] * outShape[d]; idx[d] = 0
        d -= 1
      }
    }
    return out
  }

  /// Sums this tensor down to `target` (the inverse of broadcasting `target` to `shape`).
  public func sumToShape(_ target: [Int]) throws -> Tensor {
    if shape == target { return self }
    let lead = rank - target.count
    guard lead >= 0 else {
      throw TensorError.shapeMismatch(op: "sumToShape", shapes: [shape, target], reason: "target has more dimensions")
    }
    var axes: [Int] = Array(0..<lead)
    for i in 0..<target.count where target[i] == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
    for i in 0..<target.count where target[i] != 1 && shape[i + lead] != target[i] {
      throw TensorError.shapeMismatch(op: "sumToShape", shapes: [shape, target], reason: "dimension \(i + lead) cannot be reduced to \(target[i])")
    }
    let s = try sum(axes: axes, keepDims: true)
    return try s.reshaped(target)
  }

  /// Records a broadcasting binary node whose input gradients are `ga(g)` and `gb(g)`, summed back.
  func recordBinary(_ op: String, _ a: Tensor, _ b: Tensor,
                    ga: @escaping (Tensor) throws -> Tensor?, gb: @escaping (Tensor) throws -> Tensor?) {
    record(Node(op: op, inputs: [a, b]) { g in
      [try a.requiresGrad ? ga(g)?.sumToShape(a.shape) : nil,
       try b.requiresGrad ? gb(g)?.sumToShape(b.shape) : nil]
    })
  }

  // MARK: - Arithmetic

  public static func + (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try broadcastApply(a, b, op: "add", AddKernel())
    if GradMode.shouldRecord(a, b) { out.recordBinary("add", a, b, ga: { $0 }, gb: { $0 }) }
    return out
  }

  public static func - (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try broadcastApply(a, b, op: "sub", SubKernel())
    if GradMode.shouldRecord(a, b) { out.recordBinary("sub", a, b, ga: { $0 }, gb: { try $0.scaled(-1) }) }
    return out
  }

  public static func * (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try broadcastApply(a, b, op: "mul", MulKernel())
    if GradMode.shouldRecord(a, b) { out.recordBinary("mul", a, b, ga: { try $0 * b }, gb: { try $0 * a }) }
    return out
  }

  public static func / (a: Tensor, b: Tensor) throws -> Tensor {
    let out = try broadcastApply(a, b, op: "div", DivKernel())
    if GradMode.shouldRecord(a, b) {
      out.recordBinary("div", a, b, ga: { try $0 / b }, gb: { g in try (g * a / (b * b)).scaled(-1) })
    }
    return out
  }
}
