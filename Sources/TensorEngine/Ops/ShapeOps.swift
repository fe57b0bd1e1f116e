/// Views and copies that change shape: reshape, permute / transpose.

extension Tensor {
  /// Same values with a new shape (one dimension may be -1). A view when contiguous.
  public func reshaped(_ newShape: [Int]) throws -> Tensor {
    var s = newShape
    let known = s.filter { $0 != -1 }.reduce(1, *)
    if let i = s.firstIndex(of: -1) {
      guard s.filter({ $0 == -1 }).count == 1, known > 0, count % known == 0 else {
        throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape], reason: "cannot infer the -1 dimension")
      }
      s[i] = count / known
    }
    guard s.allSatisfy({ $0 >= 0 }), s.reduce(1, *) == count else {
      throw TensorError.shapeMismatch(op: "reshape", shapes: [shape, newShape], reason: "element counts differ (\(count) vs \(s.reduce(1, *)))")
    }
    // A view whenever the strides allow it (e.g. splitting the last axis of a column slice into
    // heads); otherwise one contiguous copy first.
    let out: Tensor
    if isContiguous {
      out = Tensor(storage: storage, shape: s, offset: offset)
    } else if let vs = viewStrides(for: s) {
      out = Tensor(storage: storage, shape: s, strides: vs, offset: offset)
    } else {
      let c = withNoGrad { contiguous() }
      out = Tensor(storage: c.storage, shape: s, offset: c.offset)
    }
    if GradMode.shouldRecord(self) {
      let inShape = shape
      out.record(Node(op: "reshape", inputs: [self]) { g in [try g.reshaped(inShape)] })
    }
    return out
  }

  /// Strides that present this view's elements with shape `newShape` in row-major order without
  /// copying, or nil when the layout does not allow it (NumPy's no-copy reshape rule: each group
  /// of old axes merged or split must itself be contiguous).
  func viewStrides(for newShape: [Int]) -> [Int]? {
    let kept = (0..<rank).filter { shape[$0] != 1 }
    let od = kept.map { shape[$0] }, os = kept.map { strides[$0] }
    var ns = [Int](repeating: 1, count: newShape.count)
    if count == 0 { return Tensor.contiguousStrides(newShape) }
    var oi = 0, oj = 1, ni = 0, nj = 1
    while ni < newShape.count && oi < od.count {
      var np = newShape[ni], op = od[oi]
      while np != op {
        if np < op { np *= newShape[nj]; nj += 1 } else { op *= od[oj]; oj += 1 }
      }
      for k in oi..<(oj - 1) where os[k] != od[k + 1] * os[k + 1] { return nil }
      ns[nj - 1] = os[oj - 1]
      var k = nj - 1
      while k > ni { ns[k - 1] = ns[k] * newShape[k]; k -= 1 }
      ni = nj; nj += 1; oi = oj; oj += 1
    }
    return ns
  }

  /// A view with axes reordered: result axis i is input axis `order[i]`.
  public func permuted(_ order: [Int]) throws -> Tensor {
    guard order.count == rank, Set(order) == Set(0..<rank) else {
      throw TensorError.invalidArgument(op: "permute", detail: "order \(order) is not a permutation of the \(rank) axes of shape \(shape)")
    }
    let out = Tensor(storage: storage, shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
    if GradMode.shouldRecord(self) {
      var inverse = [Int](repeating: 0, count: rank)
      for (i, o) in order.enumerated() { inverse[o] = i }
      out.record(Node(op: "permute", inputs: [self]) { g in [try g.permuted(inverse)] })
    }
    return out
  }

  /// A view with two axes swapped (default: the last two).
  public func transposed(_ a: Int = -2, _ b: Int = -1) throws -> Tensor {
    let x = try axis(a, op: "transpose"), y = try axis(b, op: "transpose")
    var order = Array(0..<rank)
    order.swapAt(x, y)
    return try permuted(order)
  }
}

// MARK: - Slicing, concatenation, broadcasting views

extension Tensor {
  /// Writes the values of `src` (any layout) into the view `dst` of the same shape.
  static func assign(_ src: Tensor, into dst: Tensor) {
    precondition(src.shape == dst.shape, "Tensor.assign: shapes \(src.shape) and \(dst.shape) differ")
    let n = dst.count
    if n == 0 { return }
    let s = src.contiguous()
    if dst.isContiguous { dst.pointer.update(from: s.pointer, count: n); return }
    let r = dst.rank, d = dst.pointer, p = s.pointer
    let lastDim = dst.shape[r - 1], lastStride = dst.strides[r - 1]
    var idx = [Int](repeating: 0, count: r)
    var i = 0, base = 0
    while i < n {
      for j in 0..<lastDim { d[base + j * lastStride] = p[i + j] }
      i += lastDim
      var ax = r - 2
      while ax >= 0 {
        idx[ax] += 1
        base += dst.strides[ax]
        if idx[ax] < dst.shape[ax] { break }
        base -= dst.strides[ax] * dst.shape[ax]
        idx[ax] = 0
        ax -= 1
      }
    }
  }

  /// A view of `range` along `axis` (shares storage).
  public func slice(axis a: Int, range: Range<Int>) throws -> Tensor {
    let ax = try axis(a, op: "slice")
    guard range.lowerBound >= 0, range.upperBound <= shape[ax] else {
      throw TensorError.indexOutOfRange(op: "slice", index: range.lowerBound < 0 ? range.lowerBound : range.upperBound,
                                        range: 0..<(shape[ax] + 1), shape: shape)
    }
    var s = shape
    s[ax] = range.count
    let out = Tensor(storage: storage, shape: s, strides: strides, offset: offset + range.lowerBound * strides[ax])
    if GradMode.shouldRecord(self) {
      let inShape = shape
      out.record(Node(op: "slice", inputs: [self]) { g in
        let d = Tensor.zeros(inShape)
        Tensor.assign(g, into: try d.slice(axis: ax, range: range))
        return [d]
      })
    }
    return out
  }

  /// Splits along `axis` into consecutive views of the given sizes (which must sum to the axis).
  public func split(sizes: [Int], axis a: Int) throws -> [Tensor] {
    let ax = try axis(a, op: "split")
    guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[ax] else {
      throw TensorError.shapeMismatch(op: "split", shapes: [shape], reason: "sizes \(sizes) do not sum to dimension \(ax) (\(shape[ax]))")
    }
    var lo = 0
    return try sizes.map { n in
      defer { lo += n }
      return try slice(axis: ax, range: lo..<(lo + n))
    }
  }

  /// Concatenates tensors along `axis`; all other dimensions must agree.
  public static func concat(_ tensors: [Tensor], axis a: Int) throws -> Tensor {
    guard let first = tensors.first else {
      throw TensorError.invalidArgument(op: "concat", detail: "needs at least one tensor")
    }
    let ax = try first.axis(a, op: "concat")
    for t in tensors {
      var s1 = t.shape, s0 = first.shape
      guard t.rank == first.rank else {
        throw TensorError.shapeMismatch(op: "concat", shapes: tensors.map(\.shape), reason: "ranks differ")
      }
      s1[ax] = 0; s0[ax] = 0
      guard s1 == s0 else {
        throw TensorError.shapeMismatch(op: "concat", shapes: tensors.map(\.shape), reason: "dimensions other than axis \(ax) differ")
      }
    }
    var outShape = first.shape
    outShape[ax] = tensors.reduce(0) { $0 + $1.shape[ax] }
    let out = Tensor(uninitializedShape: outShape)
    let outer = first.shape[..<ax].reduce(1, *)
    let inner = first.shape[(ax + 1)...].reduce(1, *)
    let rowOut = outShape[ax] * inner
    var col = 0
    for t in tensors {
      let c = t.contiguous()
      let w = t.shape[ax] * inner
      for i in 0..<outer { (out.pointer + i * rowOut + col).update(from: c.pointer + i * w, count: w) }
      col += w
    }
    if GradMode.shouldRecord(tensors) {
      let sizes = tensors.map { $0.shape[ax] }
      out.record(Node(op: "concat", inputs: tensors) { g in try g.split(sizes: sizes, axis: ax) })
    }
    return out
  }

  /// A broadcast view of this tensor with shape `target` (stride 0 on expanded axes).
  public func expanded(to target: [Int]) throws -> Tensor {
    let b = try Tensor.broadcastShape(shape, target, op: "expand")
    guard b == target else {
      throw TensorError.shapeMismatch(op: "expand", shapes: [shape, target], reason: "cannot broadcast to the target")
    }
    let out = Tensor(storage: storage, shape: target, strides: broadcastStrides(to: target), offset: offset)
    if GradMode.shouldRecord(self) {
      let inShape = shape
      out.record(Node(op: "expand", inputs: [self]) { g in [try g.sumToShape(inShape)] })
    }
    return out
  }
}
