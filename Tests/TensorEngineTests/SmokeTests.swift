import Testing
import SearchSpaces
@testable import TensorEngine

/// Every forward op runs on small inputs and gives the documented shape and a few exact values.
/// (Values against naive references and gradients are checked in the per-op test files.)
@Suite struct SmokeTests {
  @Test func forwardOpsShapes() throws {
    var rng = SplitMix64(seed: 1)
    let x = Tensor.randn([2, 3, 4], using: &rng)
    #expect(try x.relu().shape == [2, 3, 4])
    #expect(try x.gelu().shape == [2, 3, 4])
    #expect(try x.mean(axes: [1]).shape == [2, 4])
    #expect(try x.max(axes: [2], keepDims: true).shape == [2, 3, 1])
    #expect(try Tensor.concat([x, x], axis: 1).shape == [2, 6, 4])
    #expect(try x.split(sizes: [1, 3], axis: 2).map(\.shape) == [[2, 3, 1], [2, 3, 3]])
    #expect(try x.slice(axis: 1, range: 1..<3).shape == [2, 2, 4])
    #expect(try Tensor.scalar(2).expanded(to: [2, 2]).values == [2, 2, 2, 2])
    #expect(try x.softmax().shape == [2, 3, 4])
    #expect(try x.layerNorm(weight: Tensor.full([4], 1), bias: Tensor.zeros([4])).shape == [2, 3, 4])
    let w = Tensor.randn([4, 5], using: &rng)
    #expect(try x.linear(weight: w, bias: Tensor.zeros([5])).shape == [2, 3, 5])
    #expect(try x.depthwiseConv1d(weight: Tensor.randn([4, 3], using: &rng), bias: nil).shape == [2, 3, 4])
    #expect(try x.fourierReal2D(axes: (1, 2)).shape == [2, 3, 4])
    #expect(try x.dct(axis: 1).shape == [2, 3, 4])
    let table = Tensor.randn([10, 4], using: &rng)
    #expect(try Tensor.embedding(table, ids: [0, 9, 3]).shape == [3, 4])
    let q = Tensor.randn([1, 2, 5, 4], using: &rng)
    #expect(try Tensor.attention(q: q, k: q, v: q, causal: true).shape == [1, 2, 5, 4])
    let logits = try Tensor(shape: [1, 3], values: [0, 0, 0])
    let ce = try Tensor.crossEntropy(logits: logits, targets: [1])
    #expect(abs(ce.item - 1.0986123) < 1e-5)
    #expect(Tensor.causalMask(2).values == [0, -.infinity, 0, 0])
    #expect(try Tensor.paddingMask(lengths: [1], maxLen: 2).values == [0, -.infinity])
    #expect(try x.dropout(p: 0.5, training: false, using: &rng) === x)
  }
}
