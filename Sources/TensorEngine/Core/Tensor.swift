import Synchronization

/// An N-dimensional Float32 tensor: a (possibly strided) view into a `Storage`.
///
/// Shapes are row-major. Most kernels need contiguous input and call `contiguous()` themselves,
/// which is free when the tensor already is. `transposed`, `permuted`, `slice` and `reshape` (when
/// possible) return views that share storage.
///
/// Autograd: a tensor with `requiresGrad` records the op that produced it (`node`) while grad mode
/// is on; `backward()` on a scalar fills `grad` of every leaf that requires grad.
public final class Tensor: @unchecked Sendable {
  public let storage: Storage
  public let shape: [Int]
  public let strides: [Int]
  public let offset: Int
  /// True when gradients flow into this tensor (leaf parameters, or results of ops on them).
  public internal(set) var requiresGrad: Bool {
    // A leaf that requires grad is a parameter: its storage may keep packed GEMM panels.
    didSet { if requiresGrad && node == nil { storage.isParameter.store(true, ordering: .relaxed) } }
  }
  /// Accumulated gradient (leaves only), same shape as the tensor.
  public var grad: Tensor?
  /// The op that produced this tensor, when recorded for autograd.
  var node: Node?
  /// Optional label (parameter name) used in error messages and parameter listings.
  public var name: String?

  // MARK: - Construction

  public init(storage: Storage, shape: [Int], strides: [Int]? = nil, offset: Int = 0, requiresGrad: Bool = false) {
    self.storage = storage
    self.shape = shape
    self.strides = strides ?? Tensor.contiguousStrides(shape)
    self.offset = offset
    self.requiresGrad = requiresGrad
    if requiresGrad { storage.isParameter.store(true, ordering: .relaxed) }
  }

  /// A new uninitialised contiguous tensor.
  public convenience init(uninitializedShape shape: [Int]) {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
    self.init(storage: Storage(count: shape.reduce(1, *)), shape: shape)
  }

  /// A tensor of zeros.
  public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
    precondition(shape.allSatisfy { $0 >= 0 }, "Tensor.zeros: negative dimension in \(shape)")
    return Tensor(storage: Storage(count: shape.reduce(1, *), zeroed: true), shape: shape, requiresGrad: requiresGrad)
  }

  /// A tensor filled with `value`.
  public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    t.storage.pointer.update(repeating: value, count: t.count)
    t.requiresGrad = requiresGrad
    return t
  }

  /// A tensor from row-major values; throws when the count does not match the shape.
  public convenience init(shape: [Int], values: [Float], requiresGrad: Bool = false) throws {
    let n = shape.reduce(1, *)
    guard shape.allSatisfy({ $0 >= 0 }), n == values.count else {
      throw TensorError.invalidArgument(op: "Tensor(shape:values:)",
                                        detail: "shape \(shape) holds \(n) values but \(values.count) were given")
    }
    self.init(storage: Storage(count: n), shape: shape, requiresGrad: requiresGrad)
    values.withUnsafeBufferPointer { storage.pointer.update(from: $0.baseAddress!, count: n) }
  }

  /// A 0-d tensor.
  public static func scalar(_ value: Float, requiresGrad: Bool = false) -> Tensor {
    full([], value, requiresGrad: requiresGrad)
  }

  /// Marks this tensor as a trainable leaf (returns self for chaining).
  @discardableResult
  public func requiringGrad(_ flag: Bool = true) -> Tensor {
    requiresGrad = flag
    return self
  }

  // MARK: - Geometry

  public var rank: Int { shape.count }
  public var count: Int { shape.reduce(1, *) }
  /// True when the view is dense row-major (strides of size-1 axes are ignored).
  public var isContiguous: Bool {
    var expected = 1
    for i in stride(from: rank - 1, through: 0, by: -1) where shape[i] != 1 {
      if strides[i] != expected { return false }
      expected *= shape[i]
    }
    return true
  }
  /// Pointer to element 0 of this view.
  public var pointer: UnsafeMutablePointer<Float> { storage.pointer + offset }

  public static func contiguousStrides(_ shape: [Int]) -> [Int] {
    var s = [Int](repeating: 1, count: shape.count)
    var acc = 1
    for i in stride(from: shape.count - 1, through: 0, by: -1) {
      s[i] = acc
      acc *= shape[i]
    }
    return s
  }

  /// Normalises a possibly negative axis; throws naming `op` when out of range.
  public func axis(_ a: Int, op: String) throws -> Int {
    let r = a < 0 ? a + rank : a
    guard r >= 0 && r < Swift.max(rank, 1) else {
      throw TensorError.indexOutOfRange(op: op, index: a, range: -rank..<rank, shape: shape)
    }
    return r
  }

  // MARK: - Values

  /// Row-major copy of the values (gathers strided views).
  public var values: [Float] {
    let c = contiguous()
    return Array(UnsafeBufferPointer(start: c.pointer, count: c.count))
  }

  /// The single value of a one-element tensor.
  public var item: Float {
    precondition(count == 1, "Tensor.item: tensor of shape \(shape) has \(count) elements")
    return contiguous().pointer[0]
  }

  /// Returns self if contiguous, else a contiguous copy (the copy is recorded for autograd).
  public func contiguous() -> Tensor {
    if isContiguous { return self }
    let out = Tensor(uninitializedShape: shape)
    Tensor.copyStrided(from: self, to: out.pointer)
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "contiguous", inputs: [self]) { g in [g] })
    }
    return out
  }

  /// Copies a strided view into a dense row-major buffer.
  static func copyStrided(from t: Tensor, to dst: UnsafeMutablePointer<Float>) {
    let n = t.count
    if n == 0 { return }
    let r = t.rank
    if r == 0 { dst[0] = t.pointer[0]; return }
    let src = t.pointer
    let lastDim = t.shape[r - 1], lastStride = t.strides[r - 1]
    var idx = [Int](repeating: 0, count: r)
    var o = 0, base = 0
    while o < n {
      if lastStride == 1 {
        (dst + o).update(from: src + base, count: lastDim)
      } else {
        for j in 0..<lastDim { dst[o + j] = src[base + j * lastStride] }
      }
      o += lastDim
      // advance the outer index
      var d = r - 2
      while d >= 0 {
        idx[d] += 1
        base += t.strides[d]
        if idx[d] < t.shape[d] { break }
        base -= t.strides[d] * t.shape[d]
        idx[d] = 0
        d -= 1
      }
    }
  }

  /// Detached copy: same values, no autograd history.
  public func detached() -> Tensor {
    let out = Tensor(uninitializedShape: shape)
    Tensor.copyStrided(from: self, to: out.pointer)
    return out
  }

  /// Fills every element with `value` in place (contiguous tensors; no autograd).
  public func fill(_ value: Float) {
    precondition(isContiguous, "Tensor.fill: needs a contiguous tensor")
    pointer.update(repeating: value, count: count)
  }
}

extension Tensor: CustomStringConvertible {
  public var description: String {
    let v = values
    let head = v.prefix(8).map { String($0) }.joined(separator: ", ")
    return "Tensor(shape: \(shape), values: [\(head)\(v.count > 8 ? ", …" : "")])"
  }
}
