/// Reductions over axes.

extension Tensor {
  /// Sum over `axes` (all axes when empty … use `sum()` for that).
  public func sum(axes: [Int], keepDims: Bool = false) throws -> Tensor {
    let ax = Set(try axes.map { try axis($0, op: "sum") })
    let src = contiguous()
    var outShapeKeep = shape
    for a in ax { outShapeKeep[a] = 1 }
    let out = Tensor.zeros(outShapeKeep)
    let ostr = out.strides
    let n = count, r = rank, o = out.pointer, p = src.pointer
    if n > 0 {
      var idx = [Int](repeating: 0, count: r)
      var oi = 0
      var i = 0
      // iterate rows of the last axis
      let last = r > 0 ? shape[r - 1] : 1
      let lastReduced = r > 0 && ax.contains(r - 1)
      while i < n {
        if r == 0 { o[0] += p[0]; break }
        if lastReduced {
          var s: Float = 0
          for j in 0..<last { s += p[i + j] }
          o[oi] += s
        } else {
          for j in 0..<last { o[oi + j] += p[i + j] }
        }
        i += last
        var d = r - 2
        while d >= 0 {
          idx[d] += 1
          if !ax.contains(d) { oi += ostr[d] }
          if idx[d] < shape[d] { break }
          if !ax.contains(d) { oi -= ostr[d] * shape[d] }
          idx[d] = 0
          d -= 1
        }
      }
    }
    let result = keepDims ? out : try withNoGrad { try out.reshaped(shape.enumerated().filter { !ax.contains($0.offset) }.map(\.element)) }
    if GradMode.shouldRecord(self) {
      let inShape = shape, keepShape = outShapeKeep
      result.record(Node(op: "sum", inputs: [self]) { g in
        [try g.reshaped(keepShape) * Tensor.full(inShape, 1)]
      })
    }
    return result
  }

  /// Sum of all elements (0-d).
  public func sum() throws -> Tensor { try sum(axes: Array(0..<rank)) }
}
