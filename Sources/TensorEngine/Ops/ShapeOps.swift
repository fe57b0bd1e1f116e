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
    let src = contiguous()
    let out = Tensor(storage: src.storage, shape: s, offset: src.offset)
    if GradMode.shouldRecord(src) {
      let inShape = src.shape
      out.record(Node(op: "reshape", inputs: [src]) { g in [try g.reshaped(inShape)] })
    }
    return out
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
