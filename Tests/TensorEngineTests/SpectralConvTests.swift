import Foundation
import Testing
@testable import TensorEngine

/// DFT / DCT along axes against the direct double-precision sums, and depthwise conv against loops.
@Suite struct SpectralConvTests {
  /// Direct transform of each length-n row of `v` ([rows, n]) with basis f(n, k).
  func direct(_ v: [Float], rows: Int, n: Int, _ f: (Int, Int) -> Double) -> [Float] {
    var out = [Float](repeating: 0, count: rows * n)
    for r in 0..<rows { for k in 0..<n {
      var s = 0.0
      for i in 0..<n { s += Double(v[r * n + i]) * f(i, k) }
      out[r * n + k] = Float(s)
    } }
    return out
  }

  @Test func transformsMatchTheirFormulas() throws {
    for n in [1, 5, 16, 33] {
      let x = randn([3, n], seed: UInt64(n))
      let v = x.values, N = Double(n)
      let c = direct(v, rows: 3, n: n) { cos(2 * .pi * Double($0 * $1) / N) }
      let s = direct(v, rows: 3, n: n) { sin(2 * .pi * Double($0 * $1) / N) }
      let d = direct(v, rows: 3, n: n) { cos(.pi * (Double($0) + 0.5) * Double($1) / N) }
      #expect(mismatches(try x.cosineTransform(axis: 1).values, c, atol: 1e-4).isEmpty, "cos n=\(n)")
      #expect(mismatches(try x.sineTransform(axis: -1).values, s, atol: 1e-4).isEmpty, "sin n=\(n)")
      #expect(mismatches(try x.dct(axis: 1).values, d, atol: 1e-4).isEmpty, "dct n=\(n)")
    }
  }

  @Test func transformAlongAnInnerAxis() throws {
    let x = randn([2, 7, 3], seed: 4)
    let moved = try x.transposed(1, 2).contiguous()   // [2, 3, 7]
    let ref = try moved.dct(axis: 2).transposed(1, 2).contiguous().values
    #expect(mismatches(try x.dct(axis: 1).values, ref, atol: 1e-5).isEmpty)
  }

  @Test func fourierReal2DIsTheRealPartOfThe2DDFT() throws {
    let (b, t, h) = (2, 6, 5)
    let x = randn([b, t, h], seed: 5)
    let v = x.values
    var ref = [Float](repeating: 0, count: b * t * h)
    for bi in 0..<b { for k in 0..<t { for l in 0..<h {
      var s = 0.0
      for n in 0..<t { for m in 0..<h {
        s += Double(v[(bi * t + n) * h + m]) * cos(2 * .pi * (Double(k * n) / Double(t) + Double(l * m) / Double(h)))
      } }
      ref[(bi * t + k) * h + l] = Float(s)
    } } }
    #expect(mismatches(try x.fourierReal2D(axes: (1, 2)).values, ref, atol: 1e-4).isEmpty)
    #expect(mismatches(try x.fourierReal2D(axes: [2, 1]).values, ref, atol: 1e-4).isEmpty)
    #expect(throws: TensorError.self) { try x.fourierReal2D(axes: (1, 1)) }
  }

  @Test func spectralGradients() throws {
    let ops: [(String, (Tensor) throws -> Tensor)] = [
      ("cos", { try $0.cosineTransform(axis: 1) }), ("sin", { try $0.sineTransform(axis: 0) }),
      ("dct", { try $0.dct(axis: 1) }), ("dct0", { try $0.dct(axis: 0) }), ("fnet", { try $0.fourierReal2D(axes: (0, 1)) }),
    ]
    for (name, f) in ops {
      let fails = try gradCheck([randn([4, 6], seed: 6)], eps: 1e-2, atol: 5e-3) { try f($0[0]) }
      #expect(fails.isEmpty, "\(name): \(fails)")
    }
  }

  /// Naive "same" depthwise conv.
  func naiveConv(_ x: [Float], _ w: [Float], _ bias: [Float]?, b: Int, t: Int, c: Int, k: Int) -> [Float] {
    var y = [Float](repeating: 0, count: b * t * c)
    let left = (k - 1) / 2
    for bi in 0..<b { for ti in 0..<t { for ci in 0..<c {
      var s = Double(bias?[ci] ?? 0)
      for j in 0..<k {
        let src = ti + j - left
        if src >= 0 && src < t { s += Double(x[(bi * t + src) * c + ci]) * Double(w[ci * k + j]) }
      }
      y[(bi * t + ti) * c + ci] = Float(s)
    } } }
    return y
  }

  @Test func depthwiseConvMatchesLoops() throws {
    for (k, c) in [(1, 3), (3, 17), (4, 5), (5, 33)] {
      let x = randn([2, 7, c], seed: UInt64(k)), w = randn([c, k], seed: 9), bias = randn([c], seed: 10)
      let ref = naiveConv(x.values, w.values, bias.values, b: 2, t: 7, c: c, k: k)
      #expect(mismatches(try x.depthwiseConv1d(weight: w, bias: bias).values, ref, atol: 1e-5).isEmpty, "k=\(k) c=\(c)")
      let refNoBias = naiveConv(x.values, w.values, nil, b: 2, t: 7, c: c, k: k)
      #expect(mismatches(try x.depthwiseConv1d(weight: w, bias: nil).values, refNoBias, atol: 1e-5).isEmpty)
    }
  }

  @Test func depthwiseConvGradientsAndErrors() throws {
    for k in [3, 4] {
      let fails = try gradCheck([randn([2, 5, 3], seed: 11), randn([3, k], seed: 12), randn([3], seed: 13)]) {
        try $0[0].depthwiseConv1d(weight: $0[1], bias: $0[2])
      }
      #expect(fails.isEmpty, "k=\(k): \(fails)")
    }
    #expect(throws: TensorError.self) { try Tensor.zeros([2, 5, 3]).depthwiseConv1d(weight: Tensor.zeros([4, 3]), bias: nil) }
    #expect(throws: TensorError.self) { try Tensor.zeros([5, 3]).depthwiseConv1d(weight: Tensor.zeros([3, 3]), bias: nil) }
  }
}
