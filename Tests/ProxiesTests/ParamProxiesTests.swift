import Foundation
import Testing
import Models
@testable import Proxies
import SearchSpaces

/// A config of a backbone no counting proxy knows.
private struct DummyConfig: ArchitectureConfig {
  static let backbone = "dummy-backbone"
  func validate() throws {}
  var canonicalKey: String { "dummy" }
}

/// Closed-form counts and FLOPs on configs worked out by hand, and (once the GPT-2 model is
/// registered) against the parameters of instantiated models.
struct ParamProxiesTests {
  /// L = 2, d = 8, f = [16, 32]: (4·64 + 72 + 2·8·16 + 16) + (4·64 + 72 + 2·8·32 + 32) + 2·8 = 600 + 872 + 16.
  static let small = GPT2Config(nLayer: 2, dModel: 8, dInner: [16, 32, 999], nHead: [2, 4, 8], vocabSize: 100, nPositions: 10)

  @Test func decoderParamsByHand() throws {
    #expect(Self.small.decoderParams == 1488)
    let r = try ProxyRegistry.get("decoder-params").score(Self.small)
    #expect(r.value == 1488 && r.undefinedReason == nil && r.seconds >= 0)
  }

  @Test func totalParamsByHand() throws {
    // Plain tied embedding: 100·8 tokens + 10·8 positions + decoder.
    #expect(Self.small.totalParams == 800 + 80 + 1488)
    // d_embed ≠ d_model adds one projection 12·8.
    var wide = Self.small
    wide.dEmbed = 12
    #expect(wide.totalParams == 100 * 12 + 12 * 8 + 80 + 1488)
    // Adaptive: clusters 30, 30, 40 tokens of width 16, 8, 4, each projected to 8;
    // head 2·16 + 2, output biases 100.
    var ada = Self.small
    ada.divVal = 2
    ada.dEmbed = 16
    ada.cutoffs = [30, 60]
    let tables = 30 * 16 + 30 * 8 + 40 * 4, projections = 16 * 8 + 8 * 8 + 4 * 8
    #expect(ada.totalParams == tables + projections + 80 + 1488 + (2 * 16 + 2) + 100)
    #expect(try ProxyRegistry.get("total-params").score(ada).value == Double(ada.totalParams))
  }

  @Test func flopsByHand() throws {
    // T = 4: per layer qkv+proj 4·4·64, scores+values 2·16·8, FFN 2·4·8·f; logits 4·8·100; FLOPs = 2·MACs.
    let macs = (1024 + 256 + 2 * 4 * 8 * 16) + (1024 + 256 + 2 * 4 * 8 * 32) + 4 * 8 * 100
    #expect(Self.small.forwardFLOPs(seqLen: 4) == 2 * macs)
    var ctx = ProxyContext()
    ctx.seqLen = 4
    #expect(try ProxyRegistry.get("flops").score(Self.small, context: ctx).value == Double(2 * macs))
    // Adaptive output: per cluster projection + logits, head 2 cluster logits, and the input projection.
    var ada = Self.small
    ada.divVal = 2
    ada.dEmbed = 16
    ada.cutoffs = [30, 60]
    let out = (4 * 8 * 16 + 4 * 16 * 30) + (4 * 8 * 8 + 4 * 8 * 30) + (4 * 8 * 4 + 4 * 4 * 40) + 4 * 16 * 2
    let body = macs - 4 * 8 * 100
    #expect(ada.forwardFLOPs(seqLen: 4) == 2 * (body + out + 4 * 16 * 8))
    // Longer than the position table: undefined, with the reason.
    ctx.seqLen = 11
    let r = try ProxyRegistry.get("flops").score(Self.small, context: ctx)
    #expect(r.value == nil && r.undefinedReason?.contains("n_positions = 10") == true)
  }

  @Test func directionsAndUnsupportedBackbones() throws {
    for name in ["decoder-params", "total-params", "flops"] {
      let p = try ProxyRegistry.get(name)
      #expect(p.higherIsBetter && !p.needsData && !p.needsGradients && p.isDeterministic)
      #expect(p.supports(backbone: "gpt2"))
      #expect(throws: ProxyError.self) { try p.score(DummyConfig()) }
    }
  }

  /// Random small, valid GPT-2 configs covering div_val 1/2/4, d_embed = / ≠ d_model, 1–3 clusters.
  static func randomConfigs(count: Int, seed: UInt64) -> [GPT2Config] {
    var rng = SplitMix64(seed: seed)
    func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
    var out: [GPT2Config] = []
    while out.count < count {
      let layers = 1 + Int(rng.next() % 3)
      let d = pick([8, 16, 24])
      let heads = (0..<layers).map { _ in pick([1, 2, 4, 8].filter { d % $0 == 0 }) }
      let inner = (0..<layers).map { _ in 4 + Int(rng.next() % 37) }
      let div = pick([1, 2, 4])
      let embed = pick([-1, d, 2 * d, 32])
      let vocab = 40 + Int(rng.next() % 60)
      let cut: [Int]? = pick([nil, [13], [11, 29]])
      var c = GPT2Config(nLayer: layers, dModel: d, dInner: inner + [77], nHead: heads + [3], divVal: div, dEmbed: embed,
                         vocabSize: vocab, nPositions: 4 + Int(rng.next() % 12), cutoffs: cut)
      if div > 1 && cut == nil { c.cutoffs = [vocab / 2] }
      if (try? c.validate()) != nil { out.append(c) }
    }
    return out
  }

  @Test func randomConfigsCoverTheCases() {
    let configs = Self.randomConfigs(count: 24, seed: 11)
    #expect(Set(configs.map(\.divVal)) == [1, 2, 4])
    #expect(Set(configs.map(\.clusterEnds.count)) == [1, 2, 3])
    #expect(configs.contains { $0.divVal == 1 && $0.embedWidth != $0.dModel })
  }

  @Test(.enabled(if: ModelRegistry.builders["gpt2"] != nil, "GPT-2 model not registered yet"))
  func closedFormsEqualInstantiatedModels() throws {
    for c in Self.randomConfigs(count: 24, seed: 11) {
      let model = try ModelRegistry.build(c, seed: 3)
      let decoder = model.namedParameters.filter { $0.name.hasPrefix("h.") || $0.name.hasPrefix("ln_f.") }
        .reduce(0) { $0 + $1.tensor.count }
      #expect(decoder == c.decoderParams, "\(c)")
      #expect(model.parameterCount == c.totalParams, "\(c)")
      #expect(try TotalParamsProxy().score(c).value == Double(model.parameterCount))
    }
  }
}
