import Foundation
import Models
import SearchSpaces
import TensorEngine

/// `hidden-cov`: hidden covariance of an untrained recurrent cell (Serianni & Kalita, ACL 2023),
/// the published protocol of ../shared/data/nasbench_nlp/MODEL.md.
///
/// Seed the generator, build the untrained model, run it in evaluation mode over the first batch
/// (`steps` = 70 rows × `batch` = 50 streams) of the corpus's test split, and record the chosen
/// layer's *incoming* `h_prev_0` at every step, step 0's zero initial state included. The T·B
/// recorded states are the samples of H units; their H × H Pearson correlation matrix (float64) has
/// eigenvalues λ (float64, LAPACK `dsyevd` when present, else LiteSearch's own solver), and
///
///     score = −Σᵢ (log(λᵢ + k) + 1/(λᵢ + k)),  k = 1e-5   (higher = better).
///
/// The forward runs in float32 (GEMM, no autograd); only the layers up to the chosen one and the
/// embedding rows of the batch's tokens are drawn (same values as the full model).
///
/// Undefined results (never NaN): when any unit is constant over all samples the correlation is
/// undefined — the reference (`np.corrcoef`, then `np.linalg.eig`) gets NaN rows and fails for the
/// whole architecture, so we do the same, with the count in the reason (a cell with zero as a fixed
/// point has *all* units constant); likewise for non-finite states (overflowing cells).
///
/// Options: `layer` 1…n_layers (default 1), `corpus` `ptb` | `wikitext-2` (default wikitext-2, the
/// corpus of `nasbench-nlp-wt2`), `batch` (50), `steps` (70), `no_step0` (drop the step-0 state),
/// and for the label-free variants of docs/hidden-cov.md: `skip` (drop the first n steps; `no_step0`
/// = `skip=1`), `k` (the regulariser, default 1e-5), `layers` (e.g. `1,2,3`: sum of the scores of
/// those layers), `seeds` (average over that many seeds from `seed`), `statistic`
/// (`published` | `logdet` | `inverse` | `covariance`).
public struct HiddenCovProxy: Proxy {
  public let name = "hidden-cov"
  public let summary = "hidden covariance of the untrained cell on real text (Serianni & Kalita 2023), higher = better"
  public var needsData: Bool { true }

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == RecurrentConfig.backbone }

  /// Parsed options.
  struct Settings {
    var layers: [Int] = [1]
    var corpus = "wikitext-2"
    var batch = 50
    var steps = 70
    var skip = 0
    var k = 1e-5
    var seeds = 1
    var statistic = HiddenCov.Statistic.published
  }

  func settings(_ ctx: ProxyContext, config: RecurrentConfig) throws -> Settings {
    var s = Settings()
    let o = ctx.options
    func int(_ key: String, min lo: Int) throws -> Int? {
      guard let v = o[key] else { return nil }
      guard let i = Int(v), i >= lo else { throw ProxyError.invalidOption(proxy: name, option: key, detail: "\(v): expected an integer ≥ \(lo)") }
      return i
    }
    func layerIndex(_ text: String, option: String) throws -> Int {
      guard let l = Int(text.trimmingCharacters(in: .whitespaces)), l >= 1 else {
        throw ProxyError.invalidOption(proxy: name, option: option, detail: "\(text): expected a layer number 1…\(config.nLayers)")
      }
      guard l <= config.nLayers else {
        throw ProxyError.invalidOption(proxy: name, option: option, detail: "layer \(l) is beyond n_layers = \(config.nLayers)")
      }
      return l
    }
    if let v = o["layer"] { s.layers = [try layerIndex(v, option: "layer")] }
    if let v = o["layers"] { s.layers = try v.split(separator: ",").map { try layerIndex(String($0), option: "layers") } }
    if let v = o["corpus"] {
      guard Corpus.known.contains(v) else {
        throw ProxyError.invalidOption(proxy: name, option: "corpus", detail: "\(v): expected one of \(Corpus.known.joined(separator: ", "))")
      }
      s.corpus = v
    }
    s.batch = try int("batch", min: 1) ?? s.batch
    s.steps = try int("steps", min: 1) ?? s.steps
    if let v = o["no_step0"] ?? o["no-step0"], ["", "true", "1", "yes"].contains(v.lowercased()) { s.skip = 1 }
    s.skip = try int("skip", min: 0) ?? s.skip
    s.seeds = try int("seeds", min: 1) ?? s.seeds
    if let v = o["k"] {
      guard let k = Double(v), k > 0, k.isFinite else { throw ProxyError.invalidOption(proxy: name, option: "k", detail: "\(v): expected a number > 0") }
      s.k = k
    }
    s.statistic = try ctx.choice("statistic", default: s.statistic, proxy: name)
    guard s.skip < s.steps else {
      throw ProxyError.invalidOption(proxy: name, option: "skip", detail: "dropping \(s.skip) of \(s.steps) steps leaves no samples")
    }
    return s
  }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let c = config as? RecurrentConfig else { throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone) }
    let s = try settings(context, config: c)
    let probe = try RecurrentProbe(proxy: name, config: c, corpus: s.corpus, streams: s.batch, steps: s.steps,
                                   minSteps: s.skip + 1, context: context)
    let (tokens, steps, vocab) = (probe.tokens, probe.steps, probe.vocabulary)
    var total = 0.0
    for seedOffset in 0..<s.seeds {
      // One pass through the layers serves every requested layer.
      let all = try RecurrentModel.incomingStates(config: c, vocabulary: vocab, rng: SplitMix64(seed: context.seed &+ UInt64(seedOffset)),
                                                  tokens: tokens, steps: steps, streams: s.batch, layers: s.layers.map { $0 - 1 })
      for layer in s.layers {
        let states = all[layer - 1]!
        let h = states.shape[1]
        let drop = s.skip * s.batch
        let r = HiddenCov.score(states.pointer + drop * h, samples: states.shape[0] - drop, units: h, k: s.k, statistic: s.statistic)
        guard let v = r.value else {
          return .undefined("layer \(layer): " + (r.undefinedReason ?? "undefined"))
        }
        total += v
      }
    }
    return ProxyResult(value: total / Double(s.seeds))
  }
}

/// The hidden-covariance statistic of recorded states (float64 correlation and eigenvalues).
public enum HiddenCov {
  /// What is computed from the eigenvalues λ of the units' matrix.
  public enum Statistic: String, CaseIterable, Sendable {
    /// −Σ(log(λ + k) + 1/(λ + k)) of the correlation matrix (the paper's).
    case published
    /// −Σ log(λ + k) of the correlation matrix only.
    case logdet
    /// −Σ 1/(λ + k) of the correlation matrix only.
    case inverse
    /// The published formula on the covariance matrix (no normalisation per unit).
    case covariance
  }

  /// Score of `samples` × `units` float32 states (row-major, one sample per row).
  /// `what` names the features in the reasons of undefined results (hidden units; for `jacob-cov`,
  /// the streams whose Jacobians are correlated).
  public static func score(_ x: UnsafePointer<Float>, samples n: Int, units h: Int, k: Double = 1e-5,
                           statistic: Statistic = .published, what: String = "units") -> ProxyResult {
    guard n >= 2, h >= 1 else { return .undefined("needs at least 2 samples, got \(n)") }
    let corr = Correlation.pearson(x, samples: n, features: h)
    if !corr.nonFiniteFeatures.isEmpty {
      return .undefined("\(corr.nonFiniteFeatures.count) of \(h) \(what) have non-finite values (the cell overflows)")
    }
    if corr.constantFeatures.count == h {
      return .undefined("all \(h) \(what) are constant over the \(n) samples (zero is a fixed point of the cell)")
    }
    if !corr.constantFeatures.isEmpty {
      return .undefined("\(corr.constantFeatures.count) of \(h) \(what) are constant, so their correlation is undefined (NaN in the reference)")
    }
    var m = corr.matrix
    if statistic == .covariance {
      // Covariance from the correlation: Σᵢⱼ = ρᵢⱼ·σᵢ·σⱼ (σ from the float64 centred data).
      let sd = standardDeviations(x, samples: n, units: h)
      for i in 0..<h { for j in 0..<h { m[i * h + j] *= sd[i] * sd[j] } }
    }
    let lambda: [Double]
    do { lambda = try SymmetricEigen.eigenvalues(of: m, n: h) } catch {
      return .undefined("eigenvalues failed: \(error)")
    }
    var s = 0.0
    for l in lambda {
      let v = l + k
      guard v > 0 else { return .undefined("eigenvalue \(l) ≤ −k") }
      switch statistic {
      case .published, .covariance: s -= Foundation.log(v) + 1 / v
      case .logdet: s -= Foundation.log(v)
      case .inverse: s -= 1 / v
      }
    }
    return ProxyResult(value: s)
  }

  static func standardDeviations(_ x: UnsafePointer<Float>, samples n: Int, units h: Int) -> [Double] {
    var mean = [Double](repeating: 0, count: h), sq = [Double](repeating: 0, count: h)
    for s in 0..<n { for j in 0..<h { mean[j] += Double(x[s * h + j]) } }
    for j in 0..<h { mean[j] /= Double(n) }
    for s in 0..<n { for j in 0..<h { let d = Double(x[s * h + j]) - mean[j]; sq[j] += d * d } }
    return sq.map { ($0 / Double(n - 1)).squareRoot() }
  }
}
