import Foundation
import Testing
@testable import Models
@testable import Proxies
import SearchSpaces
import TensorEngine

/// `jacob-cov`: the input Jacobian against central finite differences of the model's own forward,
/// the score against a direct float64 evaluation of the reference formula, undefined cases, options,
/// and the proxy end to end on the real WikiText-2 test split (skipped without the data).
@Suite struct JacobCovTests {
  static let config = RecurrentConfig(recipe: HiddenCovTests.lstmLike, embSize: 6, hiddenSize: 5, nLayers: 2, vocabSize: 17)
  static let (steps, streams) = (4, 3)
  static let tokens: [Int32] = [3, 9, 1, 16, 0, 9, 4, 4, 12, 7, 2, 5]

  /// Σ of the last layer's outputs for embedding rows `x` [T·B, E], with the layers drawn as
  /// `RecurrentModel.init` draws them from seed 0.
  static func outputSum(_ x: Tensor) throws -> Double {
    var rng = SplitMix64(seed: 0)
    let model = try RecurrentModel(config: config, vocabulary: 17, using: &rng)
    return try withNoGrad {
      var h = x
      for l in model.layers { h = try l.forward(h, steps: steps, streams: streams).output }
      let c = h.contiguous()
      return (0..<c.count).reduce(0.0) { $0 + Double(c.pointer[$1]) }
    }
  }

  @Test func inputJacobianMatchesFiniteDifferences() throws {
    let jac = try RecurrentModel.inputJacobian(config: Self.config, vocabulary: 17, rng: SplitMix64(seed: 0),
                                               tokens: Self.tokens, steps: Self.steps, streams: Self.streams)
    #expect(jac.shape == [12, 6])
    var rng = SplitMix64(seed: 0)
    let model = try RecurrentModel(config: Self.config, vocabulary: 17, using: &rng)
    let x0 = try Tensor.embedding(model.embedding, ids: Self.tokens.map(Int.init)).contiguous()
    let base = (0..<x0.count).map { x0.pointer[$0] }
    let eps: Float = 1e-2
    var worst = 0.0
    for (row, col) in [(0, 0), (2, 5), (5, 3), (7, 1), (11, 4), (9, 2)] {
      func shifted(_ d: Float) throws -> Double {
        var v = base
        v[row * 6 + col] += d
        return try Self.outputSum(try Tensor(shape: x0.shape, values: v))
      }
      let fd = (try shifted(eps) - shifted(-eps)) / Double(2 * eps)
      let an = Double(jac.contiguous().pointer[row * 6 + col])
      worst = max(worst, abs(fd - an) / max(1e-3, abs(fd)))
    }
    #expect(worst < 2e-2)
    // A stream's first-step rows influence later outputs: the Jacobian is not just local.
    #expect((0..<6).contains { jac.contiguous().pointer[$0] != 0 })
  }

  @Test func scoreIsTheReferenceFormulaOnStreamCorrelations() throws {
    let jac = try RecurrentModel.inputJacobian(config: Self.config, vocabulary: 17, rng: SplitMix64(seed: 0),
                                               tokens: Self.tokens, steps: Self.steps, streams: Self.streams).contiguous()
    // np.corrcoef of J transposed to [B, T·E], by hand in float64.
    let (t, b, e) = (Self.steps, Self.streams, 6)
    let rows = (0..<b).map { s in (0..<t).flatMap { step in (0..<e).map { Double(jac.pointer[(step * b + s) * e + $0]) } } }
    let means = rows.map { $0.reduce(0, +) / Double($0.count) }
    var corr = [Double](repeating: 0, count: b * b)
    for i in 0..<b { for j in 0..<b {
      var sij = 0.0, sii = 0.0, sjj = 0.0
      for n in 0..<(t * e) {
        let a = rows[i][n] - means[i], c = rows[j][n] - means[j]
        sij += a * c; sii += a * a; sjj += c * c
      }
      corr[i * b + j] = sij / (sii * sjj).squareRoot()
    } }
    let lambda = try SymmetricEigen.eigenvalues(of: corr, n: b)
    let expected = -lambda.reduce(0) { $0 + Foundation.log($1 + 1e-5) + 1 / ($1 + 1e-5) }
    let probe = x(jac, t: t, b: b, e: e)
    let got = probe.withUnsafeBufferPointer { HiddenCov.score($0.baseAddress!, samples: t * e, units: b, what: "streams") }
    #expect(abs(got.value! - expected) < 1e-9 * max(1, abs(expected)))
  }

  /// The proxy's layout: [T·E, B].
  func x(_ jac: Tensor, t: Int, b: Int, e: Int) -> [Float] {
    var out = [Float](repeating: 0, count: t * e * b)
    for s in 0..<t { for k in 0..<b { for j in 0..<e { out[(s * e + j) * b + k] = jac.pointer[(s * b + k) * e + j] } } }
    return out
  }

  @Test func realTextEndToEndAndErrors() throws {
    guard let root = HiddenCovTests.corporaRoot else { return }
    var ctx = ProxyContext(seed: 0)
    ctx.dataRoot = root
    ctx.options = ["batch": "8", "steps": "10"]
    let c = RecurrentConfig(recipe: HiddenCovTests.lstmLike, embSize: 8, hiddenSize: 12, nLayers: 2)
    let p = JacobCovProxy()
    let a = try p.score(c, context: ctx), b = try p.score(c, context: ctx)
    #expect(a.value != nil && a.value == b.value)                         // same seed → same value
    #expect(a.value!.isFinite && a.value! < 0)                             // −Σ(log λ + 1/λ) of an 8 × 8 correlation
    ctx.seed = 1
    #expect(try p.score(c, context: ctx).value != a.value)
    #expect(p.needsGradients && p.needsData)

    // A cell whose output ignores its input has a zero Jacobian: undefined, with the reason.
    let constant = RecurrentConfig(recipe: ["h_new_0": .init(op: .linear, input: ["h_prev_0"])], embSize: 8, hiddenSize: 12, nLayers: 1)
    ctx.seed = 0
    let z = try p.score(constant, context: ctx)
    #expect(z.value == nil && z.undefinedReason?.contains("constant") == true)

    func message(_ opts: [String: String]) -> String {
      var cx = ctx
      cx.options = opts
      do { _ = try p.score(c, context: cx); return "(no error)" } catch { return "\(error)" }
    }
    #expect(message(["batch": "1"]).contains("option batch"))
    #expect(message(["steps": "zero"]).contains("option steps"))
    #expect(message(["corpus": "ptb2"]).contains("option corpus"))
    #expect(message(["k": "-1"]).contains("option k"))
    #expect(throws: ProxyError.self) { try p.score(FlexiBERTConfig(hiddenSize: 16, layers: [FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: 2, ffn: [32])]), context: ctx) }
  }
}
