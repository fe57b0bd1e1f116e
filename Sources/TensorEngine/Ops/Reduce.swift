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
        [try g.reshaped(keepShape).expanded(to: inShape).contiguous()]
      })
    }
    return result
  }

  /// Sum of all elements (0-d).
  public func sum() throws -> Tensor { try sum(axes: Array(0..<rank)) }
}

extension Tensor {
  /// Mean over `axes`.
  public func mean(axes: [Int], keepDims: Bool = false) throws -> Tensor {
    let ax = Set(try axes.map { try axis($0, op: "mean") })
    let n = ax.reduce(1) { $0 * shape[$1] }
    guard n > 0 else {
      throw TensorError.invalidArgument(op: "mean", detail: "reducing empty axes \(axes.sorted()) of shape \(shape)")
    }
    return try sum(axes: Array(ax), keepDims: keepDims).scaled(1 / Float(n))
  }

  /// Mean of all elements (0-d).
  public func mean() throws -> Tensor { try mean(axes: Array(0..<rank)) }

  /// Maximum over `axes`. The gradient flows to the first argmax of each reduced group.
  public func max(axes: [Int], keepDims: Bool = false) throws -> Tensor {
    let ax = try axes.map { try axis($0, op: "max") }
    let axSet = Set(ax)
    let kept = (0..<rank).filter { !axSet.contains($0) }
    let reduced = (0..<rank).filter { axSet.contains($0) }
    let groupLen = reduced.reduce(1) { $0 * shape[$1] }
    guard groupLen > 0 else {
      throw TensorError.invalidArgument(op: "max", detail: "reducing empty axes \(axes) of shape \(shape)")
    }
    // Move reduced axes last so each group is one contiguous row: [groups, groupLen].
    let order = kept + reduced
    let moved = try withNoGrad { try permuted(order).contiguous() }
    let groups = moved.count / groupLen
    var keepShape = shape
    for a in reduced { keepShape[a] = 1 }
    let outShape = keepDims ? keepShape : kept.map { shape[$0] }
    let out = Tensor(uninitializedShape: outShape)
    var argmax = [Int](repeating: 0, count: groups)
    let p = moved.pointer, o = out.pointer
    argmax.withUnsafeMutableBufferPointer { am in
      for gi in 0..<groups {
        let row = p + gi * groupLen
        let m = vmax(row, groupLen)
        var j = 0
        while j < groupLen - 1 && !(row[j] == m) { j += 1 }
        // NaN rows: vmax skips NaN; report NaN so it is not hidden.
        o[gi] = row[j] == m ? m : .nan
        am[gi] = j
      }
    }
    if GradMode.shouldRecord(self) {
      let movedShape = moved.shape
      var inverse = [Int](repeating: 0, count: rank)
      for (i, a) in order.enumerated() { inverse[a] = i }
      out.record(Node(op: "max", inputs: [self]) { g in
        let gc = g.contiguous()
        let d = Tensor.zeros(movedShape)
        for gi in 0..<groups { d.pointer[gi * groupLen + argmax[gi]] = gc.pointer[gi] }
        return [try d.permuted(inverse)]
      })
    }
    return out
  }
}
