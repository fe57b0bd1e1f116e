import Foundation
import Models
import SearchSpaces
import TensorEngine

/// `zerolm`: data-free, training-free capacity of a freshly initialised network (Chen, Ding, Wang,
/// Pedrycz 2025, "ZeroLM: Data-Free Transformer Architecture Search for Language Models",
/// arXiv 2503.18646).
///
/// For every learned linear map W (m×n, k = min(m, n)) the model reports, the capacity is the mean
/// squared singular value S(W) = (1/k)·Σⱼ σⱼ², computed in float64. Capacities are summed per
/// functional sub-module — token mixing (attention or the layer's replacement for it) and FFN —
/// and combined as α·S_mix + (1 − α)·S_ffn. Embedding and output-head maps are not counted.
///
/// Σσ² = ‖W‖²_F exactly, so the default statistic reads it off the weights without a
/// decomposition (`statistic=meansq`); `statistic=meansq-svd` computes the same value from the
/// singular values (float64 eigenvalues of the smaller Gram matrix) and `statistic=nuclear` uses
/// the mean singular value (1/k)·Σσⱼ instead.
///
/// Variants (docs/zerolm.md, "Variants considered"): `statistic=erank` (entropy effective rank of
/// σ², exact singular values), `stable-rank` (‖W‖²_F / σ_max², σ_max by float64 power iteration),
/// `gain` (‖W‖²_F / fan-in); `combine=residual-log` sums log(1 + S) over the layers' residual
/// branches instead of S over maps; `combine=functional-dof` (docs/zerolm-blind-variant.md) counts
/// each sub-module's functional degrees of freedom — parameters of the maps at their generic rank,
/// less the GL(d) redundancy of every attention head's QK and OV circuits — and takes its log, so
/// the score is log(D_mix^α · D_ffn^(1−α)).
///
/// Options: `alpha` (a number in [0, 1]; default: the label-free heuristic below),
/// `statistic` (`meansq` | `meansq-svd` | `nuclear` | `erank` | `stable-rank` | `gain`),
/// `combine` (`sum` | `residual-log` | `functional-dof`), `alpha-samples` (architectures sampled for the heuristic,
/// default 32), `alpha-space` (what the heuristic samples: `records` — the architectures being
/// ranked, the default in `lts rank` — or a named space `flexibert`, `flexibert-as-trained`,
/// `gpt2-lts`, the backbone's being the default elsewhere).
///
/// Heuristic α (no benchmark data): sample architectures from the search space (FlexiBERT:
/// the benchmark's design space, read as described or as trained; GPT-2: the LTS space), compute S_mix and S_ffn of each at the same
/// seed, and take the α on the grid 0, 0.01, …, 1 whose combined score is rank-correlated equally
/// well with both sub-module capacities: argmax_α min(ρ(S_α, S_mix), ρ(S_α, S_ffn)) (Spearman; ties
/// to the α nearest 0.5). It is computed once per (space, seed, statistic, combine, samples) and cached.
public struct ZeroLM: Proxy {
  public let name = "zerolm"
  public let summary = "ZeroLM: α·Σ mixing + (1−α)·Σ FFN of mean squared singular values of the initial weights (data-free)"

  public init() {}

  /// Per-map statistic.
  public enum Statistic: String, Sendable, CaseIterable {
    case meansq, meansqSVD = "meansq-svd", nuclear, erank, stableRank = "stable-rank", gain
  }

  /// How per-map values make the two sub-module scores.
  public enum Combine: String, Sendable, CaseIterable {
    /// S_sub = Σ over the sub-module's maps of S(W) (the paper).
    case sum
    /// S_sub = Σ over layers ℓ of log(1 + Σ_{W in the sub-module of ℓ} S(W)): each sub-module of a
    /// layer is a residual branch, and a residual stack scales the signal by Π(1 + S_ℓ).
    case residualLog = "residual-log"
    /// S_sub = log(1 + D_sub), D_sub the sub-module's functional degrees of freedom: Σ over its
    /// maps of r·(m + n − r) (the dimension of rank-r m×n matrices, r = `genericRank`), less, for
    /// mixing, 2·d² per attention head of inner width d (`headWidths`): a head acts only through
    /// Q_j K_jᵀ and V_j O_j, each unchanged by an invertible d×d change of basis. GELU FFNs have no
    /// such symmetry, so every FFN parameter counts. The per-map `statistic` is not used.
    case functionalDOF = "functional-dof"
  }

  /// Named search spaces the α heuristic can sample (option `alpha-space`). Programs adding a
  /// backbone or a space may add one.
  nonisolated(unsafe) public static var spaces: [String: @Sendable (inout SplitMix64) -> any ArchitectureConfig] = [
    "flexibert": { FlexiBERTConfig.sampleBenchmarkSpace(using: &$0) },
    "flexibert-as-trained": { FlexiBERTConfig.sampleBenchmarkSpace(using: &$0).asTrained },
    "gpt2-lts": { GPT2Space.lts.sample(using: &$0) },
  ]

  /// The space sampled for a backbone when no `alpha-space` is given.
  nonisolated(unsafe) public static var defaultSpace: [String: String] = [
    FlexiBERTConfig.backbone: "flexibert",
    GPT2Config.backbone: "gpt2-lts",
  ]

  /// Backbones that can produce their linear maps without building the whole model (faster; the
  /// same weights as `ModelRegistry.build(config, seed:)`). Others are built in full.
  nonisolated(unsafe) public static var mapBuilders: [String: @Sendable (any ArchitectureConfig, UInt64) throws -> [LinearMap]] = [
    FlexiBERTConfig.backbone: { c, seed in
      guard let f = c as? FlexiBERTConfig else { throw ModelError.unsupportedBackbone(c.backbone) }
      return try FlexiBERTModel.encoderLinearMaps(f, seed: seed)
    },
    GPT2Config.backbone: { c, seed in
      guard let g = c as? GPT2Config else { throw ModelError.unsupportedBackbone(c.backbone) }
      return try GPT2Model.decoderLinearMaps(g, seed: seed)
    },
  ]

  /// Inner widths of the attention heads of each layer (layer → [d_j]), for the QK/OV redundancy of
  /// `combine=functional-dof`; a backbone not listed has no redundancy subtracted. FlexiBERT: SA
  /// (SDP, WMA) has `heads` heads of H/heads, DSC its SDP half (heads/2 of them), LT none; GPT-2:
  /// n_head heads of d_model/n_head per layer.
  nonisolated(unsafe) public static var headWidths: [String: @Sendable (any ArchitectureConfig) -> [Int: [Int]]] = [
    FlexiBERTConfig.backbone: { c in
      guard let f = c as? FlexiBERTConfig else { return [:] }
      var out: [Int: [Int]] = [:]
      for (i, l) in f.layers.enumerated() where l.heads >= 1 {
        let d = f.hiddenSize / l.heads
        switch l.operation {
        case .sa: out[i] = Array(repeating: d, count: l.heads)
        case .dsc: out[i] = Array(repeating: d, count: l.heads / 2)
        case .lt: out[i] = []
        }
      }
      return out
    },
    GPT2Config.backbone: { c in
      guard let g = c as? GPT2Config else { return [:] }
      var out: [Int: [Int]] = [:]
      for (i, h) in g.activeHeads.enumerated() where h >= 1 { out[i] = Array(repeating: g.dModel / h, count: h) }
      return out
    },
  ]

  public func supports(backbone: String) -> Bool { ModelRegistry.builders[backbone] != nil }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    let stat = try Self.statistic(context)
    let comb = try Self.combine(context)
    let (mix, ffn) = try Self.capacities(config, seed: context.seed, statistic: stat, combine: comb)
    let alpha = try Self.alpha(for: config.backbone, context: context)
    return ProxyResult(value: alpha * mix + (1 - alpha) * ffn)
  }

  // MARK: - Statistic

  static func statistic(_ context: ProxyContext) throws -> Statistic {
    try context.choice("statistic", default: .meansq, proxy: "zerolm")
  }

  static func combine(_ context: ProxyContext) throws -> Combine {
    try context.choice("combine", default: .sum, proxy: "zerolm")
  }

  /// The capacity of one map W [in, out] (float64).
  public static func capacity(of weight: Tensor, statistic: Statistic = .meansq) throws -> Double {
    guard weight.rank == 2 else {
      throw ProxyError.invalidOption(proxy: "zerolm", option: "weight", detail: "a linear map needs a 2-D weight, got shape \(weight.shape)")
    }
    let (m, n) = (weight.shape[0], weight.shape[1])
    let k = min(m, n)
    if k == 0 { return 0 }
    let w = weight.contiguous()
    let p = w.pointer
    switch statistic {
    case .meansq:
      return sumOfSquares(p, count: m * n) / Double(k)
    case .gain:
      // ‖W‖²_F / fan-in: W is stored [in, out], so the fan-in is m.
      return sumOfSquares(p, count: m * n) / Double(m)
    case .stableRank:
      let s = sumOfSquares(p, count: m * n)
      let top = largestSquaredSingularValue(p, rows: m, cols: n)
      return top > 0 ? s / top : 0
    case .meansqSVD, .nuclear, .erank:
      let a = (0..<(m * n)).map { Double(p[$0]) }
      let sv = try SymmetricEigen.singularValues(of: a, rows: m, cols: n)
      switch statistic {
      case .nuclear: return sv.reduce(0, +) / Double(k)
      case .erank:
        let total = sv.reduce(0) { $0 + $1 * $1 }
        guard total > 0 else { return 0 }
        var h = 0.0
        for v in sv where v > 0 { let q = v * v / total; h -= q * Foundation.log(q) }
        return Foundation.exp(h)
      default: return sv.reduce(0) { $0 + $1 * $1 } / Double(k)
      }
    }
  }

  /// The generic rank of a map W [m, n]: min(m, n) unless W is identically zero (then 0). N(0, σ²)
  /// weights have full rank with probability 1; a zero-initialised map realises no function yet.
  public static func genericRank(of weight: Tensor) -> Int {
    guard weight.rank == 2 else { return 0 }
    let (m, n) = (weight.shape[0], weight.shape[1])
    guard m > 0, n > 0 else { return 0 }
    let w = weight.contiguous()
    return sumOfSquares(w.pointer, count: m * n) > 0 ? min(m, n) : 0
  }

  /// Functional degrees of freedom of one map W [m, n] of rank r: r·(m + n − r), the dimension of
  /// the rank-r m×n matrices (m·n at full rank), with r = `genericRank` (float64).
  public static func functionalDOF(of weight: Tensor) -> Double {
    let r = genericRank(of: weight)
    guard r > 0 else { return 0 }
    return Double(r) * Double(weight.shape[0] + weight.shape[1] - r)
  }

  /// (D_mix, D_ffn) of `maps` for `combine=functional-dof`: Σ `functionalDOF` per sub-module, the
  /// mixing sum less 2·d² per attention head of `config` (`headWidths`), at least 0.
  public static func functionalDOF(_ maps: [LinearMap], config: any ArchitectureConfig) -> (mix: Double, ffn: Double) {
    var mix = 0.0, ffn = 0.0
    for map in maps {
      switch map.kind {
      case .mixing: mix += functionalDOF(of: map.weight)
      case .ffn: ffn += functionalDOF(of: map.weight)
      default: continue
      }
    }
    let heads = headWidths[config.backbone]?(config) ?? [:]
    for layer in heads.keys.sorted() {
      for d in heads[layer]! { mix -= 2 * Double(d) * Double(d) }
    }
    return (Swift.max(0, mix), ffn)
  }

  /// Elements per chunk of `sumOfSquares` (fixed, so the value never depends on the thread count).
  static let squareChunk = 1 << 16

  /// Σ xᵢ² in float64: fixed chunks, each summed with four float64 SIMD lanes, chunk sums added in
  /// order; chunks run on all threads for large maps. Exact to float64 rounding, repeatable.
  static func sumOfSquares(_ p: UnsafeMutablePointer<Float>, count n: Int) -> Double {
    let chunks = (n + squareChunk - 1) / squareChunk
    func chunkSum(_ c: Int) -> Double {
      let lo = c * squareChunk, hi = Swift.min(n, lo + squareChunk)
      var acc = SIMD4<Double>(repeating: 0)
      var i = lo
      while i + 4 <= hi {
        let x = SIMD4<Double>(Double(p[i]), Double(p[i + 1]), Double(p[i + 2]), Double(p[i + 3]))
        acc += x * x
        i += 4
      }
      var s = acc.sum()
      while i < hi { let x = Double(p[i]); s += x * x; i += 1 }
      return s
    }
    if chunks < 4 { return (0..<chunks).reduce(0) { $0 + chunkSum($1) } }
    let sums = UnsafeMutableBufferPointer<Double>.allocate(capacity: chunks)
    defer { sums.deallocate() }
    let base = sums.baseAddress!
    ThreadPool.shared.parallelFor(chunks) { c in base[c] = chunkSum(c) }
    return sums.reduce(0, +)
  }

  /// Power iterations used for σ_max (`stable-rank`).
  static let powerIterations = 30

  /// σ_max² of the row-major rows×cols matrix `p` by float64 power iteration on WᵀW from a fixed
  /// start vector; the Rayleigh quotient of the last iterate is returned (a lower bound that the
  /// iteration tightens; `powerIterations` steps).
  static func largestSquaredSingularValue(_ p: UnsafeMutablePointer<Float>, rows m: Int, cols n: Int) -> Double {
    var rng = SplitMix64(seed: 0x5EED_57AB_1E00_0000)
    var v = (0..<n).map { _ in rng.nextUnit() - 0.5 }
    var u = [Double](repeating: 0, count: m)
    var lambda = 0.0
    for _ in 0..<powerIterations {
      var nv = 0.0
      for x in v { nv += x * x }
      nv = nv.squareRoot()
      guard nv > 0 else { return 0 }
      for j in 0..<n { v[j] /= nv }
      // u = W v, then v = Wᵀ u; ‖u‖² = vᵀWᵀWv is the Rayleigh quotient of the unit v.
      var uu = 0.0
      for i in 0..<m {
        var acc = 0.0
        let row = p + i * n
        for j in 0..<n { acc += Double(row[j]) * v[j] }
        u[i] = acc
        uu += acc * acc
      }
      lambda = uu
      for j in 0..<n { v[j] = 0 }
      for i in 0..<m {
        let row = p + i * n, ui = u[i]
        for j in 0..<n { v[j] += Double(row[j]) * ui }
      }
    }
    return lambda
  }

  /// (S_mix, S_ffn) of the model of `config` initialised from `seed`.
  public static func capacities(_ config: any ArchitectureConfig, seed: UInt64, statistic: Statistic = .meansq,
                                 combine: Combine = .sum) throws -> (mix: Double, ffn: Double) {
    let maps = try mapBuilders[config.backbone].map { try $0(config, seed) } ?? ModelRegistry.build(config, seed: seed).linearMaps
    if combine == .functionalDOF {   // counts parameters, not a per-map statistic
      let d = functionalDOF(maps, config: config)
      return (Foundation.log1p(d.mix), Foundation.log1p(d.ffn))
    }
    var mix = 0.0, ffn = 0.0
    // Per layer (residual branch) sums, for `residual-log`, in layer order.
    var mixBlocks: [Int: Double] = [:], ffnBlocks: [Int: Double] = [:]
    for map in maps {
      switch map.kind {
      case .mixing:
        let v = try capacity(of: map.weight, statistic: statistic)
        mix += v
        mixBlocks[map.layer ?? -1, default: 0] += v
      case .ffn:
        let v = try capacity(of: map.weight, statistic: statistic)
        ffn += v
        ffnBlocks[map.layer ?? -1, default: 0] += v
      default: continue
      }
    }
    guard combine == .residualLog else { return (mix, ffn) }
    func logSum(_ b: [Int: Double]) -> Double { b.keys.sorted().reduce(0) { $0 + Foundation.log1p(b[$1]!) } }
    return (logSum(mixBlocks), logSum(ffnBlocks))
  }

  // MARK: - Balance factor α

  private static let cacheLock = NSLock()
  nonisolated(unsafe) private static var cache: [String: Double] = [:]

  /// α from the `alpha` option, else the heuristic (cached).
  public static func alpha(for backbone: String, context: ProxyContext) throws -> Double {
    if let s = context.options["alpha"] {
      guard let a = Double(s), a >= 0, a <= 1 else {
        throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha", detail: "'\(s)' is not a number in [0, 1]")
      }
      return a
    }
    let stat = try statistic(context)
    let comb = try combine(context)
    var samples = 32
    if let s = context.options["alpha-samples"] {
      guard let n = Int(s), n >= 3 else {
        throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha-samples", detail: "'\(s)' is not an integer ≥ 3")
      }
      samples = n
    }
    let space = try spaceName(for: backbone, context: context)
    let drawn = space == recordsSpace ? populationSample(context.population, backbone: backbone, seed: context.seed, count: samples) : []
    let key = "\(space)|\(drawn.map(\.canonicalKey).joined(separator: ";").hashValue)|\(context.seed)|\(stat.rawValue)|\(comb.rawValue)|\(samples)"
    cacheLock.lock()
    let hit = cache[key]
    cacheLock.unlock()
    if let a = hit { return a }
    let a: Double
    let from: String
    if space == recordsSpace {
      a = try heuristicAlpha(drawn, seed: context.seed, statistic: stat, combine: comb).alpha
      from = "\(drawn.count) of the \(context.population.count) architectures being ranked (configs only)"
    } else {
      a = try heuristicAlpha(space: space, seed: context.seed, statistic: stat, combine: comb, samples: samples).alpha
      from = "\(samples) architectures sampled from space \(space)"
    }
    // Said once per process and key, on stderr, so a run records the α it used.
    FileHandle.standardError.write(Data("zerolm: heuristic α = \(a) from \(from) (seed \(context.seed), statistic \(stat.rawValue), combine \(comb.rawValue))\n".utf8))
    cacheLock.lock()
    cache[key] = a
    cacheLock.unlock()
    return a
  }

  /// `alpha-space` value meaning "the architectures being ranked" (`ProxyContext.population`).
  public static let recordsSpace = "records"

  /// The space the heuristic samples: option `alpha-space`; else the population being ranked when
  /// there is one with this backbone (`lts rank`); else the backbone's default space.
  static func spaceName(for backbone: String, context: ProxyContext) throws -> String {
    let hasPopulation = context.population.contains { $0.backbone == backbone }
    if let s = context.options["alpha-space"] {
      if s == recordsSpace {
        guard hasPopulation else {
          throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha-space",
                                         detail: "records: no architectures are being ranked together here (only `lts rank` has them)")
        }
        return s
      }
      guard spaces[s] != nil else {
        throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha-space",
                                       detail: "'\(s)' is not one of \((spaces.keys.sorted() + [recordsSpace]).joined(separator: ", "))")
      }
      return s
    }
    if hasPopulation { return recordsSpace }
    guard let s = defaultSpace[backbone] else {
      throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha",
                                     detail: "no search space is known for backbone \(backbone) to choose α; pass alpha=<0…1> or alpha-space=<\(spaces.keys.sorted().joined(separator: "|"))>")
    }
    return s
  }

  /// `count` configs of `backbone` drawn from `population` without replacement by a seeded
  /// generator (all of them when there are no more than `count`), in population order.
  static func populationSample(_ population: [any ArchitectureConfig], backbone: String, seed: UInt64,
                               count: Int) -> [any ArchitectureConfig] {
    let pool = population.filter { $0.backbone == backbone }
    guard pool.count > count else { return pool }
    var rng = SplitMix64(seed: 0x5A3E_0C0F_FEE0_0001 ^ seed)
    var idx = Array(pool.indices)
    for i in 0..<count {   // partial Fisher–Yates
      let j = i + Int(rng.next() % UInt64(idx.count - i))
      idx.swapAt(i, j)
    }
    return idx.prefix(count).sorted().map { pool[$0] }
  }

  /// The label-free heuristic on given architectures (e.g. a sample of the records being ranked).
  public static func heuristicAlpha(_ configs: [any ArchitectureConfig], seed: UInt64, statistic: Statistic = .meansq,
                                    combine: Combine = .sum) throws -> (alpha: Double, points: [(mix: Double, ffn: Double)]) {
    let points = try configs.map { try capacities($0, seed: seed, statistic: statistic, combine: combine) }
    return (bestAlpha(points), points)
  }

  /// The label-free heuristic on the backbone's default space.
  public static func heuristicAlpha(backbone: String, seed: UInt64, statistic: Statistic = .meansq,
                                    combine: Combine = .sum, samples: Int = 32) throws -> (alpha: Double, points: [(mix: Double, ffn: Double)]) {
    try heuristicAlpha(space: spaceName(for: backbone, context: ProxyContext(seed: seed)), seed: seed,
                       statistic: statistic, combine: combine, samples: samples)
  }

  /// The label-free heuristic: returns α and the sampled (S_mix, S_ffn) pairs it used.
  public static func heuristicAlpha(space: String, seed: UInt64, statistic: Statistic = .meansq,
                                    combine: Combine = .sum, samples: Int = 32) throws -> (alpha: Double, points: [(mix: Double, ffn: Double)]) {
    guard let sampler = spaces[space] else {
      throw ProxyError.invalidOption(proxy: "zerolm", option: "alpha-space",
                                     detail: "'\(space)' is not one of \(spaces.keys.sorted().joined(separator: ", "))")
    }
    var rng = SplitMix64(seed: 0x5A3E_0C0F_FEE0_0000 ^ seed)
    var points: [(mix: Double, ffn: Double)] = []
    for _ in 0..<samples { points.append(try capacities(sampler(&rng), seed: seed, statistic: statistic, combine: combine)) }
    return (bestAlpha(points), points)
  }

  /// argmax over α ∈ {0, 0.01, …, 1} of min(ρ(S_α, S_mix), ρ(S_α, S_ffn)); ties → nearest 0.5.
  /// The rank score is piecewise constant in α, so the argmax is a plateau; the tie rule picks its
  /// end nearest 0.5.
  public static func bestAlpha(_ points: [(mix: Double, ffn: Double)]) -> Double {
    var best = 0.5, bestScore = -Double.infinity
    for step in 0...100 {
      let a = Double(step) / 100
      let score = balance(points, alpha: a)
      if score > bestScore + 1e-12 || (abs(score - bestScore) <= 1e-12 && abs(a - 0.5) < abs(best - 0.5)) {
        best = a
        bestScore = score
      }
    }
    return best
  }

  /// min(ρ(S_α, S_mix), ρ(S_α, S_ffn)) over the sampled points: how evenly S_α follows both.
  public static func balance(_ points: [(mix: Double, ffn: Double)], alpha a: Double) -> Double {
    let s = points.map { a * $0.mix + (1 - a) * $0.ffn }
    return min(spearman(s, points.map(\.mix)), spearman(s, points.map(\.ffn)))
  }

  /// Spearman ρ with average ranks for ties (0 when either side is constant).
  static func spearman(_ x: [Double], _ y: [Double]) -> Double {
    func ranks(_ v: [Double]) -> [Double] {
      let order = v.indices.sorted { v[$0] < v[$1] }
      var r = [Double](repeating: 0, count: v.count)
      var i = 0
      while i < order.count {
        var j = i
        while j + 1 < order.count && v[order[j + 1]] == v[order[i]] { j += 1 }
        let avg = Double(i + j) / 2 + 1
        for k in i...j { r[order[k]] = avg }
        i = j + 1
      }
      return r
    }
    let rx = ranks(x), ry = ranks(y)
    let n = Double(x.count)
    let mx = rx.reduce(0, +) / n, my = ry.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in 0..<x.count {
      sxy += (rx[i] - mx) * (ry[i] - my)
      sxx += (rx[i] - mx) * (rx[i] - mx)
      syy += (ry[i] - my) * (ry[i] - my)
    }
    return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : 0
  }
}
