// Heterogeneous GPT-2 as in LiteTransformerSearch (archai `hf_gpt2_flex`): every layer has its own
// head count and FFN width. Follows the structure of nanoGPT's model.py / HF GPT2Model (pre-LN blocks,
// learned positions, tied output embedding) and archai's adaptive input / softmax for div_val > 1.
//
// Shape legend: B = batch, T = sequence length, C = d_model, H = heads of the layer, D = C / H,
// F = d_inner of the layer, V = vocabulary, E_k = width of embedding cluster k.
// Weights are stored [in, out] (HF Conv1D convention), so names map 1:1 to HF checkpoints
// (`wte`, `wpe`, `h.{i}.ln_1`, `h.{i}.attn.c_attn`, `h.{i}.attn.c_proj`, `h.{i}.ln_2`, `h.{i}.mlp.c_fc`,
// `h.{i}.mlp.c_proj`, `ln_f`).
import SearchSpaces
import TensorEngine

/// A dense map x·W + b with W [in, out].
final class LinearParams {
  let weight: Tensor, bias: Tensor?
  init(_ nIn: Int, _ nOut: Int, std: Float, bias: Bool = true, using rng: inout SplitMix64) {
    weight = Tensor.randn([nIn, nOut], std: std, using: &rng, requiresGrad: true)
    self.bias = bias ? Tensor.zeros([nOut], requiresGrad: true) : nil
  }
  func callAsFunction(_ x: Tensor) throws -> Tensor { try x.linear(weight: weight, bias: bias) }
}

/// Causal self-attention with this layer's head count.
final class GPT2Attention {
  let nHead: Int
  let cAttn: LinearParams   // [C, 3C]
  let cProj: LinearParams   // [C, C], residual projection
  init(dModel: Int, nHead: Int, residualStd: Float, using rng: inout SplitMix64) {
    self.nHead = nHead
    cAttn = LinearParams(dModel, 3 * dModel, std: 0.02, using: &rng)
    cProj = LinearParams(dModel, dModel, std: residualStd, using: &rng)
  }

  func callAsFunction(_ x: Tensor) throws -> Tensor {
    let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
    let d = c / nHead
    let qkv = try cAttn(x)                                        // [B, T, 3C]
    let parts = try qkv.split(sizes: [c, c, c], axis: 2)          // 3 × [B, T, C]
    func heads(_ z: Tensor) throws -> Tensor {
      try z.reshaped([b, t, nHead, d]).permuted([0, 2, 1, 3])     // [B, H, T, D]
    }
    let y = try Tensor.attention(q: heads(parts[0]), k: heads(parts[1]), v: heads(parts[2]), causal: true)
    let merged = try y.permuted([0, 2, 1, 3]).contiguous().reshaped([b, t, c])  // [B, T, C]
    return try cProj(merged)
  }
}

/// Position-wise FFN of this layer's width, GELU (tanh form).
final class GPT2MLP {
  let cFc: LinearParams     // [C, F]
  let cProj: LinearParams   // [F, C], residual projection
  init(dModel: Int, dInner: Int, residualStd: Float, using rng: inout SplitMix64) {
    cFc = LinearParams(dModel, dInner, std: 0.02, using: &rng)
    cProj = LinearParams(dInner, dModel, std: residualStd, using: &rng)
  }
  func callAsFunction(_ x: Tensor) throws -> Tensor { try cProj(cFc(x).gelu()) }
}

/// Pre-LN transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)).
final class GPT2Block {
  let ln1: LayerNormParams, attn: GPT2Attention, ln2: LayerNormParams, mlp: GPT2MLP
  init(dModel: Int, nHead: Int, dInner: Int, nLayer: Int, using rng: inout SplitMix64) {
    let residualStd = 0.02 / Float(2 * nLayer).squareRoot()
    ln1 = LayerNormParams(dModel)
    attn = GPT2Attention(dModel: dModel, nHead: nHead, residualStd: residualStd, using: &rng)
    ln2 = LayerNormParams(dModel)
    mlp = GPT2MLP(dModel: dModel, dInner: dInner, residualStd: residualStd, using: &rng)
  }
  /// The block's four learned maps (layer i).
  func linearMaps(_ i: Int) -> [LinearMap] {
    [LinearMap(name: "h.\(i).attn.c_attn", kind: .mixing, layer: i, weight: attn.cAttn.weight),
     LinearMap(name: "h.\(i).attn.c_proj", kind: .mixing, layer: i, weight: attn.cProj.weight),
     LinearMap(name: "h.\(i).mlp.c_fc", kind: .ffn, layer: i, weight: mlp.cFc.weight),
     LinearMap(name: "h.\(i).mlp.c_proj", kind: .ffn, layer: i, weight: mlp.cProj.weight)]
  }
  func callAsFunction(_ x: Tensor) throws -> Tensor {
    let h = try x + attn(ln1(x))
    return try h + mlp(ln2(h))
  }
}

/// Token embedding: one table (div_val = 1) or vocabulary clusters of shrinking width, each projected to
/// d_model (adaptive input, Baevski & Auli). The same tables (and projections) give the output softmax.
final class AdaptiveEmbedding {
  /// Cluster k covers token ids starts[k] ..< ends[k].
  let starts: [Int], ends: [Int]
  let tables: [Tensor]        // k: [V_k, E_k]
  let projections: [Tensor?]  // k: [E_k, C] or nil when E_k == C and div_val == 1
  /// Adaptive softmax extras (div_val > 1): cluster logits appended to the head, per-token biases.
  let clusterWeight: Tensor?  // [E_0, nClusters − 1]
  let clusterBias: Tensor?    // [nClusters − 1]
  let outBias: [Tensor]       // k: [V_k] (adaptive only)

  init(_ cfg: GPT2Config, using rng: inout SplitMix64) {
    let ends = cfg.clusterEnds
    self.ends = ends
    starts = [0] + ends.dropLast()
    let adaptive = cfg.divVal > 1
    var tables: [Tensor] = [], projections: [Tensor?] = [], outBias: [Tensor] = []
    for k in 0..<ends.count {
      let w = cfg.clusterWidth(k)
      tables.append(Tensor.randn([ends[k] - starts[k], w], std: 0.02, using: &rng, requiresGrad: true))
      projections.append(adaptive || w != cfg.dModel
        ? Tensor.randn([w, cfg.dModel], std: 0.02, using: &rng, requiresGrad: true) : nil)
      if adaptive { outBias.append(Tensor.zeros([ends[k] - starts[k]], requiresGrad: true)) }
    }
    self.tables = tables
    self.projections = projections
    self.outBias = outBias
    let nTail = ends.count - 1
    clusterWeight = adaptive && nTail > 0 ? Tensor.randn([cfg.clusterWidth(0), nTail], std: 0.02, using: &rng, requiresGrad: true) : nil
    clusterBias = adaptive && nTail > 0 ? Tensor.zeros([nTail], requiresGrad: true) : nil
  }

  /// ids (flattened B·T) → [B·T, C].
  func embed(_ ids: [Int]) throws -> Tensor {
    if tables.count == 1 {
      let e = try Tensor.embedding(tables[0], ids: ids)                    // [N, E_0]
      return try projections[0].map { try e.matmul($0) } ?? e             // [N, C]
    }
    var out: Tensor? = nil
    for k in 0..<tables.count {
      // Rows of tokens outside the cluster look up row 0 and are masked to zero.
      var local = [Int](repeating: 0, count: ids.count)
      var mask = [Float](repeating: 0, count: ids.count)
      var any = false
      for (i, id) in ids.enumerated() where id >= starts[k] && id < ends[k] {
        local[i] = id - starts[k]; mask[i] = 1; any = true
      }
      if !any { continue }
      let e = try Tensor.embedding(tables[k], ids: local).matmul(projections[k]!)   // [N, C]
      let m = try e * Tensor(shape: [ids.count, 1], values: mask)
      out = try out.map { try $0 + m } ?? m
    }
    return out!
  }

  /// Hidden states [N, C] → log-probabilities [N, V] (div_val > 1) or logits [N, V] (div_val = 1).
  func output(_ h: Tensor) throws -> Tensor {
    func clusterLogits(_ k: Int) throws -> Tensor {
      let hk = try projections[k].map { try h.matmul($0.transposed()) } ?? h   // [N, E_k]
      let l = try hk.matmul(tables[k].transposed())                           // [N, V_k]
      return outBias.isEmpty ? l : try l + outBias[k]
    }
    if tables.count == 1 { return try clusterLogits(0) }
    let h0 = try h.matmul(projections[0]!.transposed())                       // [N, E_0]
    let tailLogits = try h0.matmul(clusterWeight!) + clusterBias!             // [N, K−1]
    let head = try Tensor.concat([clusterLogits(0), tailLogits], axis: 1).logSoftmax(axis: 1)
    let v0 = ends[0] - starts[0]
    var parts = [try head.slice(axis: 1, range: 0..<v0)]
    for k in 1..<tables.count {
      let tail = try clusterLogits(k).logSoftmax(axis: 1)                      // [N, V_k]
      parts.append(try tail + head.slice(axis: 1, range: (v0 + k - 1)..<(v0 + k)))
    }
    return try Tensor.concat(parts, axis: 1)                                   // [N, V]
  }

  var namedParameters: [(name: String, tensor: Tensor)] {
    var p: [(String, Tensor)] = []
    for k in 0..<tables.count {
      p.append(("wte.\(k).weight", tables[k]))
      if let pr = projections[k] { p.append(("wte.\(k).proj", pr)) }
    }
    if let w = clusterWeight, let b = clusterBias { p += [("crit.cluster_weight", w), ("crit.cluster_bias", b)] }
    for (k, b) in outBias.enumerated() { p.append(("crit.out_layers.\(k).bias", b)) }
    return p
  }
}

/// The GPT-2 language model of a `GPT2Config`.
public final class GPT2Model: LanguageModel {
  public let config: GPT2Config
  let wte: AdaptiveEmbedding
  let wpe: Tensor            // [n_positions, C]
  let blocks: [GPT2Block]
  let lnF: LayerNormParams

  /// Builds the model with GPT-2 initialisation: N(0, 0.02) weights, residual projections
  /// N(0, 0.02/√(2·n_layer)), zero biases, unit layer-norm gains.
  public init(_ config: GPT2Config, using rng: inout SplitMix64) throws {
    try config.validate()
    self.config = config
    wte = AdaptiveEmbedding(config, using: &rng)
    wpe = Tensor.randn([config.nPositions, config.dModel], std: 0.02, using: &rng, requiresGrad: true)
    var blocks: [GPT2Block] = []
    for i in 0..<config.nLayer {
      blocks.append(GPT2Block(dModel: config.dModel, nHead: config.nHead[i], dInner: config.dInner[i],
                              nLayer: config.nLayer, using: &rng))
    }
    self.blocks = blocks
    lnF = LayerNormParams(config.dModel)
  }

  /// Registry entry.
  public static func build(_ c: any ArchitectureConfig, _ rng: inout SplitMix64) throws -> any LanguageModel {
    guard let g = c as? GPT2Config else { throw ModelError.unsupportedBackbone(c.backbone) }
    return try GPT2Model(g, using: &rng)
  }

  /// The decoder's linear maps exactly as `ModelRegistry.build(config, seed:)` initialises them,
  /// without drawing the token/position tables (for weight-statistic proxies such as ZeroLM). Each
  /// `Tensor.randn` takes one draw from the model's stream, so skipping a table skips one draw.
  public static func decoderLinearMaps(_ config: GPT2Config, seed: UInt64) throws -> [LinearMap] {
    try config.validate()
    var rng = SplitMix64(seed: seed)
    // AdaptiveEmbedding.init: a table per cluster, a projection when adaptive or narrower than C,
    // the cluster weight when adaptive with tail clusters; then wpe.
    let clusters = config.clusterEnds.count
    var skip = clusters + 1
    for k in 0..<clusters where config.divVal > 1 || config.clusterWidth(k) != config.dModel { skip += 1 }
    if config.divVal > 1 && clusters > 1 { skip += 1 }
    for _ in 0..<skip { _ = rng.next() }
    var m: [LinearMap] = []
    for i in 0..<config.nLayer {
      let b = GPT2Block(dModel: config.dModel, nHead: config.nHead[i], dInner: config.dInner[i], nLayer: config.nLayer, using: &rng)
      m += b.linearMaps(i)
    }
    return m
  }

  /// Final hidden states [B, T, C] of token ids (row-major [B, T]).
  public func hidden(ids: [Int], batch: Int) throws -> Tensor {
    let t = try sequenceLength(of: ids, batch: batch, maxLength: config.nPositions, maxLengthName: "n_positions",
                               vocab: config.vocabSize, model: "gpt2")
    let tok = try wte.embed(ids).reshaped([batch, t, config.dModel])          // [B, T, C]
    var x = try tok + wpe.slice(axis: 0, range: 0..<t)                        // [B, T, C] + [T, C]
    for block in blocks { x = try block(x) }
    return try lnF(x)
  }

  /// Logits (div_val = 1) or log-probabilities (adaptive softmax) [B, T, V].
  public func logits(ids: [Int], batch: Int) throws -> Tensor {
    let h = try hidden(ids: ids, batch: batch)
    let (b, t) = (h.shape[0], h.shape[1])
    return try wte.output(h.reshaped([b * t, config.dModel])).reshaped([b, t, config.vocabSize])
  }

  /// Mean next-token cross-entropy (nats) of `targets` (same layout as ids).
  public func loss(ids: [Int], targets: [Int], batch: Int) throws -> Tensor {
    guard targets.count == ids.count else {
      throw ModelError.invalidInput("gpt2: \(targets.count) targets for \(ids.count) inputs")
    }
    let out = try logits(ids: ids, batch: batch)                              // [B, T, V]
    // For log-probabilities, log-softmax is the identity up to rounding, so cross-entropy is the NLL.
    return try Tensor.crossEntropy(logits: out.reshaped([ids.count, config.vocabSize]), targets: targets)
  }

  // MARK: - LanguageModel

  public var namedParameters: [(name: String, tensor: Tensor)] {
    var p = wte.namedParameters
    p.append(("wpe.weight", wpe))
    for (i, b) in blocks.enumerated() {
      p += [("h.\(i).ln_1.weight", b.ln1.weight), ("h.\(i).ln_1.bias", b.ln1.bias),
            ("h.\(i).attn.c_attn.weight", b.attn.cAttn.weight), ("h.\(i).attn.c_attn.bias", b.attn.cAttn.bias!),
            ("h.\(i).attn.c_proj.weight", b.attn.cProj.weight), ("h.\(i).attn.c_proj.bias", b.attn.cProj.bias!),
            ("h.\(i).ln_2.weight", b.ln2.weight), ("h.\(i).ln_2.bias", b.ln2.bias),
            ("h.\(i).mlp.c_fc.weight", b.mlp.cFc.weight), ("h.\(i).mlp.c_fc.bias", b.mlp.cFc.bias!),
            ("h.\(i).mlp.c_proj.weight", b.mlp.cProj.weight), ("h.\(i).mlp.c_proj.bias", b.mlp.cProj.bias!)]
    }
    p += [("ln_f.weight", lnF.weight), ("ln_f.bias", lnF.bias)]
    return p
  }

  /// Parameters of the decoder: everything but the embeddings and the output softmax.
  public var decoderParameterCount: Int {
    namedParameters.filter { $0.name.hasPrefix("h.") || $0.name.hasPrefix("ln_f.") }.reduce(0) { $0 + $1.tensor.count }
  }

  public var linearMaps: [LinearMap] {
    var m: [LinearMap] = []
    for (i, b) in blocks.enumerated() { m += b.linearMaps(i) }
    return m
  }

  /// Deterministic synthetic token ids for measurement.
  public static func syntheticIDs(count: Int, vocab: Int) -> [Int] { (0..<count).map { ($0 &* 7919 &+ 13) % vocab } }

  public func measurementForward(batch: Int, seqLen: Int) throws -> Tensor {
    // Weights are constant here: GEMMs keep them packed across calls (Engine.withFrozenWeights).
    try withNoGrad {
      try Engine.withFrozenWeights { try logits(ids: Self.syntheticIDs(count: batch * seqLen, vocab: config.vocabSize), batch: batch) }
    }
  }
}
