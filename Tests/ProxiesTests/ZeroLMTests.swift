import Foundation
import Testing
import Models
@testable import Proxies
import SearchSpaces
import TensorEngine

/// ZeroLM's per-map statistic on matrices with known singular values, its per-sub-module sums on a
/// built FlexiBERT, the α option and heuristic, and the count baselines' closed forms.
struct ZeroLMTests {
  static let tiny = FlexiBERTConfig(hiddenSize: 16, layers: [
    FlexiBERTLayer(operation: .sa, parameter: "WMA", heads: 4, ffn: [32]),
    FlexiBERTLayer(operation: .lt, parameter: "DFT", heads: 2, ffn: [24, 20]),
    FlexiBERTLayer(operation: .dsc, parameter: "5", heads: 4, ffn: [32]),
  ], embeddingSize: 8, vocabSize: 50, maxPosition: 12)

  @Test func statisticOnKnownSingularValues() throws {
    // [[3, 0, 0], [0, 4, 0]] has singular values 4 and 3.
    let w = try Tensor(shape: [2, 3], values: [3, 0, 0, 0, 4, 0])
    #expect(try ZeroLM.capacity(of: w) == 12.5)
    #expect(abs(try ZeroLM.capacity(of: w, statistic: .meansqSVD) - 12.5) < 1e-12)
    #expect(abs(try ZeroLM.capacity(of: w, statistic: .nuclear) - 3.5) < 1e-12)
    // A strided view (transposed) gives the same singular values.
    #expect(try ZeroLM.capacity(of: w.transposed(0, 1)) == 12.5)
  }

  @Test func gaussianMapsHaveMeanSquareNearStdSquaredTimesLargerSide() throws {
    var rng = SplitMix64(seed: 9)
    let w = Tensor.randn([64, 256], std: 0.02, using: &rng)
    let s = try ZeroLM.capacity(of: w)
    #expect(abs(s / (0.0004 * 256) - 1) < 0.02)
    // Σσ² from the singular values equals the Frobenius form to rounding.
    #expect(abs(try ZeroLM.capacity(of: w, statistic: .meansqSVD) - s) < 1e-9 * s)
  }

  @Test func capacitiesSumTheModelsMixingAndFFNMaps() throws {
    let model = try ModelRegistry.build(Self.tiny, seed: 5)
    var mix = 0.0, ffn = 0.0
    for m in model.linearMaps {
      let v = try ZeroLM.capacity(of: m.weight)
      if m.kind == .mixing { mix += v } else if m.kind == .ffn { ffn += v }
    }
    let (a, b) = try ZeroLM.capacities(Self.tiny, seed: 5)
    #expect(a == mix && b == ffn)
    #expect(a > 0 && b > 0)
    // Per map ≈ 0.02²·max(in, out). Mixing: SA/WMA 12 head maps 16×4, W 4×4 (uniform ±0.1, E = 0.01/3·4),
    // three output denses 16×16, DSC 6 head maps 16×4 + pointwise 16×8 + kernel 8×10 + conv-out 16×8.
    let mixWidths: Double = 12 * 16 + 3 * 16 + 6 * 16 + 16 + 10 + 16
    let expectMix: Double = 0.0004 * mixWidths + 0.04 / 3
    #expect(abs(a / expectMix - 1) < 0.15)
    let ffnWidths: Double = 32 + 32 + 24 + 24 + 20 + 32 + 32
    let expectFFN: Double = 0.0004 * ffnWidths
    #expect(abs(b / expectFFN - 1) < 0.15)
  }

  @Test func encoderOnlyMapsEqualTheFullModels() throws {
    let full = try ModelRegistry.build(Self.tiny, seed: 11).linearMaps.filter { $0.kind == .mixing || $0.kind == .ffn }
    let fast = try FlexiBERTModel.encoderLinearMaps(Self.tiny, seed: 11)
    #expect(full.map(\.name) == fast.map(\.name))
    for (a, b) in zip(full, fast) { #expect(a.weight.values == b.weight.values, "\(a.name)") }
  }

  @Test func alphaOptionCombinesTheTwoSums() throws {
    var ctx = ProxyContext(seed: 5)
    ctx.options["alpha"] = "0.3"
    let (mix, ffn) = try ZeroLM.capacities(Self.tiny, seed: 5)
    let r = try ZeroLM().score(Self.tiny, context: ctx)
    #expect(abs(try #require(r.value) - (0.3 * mix + 0.7 * ffn)) < 1e-12)
    ctx.options["alpha"] = "1.5"
    #expect(throws: ProxyError.self) { try ZeroLM().score(Self.tiny, context: ctx) }
    ctx.options = ["statistic": "median"]
    #expect(throws: ProxyError.self) { try ZeroLM().score(Self.tiny, context: ctx) }
  }

  @Test func bestAlphaBalancesTheTwoRankings() {
    // Exactly opposite rankings: only α = 0.5 (a constant score, ρ = 0 with both) avoids ρ = −1.
    #expect(ZeroLM.bestAlpha([(1, 5), (2, 4), (3, 3), (4, 2), (5, 1)]) == 0.5)
    // When both capacities rank the samples alike every α ties; the tie goes to 0.5.
    #expect(ZeroLM.bestAlpha([(1, 10), (2, 20), (3, 30)]) == 0.5)
    // Swapping the roles of mix and ffn/10 maps this set onto itself: the balance needs α·1 ≈ (1 − α)·10,
    // so α is far above 0.5, and scaling both capacities together changes nothing.
    let base: [(Double, Double)] = [(1, 4), (2, 1), (3, 5), (4, 2), (5, 3)]
    var pts: [(mix: Double, ffn: Double)] = []
    for (x, y) in base { pts.append((x, 10 * y)); pts.append((y, 10 * x)) }
    let best = ZeroLM.bestAlpha(pts)
    #expect(best > 0.8 && best < 0.97)
    #expect(ZeroLM.balance(pts, alpha: best) > ZeroLM.balance(pts, alpha: 0.5))
    #expect(ZeroLM.bestAlpha(pts.map { (3 * $0.mix, 3 * $0.ffn) }) == best)
  }

  @Test func heuristicAlphaIsLabelFreeAndRepeatable() throws {
    let a = try ZeroLM.heuristicAlpha(backbone: "flexibert", seed: 0, samples: 8)
    let b = try ZeroLM.heuristicAlpha(backbone: "flexibert", seed: 0, samples: 8)
    #expect(a.alpha == b.alpha)
    #expect(a.alpha >= 0 && a.alpha <= 1)
    #expect(a.points.count == 8)
    #expect(throws: ProxyError.self) { try ZeroLM.heuristicAlpha(backbone: "recurrent", seed: 0) }
  }

  @Test func alphaSpaceOptionSelectsTheSampledSpace() throws {
    // The as-trained space is the described space mapped through `asTrained`, draw for draw.
    var r1 = SplitMix64(seed: 3), r2 = SplitMix64(seed: 3)
    for _ in 0..<20 {
      let t = try #require(ZeroLM.spaces["flexibert-as-trained"]!(&r1) as? FlexiBERTConfig)
      let d = try #require(ZeroLM.spaces["flexibert"]!(&r2) as? FlexiBERTConfig)
      #expect(t == d.asTrained)
    }
    let described = try ZeroLM.heuristicAlpha(space: "flexibert", seed: 0, samples: 6)
    let trained = try ZeroLM.heuristicAlpha(space: "flexibert-as-trained", seed: 0, samples: 6)
    #expect(described.points.map(\.ffn) != trained.points.map(\.ffn))
    #expect(try ZeroLM.heuristicAlpha(backbone: "flexibert", seed: 0, samples: 6).alpha == described.alpha)
    // With a population (lts rank), α comes from a seeded sample of it, and only of its configs.
    var r3 = SplitMix64(seed: 9)
    let population: [any ArchitectureConfig] = (0..<40).map { _ in FlexiBERTConfig.sampleBenchmarkSpace(using: &r3).asTrained }
    let sample = ZeroLM.populationSample(population, backbone: "flexibert", seed: 0, count: 6)
    #expect(sample.count == 6)
    #expect(Set(sample.map(\.canonicalKey)).isSubset(of: Set(population.map(\.canonicalKey))))
    #expect(ZeroLM.populationSample(population, backbone: "flexibert", seed: 0, count: 6).map(\.canonicalKey) == sample.map(\.canonicalKey))
    #expect(ZeroLM.populationSample(population, backbone: "flexibert", seed: 1, count: 6).map(\.canonicalKey) != sample.map(\.canonicalKey))
    #expect(ZeroLM.populationSample(Array(population.prefix(4)), backbone: "flexibert", seed: 0, count: 6).count == 4)
    var pctx = ProxyContext()
    pctx.population = population
    pctx.options["alpha-samples"] = "6"
    #expect(try ZeroLM.spaceName(for: "flexibert", context: pctx) == "records")
    let viaRecords = try ZeroLM.alpha(for: "flexibert", context: pctx)
    #expect(viaRecords == (try ZeroLM.heuristicAlpha(sample, seed: 0)).alpha)
    pctx.options["alpha-space"] = "flexibert"                          // a named space still wins
    #expect(try ZeroLM.spaceName(for: "flexibert", context: pctx) == "flexibert")
    var none = ProxyContext()
    none.options["alpha-space"] = "records"                             // no population here
    #expect(throws: ProxyError.self) { try ZeroLM.spaceName(for: "flexibert", context: none) }

    // Unknown space: an error naming the option and the known spaces.
    var ctx = ProxyContext()
    ctx.options["alpha-space"] = "nope"
    #expect(throws: ProxyError.self) { try ZeroLM().evaluate(Self.tiny, context: ctx) }
    do { _ = try ZeroLM().evaluate(Self.tiny, context: ctx) } catch {
      #expect("\(error)".contains("alpha-space") && "\(error)".contains("flexibert-as-trained"))
    }
  }

  @Test func variantStatisticsOnKnownSingularValues() throws {
    // [[3, 0, 0], [0, 4, 0]]: σ = 4, 3; Σσ² = 25; stored [in = 2, out = 3].
    let w = try Tensor(shape: [2, 3], values: [3, 0, 0, 0, 4, 0])
    let p = [16.0 / 25, 9.0 / 25]
    let erank = Foundation.exp(-p.reduce(0) { $0 + $1 * Foundation.log($1) })
    #expect(abs(try ZeroLM.capacity(of: w, statistic: .erank) - erank) < 1e-12)
    #expect(abs(try ZeroLM.capacity(of: w, statistic: .stableRank) - 25.0 / 16) < 1e-9)
    #expect(try ZeroLM.capacity(of: w, statistic: .gain) == 12.5)                       // fan-in 2
    #expect(abs(try ZeroLM.capacity(of: w.transposed(0, 1), statistic: .gain) - 25.0 / 3) < 1e-12)  // fan-in 3
    // An orthogonal-column map has effective and stable rank = its rank.
    let q = try Tensor(shape: [3, 2], values: [1, 0, 0, 1, 0, 0])
    #expect(abs(try ZeroLM.capacity(of: q, statistic: .erank) - 2) < 1e-12)
    #expect(abs(try ZeroLM.capacity(of: q, statistic: .stableRank) - 2) < 1e-9)
  }

  @Test func chunkedSumOfSquaresEqualsThePlainFloat64Sum() throws {
    var rng = SplitMix64(seed: 21)
    for n in [7, 4099, 5 * (1 << 16) + 3] {
      let w = Tensor.randn([n, 1], std: 0.02, using: &rng)
      var plain = 0.0
      for i in 0..<n { let x = Double(w.pointer[i]); plain += x * x }
      let s = ZeroLM.sumOfSquares(w.pointer, count: n)
      #expect(abs(s - plain) <= 1e-12 * plain, "n = \(n)")
      #expect(ZeroLM.sumOfSquares(w.pointer, count: n) == s)   // repeatable
    }
  }

  @Test func stableRankPowerIterationMatchesTheExactTopSingularValue() throws {
    var rng = SplitMix64(seed: 3)
    for (m, n) in [(64, 256), (128, 128), (200, 50)] {
      let w = Tensor.randn([m, n], std: 0.02, using: &rng)
      let c = w.contiguous()
      let sv = try SymmetricEigen.singularValues(of: (0..<(m * n)).map { Double(c.pointer[$0]) }, rows: m, cols: n)
      let exact = sv.reduce(0) { $0 + $1 * $1 } / (sv[0] * sv[0])
      let s = try ZeroLM.capacity(of: w, statistic: .stableRank)
      // The Rayleigh quotient is ≤ σ_max², so the estimate is ≥ the exact stable rank, and close.
      #expect(s >= exact * (1 - 1e-9) && s < exact * 1.05, "\(m)×\(n): \(s) vs \(exact)")
    }
  }

  @Test func residualLogCombinesPerLayerBranches() throws {
    let maps = try FlexiBERTModel.encoderLinearMaps(Self.tiny, seed: 5)
    for stat in [ZeroLM.Statistic.meansq, .gain] {
      var mix: [Int: Double] = [:], ffn: [Int: Double] = [:]
      for m in maps {
        let v = try ZeroLM.capacity(of: m.weight, statistic: stat)
        if m.kind == .mixing { mix[m.layer!, default: 0] += v } else if m.kind == .ffn { ffn[m.layer!, default: 0] += v }
      }
      #expect(mix.count == 3 && ffn.count == 3)   // the LT layer's mixing branch is its output dense
      let (a, b) = try ZeroLM.capacities(Self.tiny, seed: 5, statistic: stat, combine: .residualLog)
      #expect(abs(a - mix.values.reduce(0) { $0 + Foundation.log1p($1) }) < 1e-12)
      #expect(abs(b - ffn.values.reduce(0) { $0 + Foundation.log1p($1) }) < 1e-12)
    }
    // Options reach the proxy; unknown values are errors naming the option.
    var ctx = ProxyContext(seed: 5)
    ctx.options = ["alpha": "0.4", "combine": "residual-log", "statistic": "gain"]
    let (a, b) = try ZeroLM.capacities(Self.tiny, seed: 5, statistic: .gain, combine: .residualLog)
    #expect(abs(try #require(try ZeroLM().score(Self.tiny, context: ctx).value) - (0.4 * a + 0.6 * b)) < 1e-12)
    for (k, v) in [("combine", "product"), ("statistic", "logdet")] {
      ctx.options = ["alpha": "0.4", k: v]
      #expect(throws: ProxyError.self) { try ZeroLM().score(Self.tiny, context: ctx) }
      do { _ = try ZeroLM().score(Self.tiny, context: ctx) } catch { #expect("\(error)".contains(k)) }
    }
  }

  @Test func gpt2DecoderOnlyMapsEqualTheFullModels() throws {
    let configs = [
      GPT2Config(nLayer: 2, dModel: 16, dInner: [32, 24], nHead: [2, 4], vocabSize: 50, nPositions: 12),
      GPT2Config(nLayer: 3, dModel: 16, dInner: [32, 24, 40], nHead: [2, 4, 8], dEmbed: 8, vocabSize: 50, nPositions: 12),
      GPT2Config(nLayer: 2, dModel: 16, dInner: [32, 24], nHead: [2, 4], divVal: 2, vocabSize: 60, nPositions: 12, cutoffs: [20, 40]),
    ]
    for c in configs {
      let full = try ModelRegistry.build(c, seed: 7).linearMaps
      let fast = try GPT2Model.decoderLinearMaps(c, seed: 7)
      #expect(full.map(\.name) == fast.map(\.name))
      for (a, b) in zip(full, fast) { #expect(a.weight.values == b.weight.values, "\(a.name)") }
      var mix = 0.0, ffn = 0.0
      for m in full { let v = try ZeroLM.capacity(of: m.weight); if m.kind == .mixing { mix += v } else { ffn += v } }
      let (a, b) = try ZeroLM.capacities(c, seed: 7)
      #expect(a == mix && b == ffn)
    }
  }

  @Test func countBaselinesAndClosedForms() throws {
    let ctx = ProxyContext()
    #expect(try NLayersProxy().score(Self.tiny, context: ctx).value == 3)
    #expect(try LayersXHiddenProxy().score(Self.tiny, context: ctx).value == 48)
    let model = try ModelRegistry.build(Self.tiny, seed: 0)
    #expect(model.parameterCount == Self.tiny.totalParams)
    let encoder = model.namedParameters.filter { $0.name.hasPrefix("encoder.") }.reduce(0) { $0 + $1.tensor.count }
    #expect(try NonEmbeddingParamsProxy().score(Self.tiny, context: ctx).value == Double(encoder))
    #expect(try TotalParamsProxy().score(Self.tiny, context: ctx).value == Double(Self.tiny.totalParams))
    // A benchmark-sized model, as-trained and described.
    var rng = SplitMix64(seed: 4)
    for _ in 0..<3 {
      let c = FlexiBERTConfig.sampleBenchmarkSpace(using: &rng)
      for v in [c, c.asTrained] { #expect(try ModelRegistry.build(v, seed: 1).parameterCount == v.totalParams) }
    }
  }

  // MARK: - combine=functional-dof (docs/zerolm-blind-variant.md)

  /// One SA/SDP layer of hidden 16 with `heads` heads and FFN `ffn`, as trained (first FFN dense 4H).
  static func oneLayer(heads: Int, ffn: [Int] = [64], hidden: Int = 16) -> FlexiBERTConfig {
    FlexiBERTConfig(hiddenSize: hidden, layers: [FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: heads, ffn: ffn)],
                    embeddingSize: 8, vocabSize: 50, maxPosition: 12)
  }

  @Test func functionalDOFOfOneMapIsTheRankManifoldDimension() throws {
    // Full (generic) rank r = min(m, n): r·(m + n − r) = m·n, whatever the orientation.
    let w = try Tensor(shape: [2, 3], values: [3, 0, 0, 0, 4, 0])
    #expect(ZeroLM.genericRank(of: w) == 2)
    #expect(ZeroLM.functionalDOF(of: w) == 6)
    #expect(ZeroLM.functionalDOF(of: try w.transposed(0, 1)) == 6)
    var rng = SplitMix64(seed: 1)
    #expect(ZeroLM.functionalDOF(of: Tensor.randn([16, 40], std: 0.02, using: &rng)) == 640)
    // A zero-initialised map realises rank 0 and counts nothing.
    #expect(ZeroLM.genericRank(of: Tensor.zeros([4, 5])) == 0)
    #expect(ZeroLM.functionalDOF(of: Tensor.zeros([4, 5])) == 0)
  }

  @Test func functionalDOFSubtractsTwoSquaredHeadWidthsPerHead() throws {
    // H = 16, FFN 16→64→16 (2048). Attention: Q/K/V per head 16×d and O 16×16 = 4·256 = 1024,
    // less 2·d² per head: 1 head (d 16) 512 = 2H²; 2 heads (d 8) 768 = 3H²; 4 heads (d 4) 896 = 3.5H².
    for (h, mix) in [(1, 512.0), (2, 768.0), (4, 896.0)] {
      let c = Self.oneLayer(heads: h)
      let d = ZeroLM.functionalDOF(try FlexiBERTModel.encoderLinearMaps(c, seed: 3), config: c)
      #expect(d.mix == mix && d.ffn == 2048, "h = \(h)")
      let (a, b) = try ZeroLM.capacities(c, seed: 3, combine: .functionalDOF)
      #expect(a == Foundation.log1p(mix) && b == Foundation.log1p(2048))
    }
    // Deep stack 16→64→24→24→16: 1024 + 1536 + 576 + 384 = 3520, every map counted in full.
    let deep = Self.oneLayer(heads: 2, ffn: [64, 24, 24])
    #expect(ZeroLM.functionalDOF(try FlexiBERTModel.encoderLinearMaps(deep, seed: 3), config: deep).ffn == 3520)
    // Structural: the same for every seed.
    #expect(try ZeroLM.capacities(deep, seed: 1, combine: .functionalDOF) == ZeroLM.capacities(deep, seed: 2, combine: .functionalDOF))
  }

  @Test func functionalDOFOrdersTinyConfigsAsTheDesignPredicts() throws {
    var ctx = ProxyContext(seed: 0)
    ctx.options = ["combine": "functional-dof", "alpha": "0.5"]
    func score(_ c: FlexiBERTConfig) throws -> Double { try #require(try ZeroLM().score(c, context: ctx).value) }
    // The value is α·log(1 + D_mix) + (1 − α)·log(1 + D_ffn); `statistic` plays no part.
    #expect(abs(try score(Self.oneLayer(heads: 2)) - 0.5 * (Foundation.log1p(768) + Foundation.log1p(2048))) < 1e-12)
    ctx.options["statistic"] = "erank"
    #expect(abs(try score(Self.oneLayer(heads: 2)) - 0.5 * (Foundation.log1p(768) + Foundation.log1p(2048))) < 1e-12)
    // More heads (less QK/OV redundancy) rank higher; a deeper and a wider FFN stack rank higher.
    #expect(try score(Self.oneLayer(heads: 4)) > score(Self.oneLayer(heads: 2)))
    #expect(try score(Self.oneLayer(heads: 2, ffn: [64, 24, 24])) > score(Self.oneLayer(heads: 2, ffn: [64])))
    #expect(try score(Self.oneLayer(heads: 2, ffn: [64, 40, 40])) > score(Self.oneLayer(heads: 2, ffn: [64, 24, 24])))
    // FFN totals add across layers (no per-layer concavity): (64·64·64, 64) with 10240 + 2048 beats
    // (64·40·40, 64·40·40) with 2·5824, which a per-layer log would rank the other way.
    func two(_ f0: [Int], _ f1: [Int]) -> FlexiBERTConfig {
      FlexiBERTConfig(hiddenSize: 16, layers: [FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: 2, ffn: f0),
                                               FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: 2, ffn: f1)],
                      embeddingSize: 8, vocabSize: 50, maxPosition: 12)
    }
    let a = two([64, 64, 64], [64]), b = two([64, 40, 40], [64, 40, 40])
    #expect(try ZeroLM.capacities(a, seed: 0, combine: .functionalDOF).ffn == Foundation.log1p(12288))
    #expect(try ZeroLM.capacities(b, seed: 0, combine: .functionalDOF).ffn == Foundation.log1p(11648))
    #expect(try score(a) > score(b))
    // A misspelt value is an error naming the option.
    ctx.options = ["combine": "functional-dofs", "alpha": "0.5"]
    #expect(throws: ProxyError.self) { try ZeroLM().score(Self.oneLayer(heads: 2), context: ctx) }
    do { _ = try ZeroLM().score(Self.oneLayer(heads: 2), context: ctx) } catch {
      #expect("\(error)".contains("combine") && "\(error)".contains("functional-dof"))
    }
  }

  @Test func functionalDOFIsTheSameForFusedAndPerHeadAttention() throws {
    // GPT-2 lists one fused c_attn [16, 48] (768) and c_proj [16, 16] (256); FlexiBERT lists Q/K/V
    // per head. With 2 heads of 8 both give 1024 − 2·2·64 = 768; FFN 16→32→16 = 1024 in both.
    let g = GPT2Config(nLayer: 1, dModel: 16, dInner: [32], nHead: [2], vocabSize: 50, nPositions: 12)
    let f = Self.oneLayer(heads: 2, ffn: [32])
    let dg = ZeroLM.functionalDOF(try GPT2Model.decoderLinearMaps(g, seed: 4), config: g)
    let df = ZeroLM.functionalDOF(try FlexiBERTModel.encoderLinearMaps(f, seed: 4), config: f)
    #expect(dg.mix == 768 && dg.ffn == 1024)
    #expect(dg.mix == df.mix && dg.ffn == df.ffn)
    // Per-layer heads: 2 layers of d_model 16 with 1 and 4 heads: 2·1024 − 2·256 − 4·2·16 = 1408.
    let g2 = GPT2Config(nLayer: 2, dModel: 16, dInner: [32, 24], nHead: [1, 4], vocabSize: 50, nPositions: 12)
    let d2 = ZeroLM.functionalDOF(try GPT2Model.decoderLinearMaps(g2, seed: 4), config: g2)
    #expect(d2.mix == 1408 && d2.ffn == 1024 + 768)
    // Other FlexiBERT operations: LT has no heads (its output dense counts), DSC's SDP half does.
    #expect(ZeroLM.headWidths["flexibert"]!(Self.tiny) == [0: [4, 4, 4, 4], 1: [], 2: [4, 4]])
  }

  @Test func functionalDOFOfABenchmarkSizedEncoderMatchesTheClosedForm() throws {
    // H = 256, 4 layers, as trained: 4 heads (229 376 each) and FFN 256→1024→1024→1024→256 (2 621 440).
    let layer = FlexiBERTLayer(operation: .sa, parameter: "SDP", heads: 4, ffn: [1024, 1024, 1024])
    let c = FlexiBERTConfig(hiddenSize: 256, layers: Array(repeating: layer, count: 4))
    let (a, b) = try ZeroLM.capacities(c, seed: 0, combine: .functionalDOF)
    #expect(a == Foundation.log1p(4 * 229_376) && b == Foundation.log1p(4 * 2_621_440))
    // The heuristic α works on these log capacities too, label-free and repeatable.
    let h1 = try ZeroLM.heuristicAlpha(space: "flexibert-as-trained", seed: 0, combine: .functionalDOF, samples: 8)
    let h2 = try ZeroLM.heuristicAlpha(space: "flexibert-as-trained", seed: 0, combine: .functionalDOF, samples: 8)
    #expect(h1.alpha == h2.alpha && h1.alpha >= 0 && h1.alpha <= 1)
  }
}
