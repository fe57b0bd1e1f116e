import Foundation
import Testing
@testable import TensorEngine

/// Elementwise ops: values against Foundation's scalar functions, broadcasting rules, gradients.
@Suite struct ElementwiseTests {
  /// Inputs spanning the SIMD body and a ragged tail (37 = 2·16 + 5).
  let x = uniform([37], seed: 3, -4, 4)

  @Test func vexpMatchesFoundationAcrossRange() throws {
    var xs: [Float] = stride(from: -87.0, through: 88.0, by: 0.37).map { Float($0) }
    xs += [0, -0.0, 1e-8, -1e-8]
    let y = try Tensor(shape: [xs.count], values: xs).exp().values
    let ref = xs.map { Foundation.exp($0) }
    #expect(mismatches(y, ref, atol: 0, rtol: 3e-7).isEmpty)
    let special = try Tensor(shape: [4], values: [-.infinity, .infinity, -100, 100]).exp().values
    #expect(special[0] == 0 && special[1] == .infinity && special[2] == 0 && special[3] == .infinity)
    #expect(try Tensor(shape: [1], values: [.nan]).exp().values[0].isNaN)
  }

  @Test func unaryValues() throws {
    let v = x.values
    #expect(mismatches(try x.relu().values, v.map { Swift.max($0, 0) }).isEmpty)
    #expect(mismatches(try x.leakyRelu(slope: 0.1).values, v.map { $0 > 0 ? $0 : 0.1 * $0 }).isEmpty)
    #expect(mismatches(try x.tanh().values, v.map { Foundation.tanh($0) }, atol: 1e-6, rtol: 1e-5).isEmpty)
    #expect(mismatches(try x.sigmoid().values, v.map { 1 / (1 + Foundation.exp(-$0)) }, atol: 1e-6).isEmpty)
    let gelu = v.map { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608 * ($0 + 0.044715 * $0 * $0 * $0))) }
    #expect(mismatches(try x.gelu().values, gelu, atol: 1e-6).isEmpty)
    #expect(mismatches(try x.square().values, v.map { $0 * $0 }).isEmpty)
    #expect(mismatches(try x.adding(2.5).values, v.map { $0 + 2.5 }).isEmpty)
    #expect(mismatches(try x.oneMinus().values, v.map { 1 - $0 }).isEmpty)
    #expect(mismatches(try x.scaled(-3).values, v.map { -3 * $0 }).isEmpty)
    let pos = uniform([37], seed: 4, 0.1, 5)
    #expect(mismatches(try pos.log().values, pos.values.map { Foundation.log($0) }).isEmpty)
    #expect(mismatches(try pos.sqrt().values, pos.values.map { $0.squareRoot() }).isEmpty)
  }

  @Test func tanhIsAccurateNearZeroAndSaturates() throws {
    let xs: [Float] = [1e-6, -3e-4, 0.1, 0.6, 0.65, 9, -9, 30, -30]
    let y = try Tensor(shape: [xs.count], values: xs).tanh().values
    #expect(mismatches(y, xs.map { Foundation.tanh($0) }, atol: 0, rtol: 2e-6).isEmpty)
  }

  @Test func unaryGradients() throws {
    // Keep ReLU-like inputs away from the kink at 0.
    let awayFromZero = try Tensor(shape: [19], values: uniform([19], seed: 9, 0.2, 2).values.enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element })
    for (name, f) in [("relu", { (t: Tensor) in try t.relu() }), ("leakyRelu", { try $0.leakyRelu(slope: 0.2) })] {
      let fails = try gradCheck([awayFromZero.detached()]) { try f($0[0]) }
      #expect(fails.isEmpty, "\(name): \(fails)")
    }
    let ops: [(String, (Tensor) throws -> Tensor)] = [
      ("gelu", { try $0.gelu() }), ("tanh", { try $0.tanh() }), ("sigmoid", { try $0.sigmoid() }),
      ("exp", { try $0.exp() }), ("square", { try $0.square() }), ("adding", { try $0.adding(1.5) }),
      ("oneMinus", { try $0.oneMinus() }), ("scaled", { try $0.scaled(0.7) }),
    ]
    for (name, f) in ops {
      let fails = try gradCheck([uniform([21], seed: 11, -1.5, 1.5)]) { try f($0[0]) }
      #expect(fails.isEmpty, "\(name): \(fails)")
    }
    for (name, f) in [("log", { (t: Tensor) in try t.log() }), ("sqrt", { try $0.sqrt() })] {
      let fails = try gradCheck([uniform([21], seed: 12, 0.5, 3)], eps: 1e-3) { try f($0[0]) }
      #expect(fails.isEmpty, "\(name): \(fails)")
    }
  }

  @Test func broadcastingValues() throws {
    let a = try Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let row = try Tensor(shape: [3], values: [10, 20, 30])
    let col = try Tensor(shape: [2, 1], values: [100, 200])
    #expect(try (a + row).values == [11, 22, 33, 14, 25, 36])
    #expect(try (a - col).values == [-99, -98, -97, -196, -195, -194])
    #expect(try (row * col).values == [1000, 2000, 3000, 2000, 4000, 6000])
    #expect(try (a / Tensor.scalar(2)).values == [0.5, 1, 1.5, 2, 2.5, 3])
    #expect(try (Tensor.scalar(1) - a).values == [0, -1, -2, -3, -4, -5])
    // A transposed (strided) operand takes the general path.
    #expect(try (a.transposed() + Tensor.zeros([3, 2])).values == [1, 4, 2, 5, 3, 6])
  }

  @Test func bigSameShapeAddUsesAllChunksCorrectly() throws {
    let n = 300_001
    let a = uniform([n], seed: 1, -1, 1), b = uniform([n], seed: 2, -1, 1)
    let s = try (a + b).values, av = a.values, bv = b.values
    #expect(mismatches(s, (0..<n).map { av[$0] + bv[$0] }, atol: 0, rtol: 0).isEmpty)
  }

  @Test func broadcastingGradients() throws {
    let ops: [(String, (Tensor, Tensor) throws -> Tensor)] = [
      ("add", { try $0 + $1 }), ("sub", { try $0 - $1 }), ("mul", { try $0 * $1 }), ("div", { try $0 / $1 }),
    ]
    for (name, f) in ops {
      for bShape in [[2, 3, 4], [4], [3, 1], [1], [2, 1, 4]] {
        let a = uniform([2, 3, 4], seed: 5, 0.5, 2), b = uniform(bShape, seed: 6, 0.5, 2)
        let fails = try gradCheck([a, b], eps: 1e-3) { try f($0[0], $0[1]) }
        #expect(fails.isEmpty, "\(name) [2,3,4] with \(bShape): \(fails)")
      }
    }
  }

  @Test func shapeMismatchNamesOpAndShapes() throws {
    let a = Tensor.zeros([2, 3]), b = Tensor.zeros([4])
    #expect(throws: TensorError.self) { try a + b }
    do {
      _ = try a * b
      Issue.record("expected an error")
    } catch let e as TensorError {
      #expect(e.description.contains("mul"))
      #expect(e.description.contains("[2, 3]") && e.description.contains("[4]"))
    }
  }
}
