import Foundation
import Models
import SearchSpaces
import TensorEngine

/// `jacob-cov`: the Jacobian covariance of Mellor et al. (2021, "Neural Architecture Search without
/// Training", v1), in the form Serianni & Kalita (ACL 2023) ran on NAS-Bench-NLP's recurrent cells
/// as a baseline to hidden covariance.
///
/// Seed the generator, build the untrained model, run it in evaluation mode over the same first
/// test batch as `hidden-cov` (`steps` = 70 rows × `batch` = 50 streams), back-propagate
/// Σ(outputs of the last layer) into the embedding output, giving J [T, B, E]. Each stream b is one
/// sample with the T·E entries of its Jacobian as its features' values; the B × B Pearson
/// correlation of the streams (float64) has eigenvalues λ and
///
///     score = −Σᵢ (log(λᵢ + k) + 1/(λᵢ + k)),  k = 1e-5   (higher = better).
///
/// Forward and backward run in float32 through LiteSearch's autograd; correlation and eigenvalues
/// in float64 (`HiddenCov.score`). A stream whose Jacobian is constant (e.g. all zero, a cell that
/// ignores its input) makes the correlation undefined, as NaN does in the reference: the value is
/// then undefined with the reason, never NaN.
///
/// Options: `corpus` `ptb` | `wikitext-2` (default wikitext-2), `batch` (50), `steps` (70), `k` (1e-5).
public struct JacobCovProxy: Proxy {
  public let name = "jacob-cov"
  public let summary = "Jacobian covariance of the untrained model on real text (Mellor et al. 2021), higher = better"
  public var needsData: Bool { true }
  public var needsGradients: Bool { true }

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == RecurrentConfig.backbone }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let c = config as? RecurrentConfig else { throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone) }
    let o = context.options
    func int(_ key: String, default d: Int) throws -> Int {
      guard let v = o[key] else { return d }
      guard let i = Int(v), i >= 1 else { throw ProxyError.invalidOption(proxy: name, option: key, detail: "\(v): expected an integer ≥ 1") }
      return i
    }
    let corpus = o["corpus"] ?? "wikitext-2"
    guard Corpus.known.contains(corpus) else {
      throw ProxyError.invalidOption(proxy: name, option: "corpus", detail: "\(corpus): expected one of \(Corpus.known.joined(separator: ", "))")
    }
    let batch = try int("batch", default: 50), steps = try int("steps", default: 70)
    guard batch >= 2 else { throw ProxyError.invalidOption(proxy: name, option: "batch", detail: "\(batch): the streams are the samples, so at least 2") }
    var k = 1e-5
    if let v = o["k"] {
      guard let x = Double(v), x > 0, x.isFinite else { throw ProxyError.invalidOption(proxy: name, option: "k", detail: "\(v): expected a number > 0") }
      k = x
    }
    let probe = try RecurrentProbe(proxy: name, config: c, corpus: corpus, streams: batch, steps: steps, minSteps: 1, context: context)
    let jac = try RecurrentModel.inputJacobian(config: c, vocabulary: probe.vocabulary, rng: SplitMix64(seed: context.seed),
                                               tokens: probe.tokens, steps: probe.steps, streams: batch)  // [T·B, E]
    let (t, e) = (probe.steps, c.embSize)
    // Streams as features: [T·E, B], entry (t·E + j, b) = J[t·B + b, j].
    let x = UnsafeMutablePointer<Float>.allocate(capacity: t * e * batch)
    defer { x.deallocate() }
    let g = jac.contiguous().pointer
    for s in 0..<t {
      for b in 0..<batch {
        let src = g + (s * batch + b) * e
        for j in 0..<e { x[(s * e + j) * batch + b] = src[j] }
      }
    }
    return HiddenCov.score(x, samples: t * e, units: batch, k: k, what: "streams' Jacobians")
  }
}
