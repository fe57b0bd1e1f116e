import RealModule

/// Softmax and log-softmax along an axis (numerically stable: the row maximum is subtracted
/// first), and the additive attention masks.
///
/// Kernels work on contiguous rows [rows, n]; another axis is first moved last (one copy).

// MARK: - Row kernels

/// dst[r, :] = softmax(src[r, :]) for `rows` rows of length `n` (src may equal dst).
func softmaxRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
  Tensor.forChunks(rows, costPerItem: 8 * n) { range in
    for r in range { softmaxRow(src + r * n, dst + r * n, n) }
  }
}

/// One row of `softmaxRows`: max, exp and sum in one pass, then scale.
@inline(__always)
func softmaxRow(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
  let m = Vec16(repeating: vmax(x, n))
  var acc = Vec16()
  var i = 0
  while i + 16 <= n {
    let e = vexp(vload(x + i) - m)
    acc += e
    vstore(e, y + i)
    i += 16
  }
  if i < n {
    let e = vexp(vloadPartial(x + i, n - i, pad: -.infinity) - m)
    acc += e
    vstorePartial(e, y + i, n - i)
  }
  let inv = Vec16(repeating: 1 / acc.sum())
  i = 0
  while i + 16 <= n { vstore(vload(y + i) * inv, y + i); i += 16 }
  if i < n { vstorePartial(vloadPartial(y + i, n - i) * inv, y + i, n - i) }
}

/// dst[r, :] = x − max − log Σ exp(x − max).
func logSoftmaxRows(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, rows: Int, n: Int) {
  Tensor.forChunks(rows, costPerItem: 8 * n) { range in
    for r in range {
      let x = src + r * n, y = dst + r * n
      // (x − m) is exact near m, so subtracting log Σ last keeps precision for large inputs.
      let m = vmax(x, n)
      let mv = Vec16(repeating: m), ls = Vec16(repeating: Float.log(sumExpShifted(x, n, m)))
      var i = 0
      while i + 16 <= n { vstore((vload(x + i) - mv) - ls, y + i); i += 16 }
      if i < n { vstorePartial((vloadPartial(x + i, n - i) - mv) - ls, y + i, n - i) }
    }
  }
}

/// Σ exp(x[i] − m) over a row.
@inline(__always)
func sumExpShifted(_ x: UnsafePointer<Float>, _ n: Int, _ m: Float) -> Float {
  let mv = Vec16(repeating: m)
  var acc = Vec16()
  var i = 0
  while i + 16 <= n { acc += vexp(vload(x + i) - mv); i += 16 }
  if i < n { acc += vexp(vloadPartial(x + i, n - i, pad: -.infinity) - mv) }
  return acc.sum()
}

/// Row-wise Σ a·b.
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
  var acc = Vec16()
  var i = 0
  while i + 16 <= n { acc += vload(a + i) * vload(b + i); i += 16 }
  if i < n { acc += vloadPartial(a + i, n - i) * vloadPartial(b + i, n - i) }
  return acc.sum()
}

// MARK: - Ops

extension Tensor {
  /// This tensor with `axis` moved last, contiguous (no autograd), and the axis index.
  func movedLast(_ a: Int, op: String) throws -> (Tensor, Int) {
    let ax = try axis(a, op: op)
    if ax == rank - 1 { return (contiguous().detachedView(), ax) }
    return (try withNoGrad { try transposed(ax, -1).contiguous() }, ax)
  }

  /// A view sharing storage but without autograd history.
  func detachedView() -> Tensor { Tensor(storage: storage, shape: shape, strides: strides, offset: offset) }

  /// Undoes `movedLast` on a result computed in moved layout (a view when the axis was not last).
  func movedBack(_ ax: Int) throws -> Tensor {
    ax == rank - 1 ? self : try withNoGrad { try transposed(ax, -1) }
  }

  /// exp(x) / Σ exp(x) along `axis`.
  public func softmax(axis a: Int = -1) throws -> Tensor {
    guard rank > 0 else { throw TensorError.invalidArgument(op: "softmax", detail: "needs at least one dimension") }
    let (src, ax) = try movedLast(a, op: "softmax")
    let n = src.shape[rank - 1], rows = n == 0 ? 0 : src.count / n
    let y = Tensor(uninitializedShape: src.shape)
    softmaxRows(src.pointer, y.pointer, rows: rows, n: n)
    let out = try y.movedBack(ax)
    if GradMode.shouldRecord(self) {
      // y is `out` itself when the axis is last: hold it unowned then (no node ↔ output cycle).
      let held: Tensor? = y === out ? nil : y
      out.record(Node(op: "softmax", inputs: [self]) { [unowned out] g in
        let y = held ?? out
        // dx = y ⊙ (g − Σ g·y)
        let (gm, _) = try g.movedLast(ax, op: "softmax")
        let dx = Tensor(uninitializedShape: y.shape)
        for r in 0..<rows {
          let yr = y.pointer + r * n, gr = gm.pointer + r * n, d = dx.pointer + r * n
          let s = dot(gr, yr, n)
          for j in 0..<n { d[j] = yr[j] * (gr[j] - s) }
        }
        return [try dx.movedBack(ax)]
      })
    }
    return out
  }

  /// log softmax along `axis`: x − max − log Σ exp(x − max).
  public func logSoftmax(axis a: Int = -1) throws -> Tensor {
    guard rank > 0 else { throw TensorError.invalidArgument(op: "logSoftmax", detail: "needs at least one dimension") }
    let (src, ax) = try movedLast(a, op: "logSoftmax")
    let n = src.shape[rank - 1], rows = n == 0 ? 0 : src.count / n
    let y = Tensor(uninitializedShape: src.shape)
    logSoftmaxRows(src.pointer, y.pointer, rows: rows, n: n)
    let out = try y.movedBack(ax)
    if GradMode.shouldRecord(self) {
      // y is `out` itself when the axis is last: hold it unowned then (no node ↔ output cycle).
      let held: Tensor? = y === out ? nil : y
      out.record(Node(op: "logSoftmax", inputs: [self]) { [unowned out] g in
        let y = held ?? out
        // dx = g − softmax · Σ g
        let (gm, _) = try g.movedLast(ax, op: "logSoftmax")
        let dx = Tensor(uninitializedShape: y.shape)
        for r in 0..<rows {
          let yr = y.pointer + r * n, gr = gm.pointer + r * n, d = dx.pointer + r * n
          let s = vsum(gr, n)
          for j in 0..<n { d[j] = gr[j] - Float.exp(yr[j]) * s }
        }
        return [try dx.movedBack(ax)]
      })
    }
    return out
  }

  // MARK: - Masks

  /// Additive causal mask [T, T]: 0 on and below the diagonal, −inf above. Not differentiable.
  public static func causalMask(_ t: Int) -> Tensor { causalMask(queries: t, keys: t) }

  /// Additive causal mask [Tq, Tk] for queries that are the last Tq of Tk positions: query i may
  /// see keys j ≤ i + (Tk − Tq).
  static func causalMask(queries tq: Int, keys tk: Int) -> Tensor {
    precondition(tq >= 0 && tk >= tq, "causalMask: need 0 ≤ queries ≤ keys, got \(tq), \(tk)")
    let m = Tensor(uninitializedShape: [tq, tk])
    for i in 0..<tq {
      let row = m.pointer + i * tk, visible = i + tk - tq + 1
      for j in 0..<tk { row[j] = j < visible ? 0 : -.infinity }
    }
    return m
  }

  /// Additive key-padding mask [B, 1, 1, T]: 0 for positions < lengths[b], −inf after.
  /// Each length must be in 1...maxLen. Not differentiable.
  public static func paddingMask(lengths: [Int], maxLen: Int) throws -> Tensor {
    for l in lengths where l < 1 || l > maxLen {
      throw TensorError.indexOutOfRange(op: "paddingMask", index: l, range: 1..<(maxLen + 1), shape: [lengths.count, maxLen])
    }
    let m = Tensor(uninitializedShape: [lengths.count, 1, 1, maxLen])
    for (b, l) in lengths.enumerated() {
      for j in 0..<maxLen { m.pointer[b * maxLen + j] = j < l ? 0 : -.infinity }
    }
    return m
  }
}
