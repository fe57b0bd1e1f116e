import Foundation
import Testing
@testable import Models
@testable import Proxies
import SearchSpaces
import TensorEngine

/// `hidden-cov`: the statistic on states with a known spectrum, undefined cases, options and the
/// proxy end to end on a small cell over the real WikiText-2 test split (skipped without the data).
@Suite struct HiddenCovTests {
  static var corporaRoot: String? {
    var candidates = ["../shared/data", "../../shared/data"]
    if let e = ProcessInfo.processInfo.environment["LTS_DATA"] { candidates.insert(e, at: 0) }
    return candidates.map { ($0 as NSString).appendingPathComponent("corpora") }
      .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("wikitext-2/test.txt")) }
  }

  func score(_ x: [Float], units: Int, k: Double = 1e-5) -> ProxyResult {
    x.withUnsafeBufferPointer { HiddenCov.score($0.baseAddress!, samples: x.count / units, units: units, k: k) }
  }

  @Test func knownSpectra() {
    let k = 1e-5
    func term(_ l: Double) -> Double { Foundation.log(l + k) + 1 / (l + k) }
    // Two uncorrelated units (±1 patterns): correlation = I, λ = 1, 1.
    let indep: [Float] = [1, 1, 1, -1, -1, 1, -1, -1]
    #expect(abs(score(indep, units: 2).value! - -2 * term(1)) < 1e-9)
    // Two perfectly correlated units: λ = 0, 2.
    let same: [Float] = [0, 0, 1, 1, 3, 3, -2, -2]
    let v = score(same, units: 2).value!
    #expect(abs(v - -(term(0) + term(2))) < 1e-6 * abs(v))
    // The regulariser is an option.
    #expect(abs(score(indep, units: 2, k: 0.5).value! - -2 * (Foundation.log(1.5) + 1 / 1.5)) < 1e-9)
  }

  @Test func constantOrNonFiniteStatesAreUndefinedNeverNaN() {
    let zeros = [Float](repeating: 0, count: 40)
    let r = score(zeros, units: 4)
    #expect(r.value == nil)
    #expect(r.undefinedReason?.contains("all 4 units are constant") == true)
    var some: [Float] = [1, 5, 2, 5, 3, 5, 0, 5]
    #expect(score(some, units: 2).undefinedReason?.contains("1 of 2 units are constant") == true)
    some[0] = .nan
    #expect(score(some, units: 2).undefinedReason?.contains("non-finite") == true)
  }

  static let lstmLike: [String: RecipeNode] = [
    "i": .init(op: .linear, input: ["x", "h_prev_0"]), "i_act": .init(op: .activationSigm, input: ["i"]),
    "c": .init(op: .linear, input: ["x", "h_prev_1"]), "c_act": .init(op: .activationTanh, input: ["c"]),
    "h_new_1": .init(op: .blend, input: ["i_act", "c_act", "h_prev_1"]),
    "h_new_0": .init(op: .activationTanh, input: ["h_new_1"]),
  ]

  func context(_ options: [String: String], seed: UInt64 = 0) -> ProxyContext {
    var c = ProxyContext(seed: seed)
    c.dataRoot = Self.corporaRoot
    c.options = options
    return c
  }

  @Test func endToEndOnWikiText2() throws {
    guard Self.corporaRoot != nil else { return }
    let proxy = try ProxyRegistry.get("hidden-cov")
    let cfg = RecurrentConfig(recipe: Self.lstmLike, embSize: 16, hiddenSize: 24, nLayers: 3)
    let a = try proxy.score(cfg, context: context([:]))
    let v = try #require(a.value)
    #expect(v.isFinite && v < 0)
    #expect(try proxy.score(cfg, context: context([:])).value == v)  // deterministic per seed
    #expect(try proxy.score(cfg, context: context([:], seed: 1)).value != v)
    let l3 = try proxy.score(cfg, context: context(["layer": "3"]))
    #expect(l3.value != nil && l3.value != v)
    #expect(try proxy.score(cfg, context: context(["no_step0": "true"])).value != v)
    // The score equals HiddenCov.score on the model's recorded states (first 70 × 50 of test).
    let wt2 = try Corpus.named("wikitext-2", root: Self.corporaRoot!)
    let toks = try Corpus.batchify(wt2.test, streams: 50).rows(0, 70)
    var rng = SplitMix64(seed: 0)
    let model = try RecurrentModel(config: cfg, vocabulary: wt2.vocabularySize, using: &rng)
    let x = try Tensor.embedding(model.embedding, ids: toks.map(Int.init))
    let states = try model.layers[0].infer(x, steps: 70, streams: 50, recordIncoming: true).incoming!
    #expect(states.shape == [3500, 24])
    #expect(HiddenCov.score(states.pointer, samples: 3500, units: 24).value == v)
  }

  @Test func zeroFixedPointIsUndefined() throws {
    guard Self.corporaRoot != nil else { return }
    // h_new_0 = h_prev_0 ⊙ tanh(W·x): zero stays zero forever.
    let cell: [String: RecipeNode] = ["a": .init(op: .linear, input: ["x"]), "t": .init(op: .activationTanh, input: ["a"]),
                                      "h_new_0": .init(op: .elementwiseProd, input: ["t", "h_prev_0"])]
    let r = try HiddenCovProxy().score(RecurrentConfig(recipe: cell, embSize: 8, hiddenSize: 12, nLayers: 2), context: context([:]))
    #expect(r.value == nil)
    #expect(r.undefinedReason == "layer 1: all 12 units are constant over the 3500 samples (zero is a fixed point of the cell)")
  }

  @Test func badOptionsAndDataNameTheProblem() throws {
    let cfg = RecurrentConfig(recipe: Self.lstmLike, embSize: 8, hiddenSize: 12, nLayers: 2)
    func message(_ opts: [String: String], root: String? = Self.corporaRoot) -> String {
      var c = context(opts)
      c.dataRoot = root
      do { _ = try HiddenCovProxy().score(cfg, context: c); return "(no error)" } catch { return "\(error)" }
    }
    #expect(message(["layer": "3"]) == "proxy hidden-cov: option layer: layer 3 is beyond n_layers = 2")
    #expect(message(["layer": "x"]).contains("expected a layer number"))
    #expect(message(["corpus": "wt103"]).contains("expected one of ptb, wikitext-2"))
    #expect(message(["steps": "0"]).contains("option steps"))
    let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("lts-hc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: dir + "/wikitext-2", withIntermediateDirectories: true)
    let m = message([:], root: dir)
    #expect(m.contains("wikitext-2/train.txt: file is missing") && !m.contains("\n"))
    if Self.corporaRoot != nil {
      var small = cfg
      small.vocabSize = 100
      var c = context([:])
      c.dataRoot = Self.corporaRoot
      #expect(throws: ConfigError.self) { try HiddenCovProxy().score(small, context: c) }
    }
  }
}
