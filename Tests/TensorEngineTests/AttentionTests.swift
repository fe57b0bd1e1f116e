import Foundation
import Testing
@testable import TensorEngine

/// Attention: the fused no-grad kernel equals the composed differentiable path and a naive loop.
@Suite struct AttentionTests {
  /// Naive attention on contiguous [B, H, T, d] values; `maskFn(b, h, i, j)` is added to scores.
  func naive(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, mask: ((Int, Int, Int, Int) -> Float)? = nil) -> [Float] {
    let (bsz, h, tq, d) = (q.shape[0], q.shape[1], q.shape[2], q.shape[3]), tk = k.shape[2], hv = v.shape[3]
    let qv = q.values, kv = k.values, vv = v.values
    var out = [Float](repeating: 0, count: bsz * h * tq * hv)
    for b in 0..<bsz { for hh in 0..<h { let bh = b * h + hh
      for i in 0..<tq {
        var s = [Double](repeating: -.infinity, count: tk)
        for j in 0..<tk where !causal || j <= i + tk - tq {
          var dot = 0.0
          for x in 0..<d { dot += Double(qv[(bh * tq + i) * d + x]) * Double(kv[(bh * tk + j) * d + x]) }
          s[j] = dot / Double(d).squareRoot() + Double(mask?(b, hh, i, j) ?? 0)
        }
        let m = s.max()!
        let e = s.map { Foundation.exp($0 - m) }, z = e.reduce(0, +)
        for y in 0..<hv {
          var acc = 0.0
          for j in 0..<tk { acc += e[j] / z * Double(vv[(bh * tk + j) * hv + y]) }
          out[(bh * tq + i) * hv + y] = Float(acc)
        }
      }
    } }
    return out
  }

  /// The composed path, forced by recording (a leaf that requires grad).
  func composed(_ q: Tensor, _ k: Tensor, _ v: Tensor, causal: Bool, mask: Tensor? = nil) throws -> [Float] {
    let qq = q.detached().requiringGrad()
    return try Tensor.attention(q: qq, k: k, v: v, causal: causal, mask: mask).values
  }

  @Test func fusedEqualsComposedEqualsNaive() throws {
    for (t, d, causal) in [(5, 4, true), (70, 8, true), (70, 16, false), (1, 3, true), (130, 8, true)] {
      let q = randn([2, 3, t, d], seed: 1), k = randn([2, 3, t, d], seed: 2), v = randn([2, 3, t, d], seed: 3)
      let fused = try Tensor.attention(q: q, k: k, v: v, causal: causal).values
      let ref = naive(q, k, v, causal: causal)
      #expect(mismatches(fused, ref, atol: 1e-5, rtol: 1e-4).isEmpty, "fused t=\(t) d=\(d) causal=\(causal)")
      #expect(mismatches(try composed(q, k, v, causal: causal), ref, atol: 1e-5, rtol: 1e-4).isEmpty, "composed t=\(t)")
    }
  }

  @Test func paddingMaskAndFewerQueriesThanKeys() throws {
    let q = randn([2, 2, 3, 4], seed: 4), k = randn([2, 2, 6, 4], seed: 5), v = randn([2, 2, 6, 5], seed: 6)
    let lengths = [4, 6]
    let mask = try Tensor.paddingMask(lengths: lengths, maxLen: 6)
    let maskFn: (Int, Int, Int, Int) -> Float = { b, _, _, j in j < lengths[b] ? 0 : -.infinity }
    for causal in [false, true] {
      let ref = naive(q, k, v, causal: causal, mask: maskFn)
      #expect(mismatches(try Tensor.attention(q: q, k: k, v: v, causal: causal, mask: mask).values, ref, atol: 1e-5).isEmpty)
      #expect(mismatches(try composed(q, k, v, causal: causal, mask: mask), ref, atol: 1e-5).isEmpty)
    }
    // A full [B, H, Tq, Tk] mask with finite values (stride-1 rows) and a per-query mask (stride 0 along keys).
    let full = randn([2, 2, 3, 6], seed: 7), fv = full.values
    let ref = naive(q, k, v, causal: false) { b, h, i, j in fv[((b * 2 + h) * 3 + i) * 6 + j] }
    #expect(mismatches(try Tensor.attention(q: q, k: k, v: v, causal: false, mask: full).values, ref, atol: 1e-5).isEmpty)
    let perQuery = randn([1, 1, 3, 1], seed: 8)
    #expect(mismatches(try Tensor.attention(q: q, k: k, v: v, causal: false, mask: perQuery).values,
                       naive(q, k, v, causal: false), atol: 1e-5).isEmpty)
  }

  @Test func stridedHeadViewsNeedNoCopy() throws {
    // Heads permuted out of [B, T, H, d] (as a model does) give the same result as contiguous copies.
    let (b, t, h, d) = (1, 9, 2, 4)
    let qs = randn([b, t, h, d], seed: 9), ks = randn([b, t, h, d], seed: 10), vs = randn([b, t, h, d], seed: 11)
    let q = try qs.permuted([0, 2, 1, 3]), k = try ks.permuted([0, 2, 1, 3]), v = try vs.permuted([0, 2, 1, 3])
    #expect(!q.isContiguous)
    let a = try Tensor.attention(q: q, k: k, v: v, causal: true).values
    let c = try Tensor.attention(q: q.contiguous(), k: k.contiguous(), v: v.contiguous(), causal: true).values
    #expect(a == c)
    // kᵀ given as a transposed view of [B, H, d, T] storage.
    let kt = try k.contiguous().transposed().contiguous().transposed()
    #expect(mismatches(try Tensor.attention(q: q, k: kt, v: v, causal: true).values, c, atol: 1e-6).isEmpty)
  }

  @Test func attentionGradients() throws {
    let mask = try Tensor.paddingMask(lengths: [3, 4], maxLen: 4)
    for causal in [true, false] {
      let fails = try gradCheck([randn([2, 2, 4, 3], seed: 12), randn([2, 2, 4, 3], seed: 13), randn([2, 2, 4, 3], seed: 14)]) {
        try Tensor.attention(q: $0[0], k: $0[1], v: $0[2], causal: causal, mask: mask)
      }
      #expect(fails.isEmpty, "causal=\(causal): \(fails)")
    }
  }

  @Test func badShapesThrow() throws {
    let x = Tensor.zeros([1, 2, 3, 4])
    #expect(throws: TensorError.self) { try Tensor.attention(q: x, k: Tensor.zeros([1, 2, 3, 5]), v: x, causal: false) }
    #expect(throws: TensorError.self) { try Tensor.attention(q: Tensor.zeros([1, 2, 5, 4]), k: x, v: x, causal: true) }
    #expect(throws: TensorError.self) { try Tensor.attention(q: x, k: x, v: x, causal: false, mask: Tensor.zeros([2, 1, 1, 3])) }
    #expect(throws: TensorError.self) { try Tensor.attention(q: Tensor.zeros([2, 3, 4]), k: x, v: x, causal: false) }
  }
}
