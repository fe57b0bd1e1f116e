import Testing
@testable import TensorEngine

/// Reductions and shape ops: values on hand-written examples, gradients, views, errors.
@Suite struct ReduceShapeTests {
  let a = try! Tensor(shape: [2, 3], values: [1, 5, 3, 4, 2, 6])

  @Test func gradCheckCatchesAWrongGradient() throws {
    // An op whose recorded gradient is deliberately 2× too large must fail the check.
    let fails = try gradCheck([uniform([5], seed: 1, -1, 1)]) { xs in
      let x = xs[0]
      let out = try withNoGrad { try x.scaled(3) }
      out.record(Node(op: "wrong", inputs: [x]) { g in [try g.scaled(6)] })
      return out
    }
    #expect(!fails.isEmpty)
  }

  @Test func sumMeanMaxValues() throws {
    #expect(try a.sum().item == 21)
    #expect(try a.sum(axes: [0]).values == [5, 7, 9])
    #expect(try a.sum(axes: [1], keepDims: true).shape == [2, 1])
    #expect(try a.mean(axes: [1]).values == [3, 4])
    #expect(try a.mean().item == 3.5)
    #expect(try a.max(axes: [1]).values == [5, 6])
    #expect(try a.max(axes: [0]).values == [4, 5, 6])
    #expect(try a.max(axes: [0, 1]).item == 6)
    #expect(try a.max(axes: [-1], keepDims: true).shape == [2, 1])
  }

  @Test func reductionGradients() throws {
    let x = uniform([3, 4, 5], seed: 2, -1, 1)
    for axes in [[0], [1], [2], [0, 2], [0, 1, 2]] {
      #expect(try gradCheck([x.detached()]) { try $0[0].sum(axes: axes) }.isEmpty, "sum \(axes)")
      #expect(try gradCheck([x.detached()]) { try $0[0].mean(axes: axes, keepDims: true) }.isEmpty, "mean \(axes)")
      // Distinct values (a permutation) keep the argmax away from ties under ±eps.
      let distinct = try Tensor(shape: [3, 4, 5], values: (0..<60).map { Float(($0 * 37) % 60) * 0.1 })
      #expect(try gradCheck([distinct]) { try $0[0].max(axes: axes) }.isEmpty, "max \(axes)")
    }
  }

  @Test func maxGradientGoesToTheArgmax() throws {
    let x = try Tensor(shape: [2, 3], values: [1, 5, 3, 7, 2, 6], requiresGrad: true)
    try x.max(axes: [1]).sum().backward()
    #expect(x.grad?.values == [0, 1, 0, 1, 0, 0])
  }

  @Test func viewsShareStorage() throws {
    let x = try Tensor(shape: [2, 3], values: [0, 1, 2, 3, 4, 5])
    let t = try x.transposed()
    #expect(t.storage === x.storage && t.shape == [3, 2] && t.values == [0, 3, 1, 4, 2, 5])
    let s = try x.slice(axis: 1, range: 1..<3)
    #expect(s.storage === x.storage && s.values == [1, 2, 4, 5])
    #expect(try x.reshaped([3, -1]).shape == [3, 2])
    #expect(try x.permuted([1, 0]).values == t.values)
    let e = try Tensor(shape: [3], values: [1, 2, 3]).expanded(to: [2, 3])
    #expect(e.strides == [0, 1] && e.values == [1, 2, 3, 1, 2, 3])
  }

  @Test func reshapeOfAStridedViewIsAViewWhenPossible() throws {
    let x = try Tensor(shape: [2, 6], values: (0..<12).map(Float.init))
    let cols = try x.slice(axis: 1, range: 2..<6)                 // [2, 4], row stride 6
    let heads = try cols.reshaped([2, 2, 2])                       // split the last axis: a view
    #expect(heads.storage === x.storage && heads.values == [2, 3, 4, 5, 8, 9, 10, 11])
    let flat = try cols.reshaped([8])                              // merging rows needs a copy
    #expect(flat.storage !== x.storage && flat.values == [2, 3, 4, 5, 8, 9, 10, 11])
    let t = try x.reshaped([2, 3, 2]).permuted([2, 0, 1])          // [2, 2, 3] strided
    #expect(try t.reshaped([2, 1, 2, 3, 1]).values == t.values)
    #expect(try t.reshaped([4, 3]).values == t.contiguous().values)
    #expect(try gradCheck([uniform([2, 6], seed: 9, -1, 1)]) { try $0[0].slice(axis: 1, range: 2..<6).reshaped([2, 2, 2]).square() }.isEmpty)
  }

  @Test func concatSplitValues() throws {
    let x = try Tensor(shape: [2, 2], values: [1, 2, 3, 4]), y = try Tensor(shape: [2, 1], values: [9, 8])
    #expect(try Tensor.concat([x, y], axis: 1).values == [1, 2, 9, 3, 4, 8])
    #expect(try Tensor.concat([x, x], axis: 0).values == [1, 2, 3, 4, 1, 2, 3, 4])
    let parts = try Tensor.concat([x, y], axis: -1).split(sizes: [2, 1], axis: 1)
    #expect(parts[0].values == x.values && parts[1].values == y.values)
  }

  @Test func shapeOpGradients() throws {
    let x = uniform([2, 3, 4], seed: 3, -1, 1), y = uniform([2, 2, 4], seed: 4, -1, 1)
    #expect(try gradCheck([x.detached(), y.detached()]) { try Tensor.concat([$0[0], $0[1]], axis: 1) }.isEmpty)
    #expect(try gradCheck([x.detached()]) { xs in
      let p = try xs[0].split(sizes: [1, 2], axis: 1)
      return try p[0] * p[1].sum(axes: [1], keepDims: true)
    }.isEmpty)
    #expect(try gradCheck([x.detached()]) { try $0[0].slice(axis: 2, range: 1..<3).square() }.isEmpty)
    #expect(try gradCheck([x.detached()]) { try $0[0].permuted([2, 0, 1]).reshaped([4, 6]).square() }.isEmpty)
    #expect(try gradCheck([x.detached()]) { try $0[0].transposed(0, 2).contiguous().square() }.isEmpty)
    #expect(try gradCheck([uniform([3, 1], seed: 5, -1, 1)]) { try $0[0].expanded(to: [2, 3, 4]).square() }.isEmpty)
  }

  @Test func shapeErrorsNameTheOp() throws {
    let x = Tensor.zeros([2, 3])
    func message(_ body: () throws -> Tensor) -> String {
      do { _ = try body(); return "" } catch { return "\(error)" }
    }
    #expect(message { try x.reshaped([4, 2]) }.hasPrefix("reshape"))
    #expect(message { try x.slice(axis: 1, range: 2..<5) }.hasPrefix("slice"))
    #expect(message { try x.split(sizes: [1, 1], axis: 1)[0] }.hasPrefix("split"))
    #expect(message { try Tensor.concat([x, Tensor.zeros([3, 3])], axis: 1) }.contains("concat: incompatible shapes [2, 3] and [3, 3]"))
    #expect(message { try x.expanded(to: [2, 4]) }.hasPrefix("expand"))
    #expect(message { try x.sum(axes: [2]) }.hasPrefix("sum"))
    #expect(message { try x.permuted([0, 0]) }.hasPrefix("permute"))
    #expect(message { try x.matmul(Tensor.zeros([2, 3])) }.contains("matmul: incompatible shapes [2, 3] and [2, 3]"))
  }
}
