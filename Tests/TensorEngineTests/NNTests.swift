import Foundation
import SearchSpaces
import Testing
@testable import TensorEngine

/// Neural-network ops: softmax family, masks, layer norm, linear, embedding, cross-entropy,
/// dropout — values against naive references, gradients, and bad-input errors.
@Suite struct NNTests {
  /// Naive double-precision softmax of one row.
  func naiveSoftmax(_ r: [Float]) -> [Float] {
    let m = r.max()!
    let e = r.map { Foundation.exp(Double($0 - m)) }
    let s = e.reduce(0, +)
    return e.map { Float($0 / s) }
  }

  @Test func softmaxRowsSumToOneAndMatchReference() throws {
    let x = randn([5, 37], seed: 1, std: 3)
    let y = try x.softmax().values, xv = x.values
    for r in 0..<5 {
      let row = Array(y[(r * 37)..<((r + 1) * 37)])
      #expect(abs(row.reduce(0, +) - 1) < 1e-5)
      #expect(mismatches(row, naiveSoftmax(Array(xv[(r * 37)..<((r + 1) * 37)])), atol: 1e-7, rtol: 1e-5).isEmpty)
    }
  }

  @Test func softmaxIsStableForLargeInputs() throws {
    let x = try Tensor(shape: [2, 3], values: [1e4, 1e4 + 1, 1e4 - 1, -1e4, -1e4 + 2, -1e4])
    let y = try x.softmax().values
    #expect(!y.contains { !$0.isFinite })
    #expect(mismatches(Array(y[0..<3]), naiveSoftmax([0, 1, -1]), atol: 1e-6).isEmpty)
    let ls = try x.logSoftmax().values
    #expect(!ls.contains { !$0.isFinite })
    #expect(mismatches(Array(ls[3..<6]), naiveSoftmax([0, 2, 0]).map { Foundation.log($0) }, atol: 1e-5).isEmpty)
  }

  @Test func softmaxAlongInnerAxisAndLogSoftmaxConsistency() throws {
    let x = randn([3, 4, 5], seed: 2)
    let s1 = try x.softmax(axis: 1).values
    let s2 = try x.transposed(1, 2).contiguous().softmax(axis: -1).transposed(1, 2).contiguous().values
    #expect(mismatches(s1, s2, atol: 1e-7).isEmpty)
    let ls = try x.logSoftmax(axis: 0).exp().values
    #expect(mismatches(ls, try x.softmax(axis: 0).values, atol: 1e-6).isEmpty)
  }

  @Test func softmaxGradients() throws {
    for axis in [-1, 0, 1] {
      #expect(try gradCheck([randn([3, 4, 5], seed: 3)]) { try $0[0].softmax(axis: axis) }.isEmpty, "softmax \(axis)")
      #expect(try gradCheck([randn([3, 4, 5], seed: 4)]) { try $0[0].logSoftmax(axis: axis) }.isEmpty, "logSoftmax \(axis)")
    }
  }

  @Test func masks() throws {
    #expect(Tensor.causalMask(3).values == [0, -.infinity, -.infinity, 0, 0, -.infinity, 0, 0, 0])
    let p = try Tensor.paddingMask(lengths: [2, 3], maxLen: 3)
    #expect(p.shape == [2, 1, 1, 3] && p.values == [0, 0, -.infinity, 0, 0, 0])
    #expect(throws: TensorError.self) { try Tensor.paddingMask(lengths: [4], maxLen: 3) }
    // Masked softmax gives exact zeros.
    let y = try (Tensor.zeros([3, 3]) + Tensor.causalMask(3)).softmax().values
    #expect(y == [1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3] || mismatches(y, [1, 0, 0, 0.5, 0.5, 0, 1 / 3, 1 / 3, 1 / 3], atol: 1e-7).isEmpty)
    #expect(y[1] == 0 && y[2] == 0 && y[5] == 0)
  }

  @Test func layerNormNormalisesRows() throws {
    let x = randn([4, 37], seed: 5, std: 4).detached()
    let y = try (x.adding(10)).layerNorm(weight: Tensor.full([37], 1), bias: Tensor.zeros([37])).values
    for r in 0..<4 {
      let row = y[(r * 37)..<((r + 1) * 37)].map(Double.init)
      let m = row.reduce(0, +) / 37
      let v = row.map { ($0 - m) * ($0 - m) }.reduce(0, +) / 37
      #expect(abs(m) < 1e-5 && abs(v - 1) < 1e-3)
    }
    // Affine part: y = x̂·w + b.
    let w = randn([37], seed: 6), b = randn([37], seed: 7)
    let yw = try x.layerNorm(weight: w, bias: b).values
    let y0 = try x.layerNorm(weight: Tensor.full([37], 1), bias: Tensor.zeros([37])).values
    let wv = w.values, bv = b.values
    var ref = [Float](repeating: 0, count: 4 * 37)
    for i in 0..<(4 * 37) { ref[i] = y0[i] * wv[i % 37] + bv[i % 37] }
    #expect(mismatches(yw, ref, atol: 1e-5).isEmpty)
  }

  @Test func layerNormGradients() throws {
    let fails = try gradCheck([randn([3, 2, 6], seed: 8), randn([6], seed: 9), randn([6], seed: 10)], eps: 1e-2) {
      try $0[0].layerNorm(weight: $0[1], bias: $0[2])
    }
    #expect(fails.isEmpty, "\(fails)")
    #expect(throws: TensorError.self) { try Tensor.zeros([2, 6]).layerNorm(weight: Tensor.zeros([5]), bias: Tensor.zeros([6])) }
  }

  @Test func linearMatchesNaiveAndItsGradients() throws {
    let x = randn([2, 3, 5], seed: 11), w = randn([5, 4], seed: 12), b = randn([4], seed: 13)
    let y = try x.linear(weight: w, bias: b).values
    let xv = x.values, wv = w.values, bv = b.values
    var ref = [Float](repeating: 0, count: 24)
    for r in 0..<6 { for o in 0..<4 {
      var s = Double(bv[o])
      for i in 0..<5 { s += Double(xv[r * 5 + i]) * Double(wv[i * 4 + o]) }
      ref[r * 4 + o] = Float(s)
    } }
    #expect(mismatches(y, ref, atol: 1e-5).isEmpty)
    // A transposed weight view ([out, in] storage) gives the same result without a copy.
    let wt = try w.transposed().contiguous()
    #expect(mismatches(try x.linear(weight: wt.transposed(), bias: b).values, ref, atol: 1e-5).isEmpty)
    #expect(mismatches(try x.linear(weight: w, bias: nil).values, (0..<24).map { ref[$0] - bv[$0 % 4] }, atol: 1e-5).isEmpty)
    #expect(try gradCheck([x.detached(), w.detached(), b.detached()]) { try $0[0].linear(weight: $0[1], bias: $0[2]) }.isEmpty)
    #expect(try gradCheck([x.detached(), w.detached()]) { try $0[0].linear(weight: $0[1], bias: nil) }.isEmpty)
    #expect(throws: TensorError.self) { try x.linear(weight: Tensor.zeros([4, 4]), bias: nil) }
    #expect(throws: TensorError.self) { try x.linear(weight: w, bias: Tensor.zeros([5])) }
  }

  @Test func matmulGradients() throws {
    #expect(try gradCheck([randn([2, 3, 4], seed: 14), randn([4, 5], seed: 15)]) { try $0[0].matmul($0[1]) }.isEmpty)
    #expect(try gradCheck([randn([2, 1, 3, 4], seed: 16), randn([3, 5, 4], seed: 17)]) { try $0[0].matmul($0[1].transposed()) }.isEmpty)
  }

  @Test func embeddingGatherScatterAndRange() throws {
    let table = try Tensor(shape: [4, 2], values: [0, 1, 10, 11, 20, 21, 30, 31])
    #expect(try Tensor.embedding(table, ids: [3, 0, 3]).values == [30, 31, 0, 1, 30, 31])
    let t = table.detached().requiringGrad()
    try (Tensor.embedding(t, ids: [3, 0, 3]) * Tensor(shape: [3, 2], values: [1, 2, 3, 4, 5, 6])).sum().backward()
    #expect(t.grad?.values == [3, 4, 0, 0, 0, 0, 6, 8])
    #expect(try gradCheck([randn([5, 3], seed: 18)]) { try Tensor.embedding($0[0], ids: [1, 4, 1, 0]) }.isEmpty)
    do {
      _ = try Tensor.embedding(table, ids: [1, 4])
      Issue.record("expected an error")
    } catch let e as TensorError {
      #expect(e == .indexOutOfRange(op: "embedding", index: 4, range: 0..<4, shape: [4, 2]))
      #expect(e.description.contains("embedding") && e.description.contains("[4, 2]"))
    }
    #expect(throws: TensorError.self) { try Tensor.embedding(table, ids: [-1]) }
  }

  @Test func crossEntropyMatchesLogSumExpByHand() throws {
    let logits = try Tensor(shape: [2, 3], values: [1, 2, 3, 1000, 0, -1000])
    let ce = try Tensor.crossEntropy(logits: logits, targets: [0, 1]).item
    let l0 = Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0)) - 1
    let l1 = 1000.0 - 0   // logsumexp ≈ 1000, target logit 0
    #expect(abs(Double(ce) - (l0 + l1) / 2) < 1e-3)
    let fails = try gradCheck([randn([4, 7], seed: 19)], eps: 1e-2) { try Tensor.crossEntropy(logits: $0[0], targets: [0, 6, 3, 3]) }
    #expect(fails.isEmpty, "\(fails)")
  }

  @Test func crossEntropyBadInput() throws {
    do {
      _ = try Tensor.crossEntropy(logits: Tensor(shape: [1, 2], values: [.nan, 0]), targets: [0])
      Issue.record("expected nonFinite")
    } catch let e as TensorError {
      guard case .nonFinite(let op, let shape, _) = e else { Issue.record("wrong error \(e)"); return }
      #expect(op == "crossEntropy" && shape == [1, 2])
    }
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: Tensor(shape: [1, 2], values: [.infinity, 0]), targets: [1]) }
    #expect(throws: TensorError.indexOutOfRange(op: "crossEntropy", index: 2, range: 0..<2, shape: [1, 2])) {
      try Tensor.crossEntropy(logits: Tensor.zeros([1, 2]), targets: [2])
    }
    #expect(throws: TensorError.self) { try Tensor.crossEntropy(logits: Tensor.zeros([2, 2]), targets: [0]) }
  }

  @Test func dropoutRateScaleDeterminismAndGradient() throws {
    var rng = SplitMix64(seed: 42)
    let x = Tensor.full([10_000], 1)
    let y = try x.dropout(p: 0.25, training: true, using: &rng).values
    let kept = y.filter { $0 != 0 }
    #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
    #expect(abs(Double(kept.count) / 10_000 - 0.75) < 0.02)
    var r1 = SplitMix64(seed: 5), r2 = SplitMix64(seed: 5)
    #expect(try x.dropout(p: 0.5, training: true, using: &r1).values == x.dropout(p: 0.5, training: true, using: &r2).values)
    // Gradient: the same mask scales the output gradient (same seed for both passes).
    let xin = randn([20], seed: 20).requiringGrad()
    var r3 = SplitMix64(seed: 9)
    let out = try xin.dropout(p: 0.5, training: true, using: &r3)
    try out.sum().backward()
    let mask = try out.values.enumerated().map { $0.element / xin.values[$0.offset] }
    #expect(mismatches(xin.grad!.values, mask, atol: 1e-5).isEmpty)
    #expect(throws: TensorError.self) { try x.dropout(p: 1, training: true, using: &rng) }
  }
}
