// FlexiBERT encoder (Tuli et al. 2022) as in jha-lab/txf_design-space `modeling_modular_bert.py` and
// the ELECTRA port of aaronserianni/training-free-nas `modeling_electra.py`: heterogeneous post-LN BERT
// layers, each with its own token mixer, heads and FFN stack; ELECTRA-small embeddings; masked-LM head.
//
// Shape legend: B = batch, T = sequence length, H = hidden_size, E = embedding_size, V = vocabulary,
// h = heads of the layer, d = H / h (head size), K = DSC kernel size, F_j = width of FFN dense j.
// Weights are stored [in, out]. Names follow the HF ELECTRA checkpoint (`embeddings.word_embeddings`,
// `embeddings_project`, `encoder.layer.{i}.attention.self.query`, `….attention.output.dense`,
// `….intermediate.dense_{j}`, `….output.dense`, `generator_predictions.dense`, `generator_lm_head`).
//
// Choices where the two reference implementations differ (docs/zerolm.md lists them too):
// - SA/WMA: one learned d×d bilinear form shared by the heads, scores = (q·W)·kᵀ/√d (txf_design-space;
//   initialised U(−0.1, 0.1) as there).
// - LT: the parameter-free FNet transform of the whole [T, H] block — DFT: Re(F_T · X · F_H); DCT:
//   2-D DCT-II — followed by BERT's self-output dense + residual + LayerNorm (txf_design-space keeps the
//   output dense; its extra uniform-attention term, softmax of all-zero scores, is not reproduced).
//   LT ignores `heads`, as FNet has none.
// - DSC: ConvBERT mixed attention with head ratio 2: h/2 SDP heads of size d plus h/2 span-based
//   dynamic convolution heads (kernel K, per-token softmax kernels from q ⊙ separable-conv(x)); their
//   outputs are concatenated to H and go through the self-output dense.
// - Init as BERT/ELECTRA: N(0, 0.02) for dense and embedding weights, zero biases, LayerNorm (1, 0),
//   eps 1e-12. No dropout (inference and proxies only).
import Foundation
import SearchSpaces
import TensorEngine

/// N(0, std²) weights by the engine's sequential polar-method sampler (`Tensor.randnPolar`; see
/// there why it, not `Tensor.randn`).
func flexiNormal(_ shape: [Int], std: Float, using rng: inout SplitMix64) -> Tensor {
  Tensor.randnPolar(shape, std: std, using: &rng).requiringGrad()
}

/// A dense map x·W + b with W [in, out], N(0, std) init.
final class FlexiDense {
  let weight: Tensor, bias: Tensor?
  init(_ nIn: Int, _ nOut: Int, std: Float = 0.02, bias: Bool = true, using rng: inout SplitMix64) {
    weight = flexiNormal([nIn, nOut], std: std, using: &rng)
    self.bias = bias ? Tensor.zeros([nOut], requiresGrad: true) : nil
  }
  func callAsFunction(_ x: Tensor) throws -> Tensor { try x.linear(weight: weight, bias: bias) }
  func parameters(_ name: String) -> [(name: String, tensor: Tensor)] {
    [(name + ".weight", weight)] + (bias.map { [(name + ".bias", $0)] } ?? [])
  }
}

/// [B, T, n·d] → [B, n, T, d].
func splitHeads(_ x: Tensor, _ n: Int) throws -> Tensor {
  let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
  return try x.reshaped([b, t, n, c / n]).permuted([0, 2, 1, 3])
}

/// [B, n, T, d] → [B, T, n·d].
func mergeHeads(_ x: Tensor) throws -> Tensor {
  let (b, n, t, d) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
  return try x.permuted([0, 2, 1, 3]).contiguous().reshaped([b, t, n * d])
}

/// Multi-head self-attention, SDP or WMA, with `heads` heads over `width` = heads·d output channels.
final class FlexiSelfAttention {
  let heads: Int
  let query: FlexiDense, key: FlexiDense, value: FlexiDense   // [H, heads·d]
  /// WMA bilinear form [d, d] (nil for SDP).
  let bilinear: Tensor?
  init(hidden: Int, heads: Int, headSize: Int, weighted: Bool, using rng: inout SplitMix64) {
    self.heads = heads
    query = FlexiDense(hidden, heads * headSize, using: &rng)
    key = FlexiDense(hidden, heads * headSize, using: &rng)
    value = FlexiDense(hidden, heads * headSize, using: &rng)
    bilinear = weighted ? Tensor.uniform([headSize, headSize], low: -0.1, high: 0.1, using: &rng, requiresGrad: true) : nil
  }
  /// x [B, T, H] → [B, T, heads·d].
  func callAsFunction(_ x: Tensor) throws -> Tensor {
    var q = try splitHeads(query(x), heads)                               // [B, h, T, d]
    if let w = bilinear { q = try q.matmul(w) }                           // [B, h, T, d]·[d, d]
    let y = try Tensor.attention(q: q, k: splitHeads(key(x), heads), v: splitHeads(value(x), heads), causal: false)
    return try mergeHeads(y)                                              // [B, T, heads·d]
  }
}

/// ConvBERT span-based dynamic convolution heads: per token and head, a softmax kernel of K taps
/// computed from q ⊙ separable-conv(x) mixes the K neighbouring positions of a value projection.
final class FlexiDynamicConv {
  let heads: Int, kernel: Int
  let depthwise: Tensor            // [H, K]
  let pointwise: FlexiDense        // [H, heads·d] (the separable conv's 1×1 part and its bias)
  let kernelMap: FlexiDense        // [heads·d, heads·K]
  let convOut: FlexiDense          // [H, heads·d]
  init(hidden: Int, heads: Int, headSize: Int, kernel: Int, using rng: inout SplitMix64) {
    self.heads = heads
    self.kernel = kernel
    depthwise = flexiNormal([hidden, kernel], std: 0.02, using: &rng)
    pointwise = FlexiDense(hidden, heads * headSize, using: &rng)
    kernelMap = FlexiDense(heads * headSize, heads * kernel, using: &rng)
    convOut = FlexiDense(hidden, heads * headSize, using: &rng)
  }
  /// x [B, T, H], q [B, T, heads·d] → [B, T, heads·d].
  func callAsFunction(_ x: Tensor, query q: Tensor) throws -> Tensor {
    let (b, t) = (x.shape[0], x.shape[1])
    let c = q.shape[2], d = c / heads, pad = (kernel - 1) / 2
    let keyConv = try pointwise(x.depthwiseConv1d(weight: depthwise, bias: nil))   // [B, T, c]
    let taps = try kernelMap(keyConv * q).reshaped([b, t, heads, kernel]).softmax(axis: -1)  // [B, T, h, K]
    let v = try convOut(x).reshaped([b, t, heads, d])                     // [B, T, h, d]
    let zeros = Tensor.zeros([b, pad, heads, d])
    let padded = pad > 0 ? try Tensor.concat([zeros, v, zeros], axis: 1) : v   // [B, T + 2·pad, h, d]
    var out: Tensor? = nil
    for j in 0..<kernel {
      let shifted = try padded.slice(axis: 1, range: j..<(j + t))        // [B, T, h, d]: position t + j − pad
      let w = try taps.slice(axis: 3, range: j..<(j + 1))                // [B, T, h, 1]
      let term = try shifted * w
      out = try out.map { try $0 + term } ?? term
    }
    return try out!.reshaped([b, t, c])                                   // [B, T, c]
  }
}

/// The token mixer of one layer, before the self-output dense.
enum FlexiMixer {
  case attention(FlexiSelfAttention)
  case transform(cosine: Bool)
  case convolution(FlexiSelfAttention, FlexiDynamicConv)

  /// x [B, T, H] → [B, T, H].
  func callAsFunction(_ x: Tensor) throws -> Tensor {
    switch self {
    case let .attention(sa):
      return try sa(x)
    case let .transform(cosine):
      // 2-D transform over sequence (axis 1) and hidden (axis 2).
      return cosine ? try x.dct(axis: 1).dct(axis: 2) : try x.fourierReal2D(axes: [1, 2])
    case let .convolution(sa, conv):
      let attn = try sa(x)                                                // [B, T, H/2]
      let dyn = try conv(x, query: sa.query(x))                           // [B, T, H/2]
      return try Tensor.concat([attn, dyn], axis: 2)                      // [B, T, H]
    }
  }
}

/// One post-LN layer: LN(x + O·mix(x)), then LN(y + FFN(y)).
final class FlexiLayer {
  let spec: FlexiBERTLayer
  let mixer: FlexiMixer
  let selfOutput: FlexiDense       // [H, H]
  let attentionNorm: LayerNormParams
  let intermediate: [FlexiDense]   // H → F_0 → … → F_last
  let output: FlexiDense           // [F_last, H]
  let outputNorm: LayerNormParams

  init(_ spec: FlexiBERTLayer, hidden: Int, using rng: inout SplitMix64) {
    self.spec = spec
    let d = hidden / spec.heads
    switch spec.operation {
    case .sa:
      mixer = .attention(FlexiSelfAttention(hidden: hidden, heads: spec.heads, headSize: d,
                                            weighted: spec.parameter == "WMA", using: &rng))
    case .lt:
      mixer = .transform(cosine: spec.parameter == "DCT")
    case .dsc:
      let half = spec.heads / 2
      let sa = FlexiSelfAttention(hidden: hidden, heads: half, headSize: d, weighted: false, using: &rng)
      mixer = .convolution(sa, FlexiDynamicConv(hidden: hidden, heads: half, headSize: d, kernel: spec.kernelSize ?? 1, using: &rng))
    }
    selfOutput = FlexiDense(hidden, hidden, using: &rng)
    attentionNorm = LayerNormParams(hidden, eps: 1e-12)
    var widths = [hidden] + spec.ffn
    intermediate = (0..<spec.ffn.count).map { j in FlexiDense(widths[j], widths[j + 1], using: &rng) }
    widths = spec.ffn
    output = FlexiDense(widths[widths.count - 1], hidden, using: &rng)
    outputNorm = LayerNormParams(hidden, eps: 1e-12)
  }

  /// x [B, T, H] → [B, T, H].
  func callAsFunction(_ x: Tensor) throws -> Tensor {
    let y = try attentionNorm(x + selfOutput(mixer(x)))
    var f = y
    for dense in intermediate { f = try dense(f).gelu() }                 // [B, T, F_j]
    return try outputNorm(y + output(f))
  }

  func parameters(_ p: String) -> [(name: String, tensor: Tensor)] {
    var out: [(name: String, tensor: Tensor)] = []
    func selfParams(_ sa: FlexiSelfAttention) {
      out += sa.query.parameters(p + "attention.self.query") + sa.key.parameters(p + "attention.self.key")
        + sa.value.parameters(p + "attention.self.value")
      if let w = sa.bilinear { out.append((p + "attention.self.W", w)) }
    }
    switch mixer {
    case let .attention(sa): selfParams(sa)
    case .transform: break
    case let .convolution(sa, conv):
      selfParams(sa)
      out.append((p + "attention.self.key_conv_attn_layer.depthwise.weight", conv.depthwise))
      out += conv.pointwise.parameters(p + "attention.self.key_conv_attn_layer.pointwise")
        + conv.kernelMap.parameters(p + "attention.self.conv_kernel_layer")
        + conv.convOut.parameters(p + "attention.self.conv_out_layer")
    }
    out += selfOutput.parameters(p + "attention.output.dense") + attentionNorm.parameters(p + "attention.output.LayerNorm")
    for (j, dense) in intermediate.enumerated() { out += dense.parameters(p + "intermediate.dense_\(j)") }
    out += output.parameters(p + "output.dense") + outputNorm.parameters(p + "output.LayerNorm")
    return out
  }

  /// Learned linear maps of layer `i`. Q, K and V are listed per head (W_j^Q ∈ R^{H×d} of
  /// multi-head attention), the others whole. The depthwise kernel is a per-channel filter, not a
  /// map between feature spaces, and is not listed.
  func linearMaps(_ i: Int, _ p: String) throws -> [LinearMap] {
    var out: [LinearMap] = []
    func perHead(_ name: String, _ dense: FlexiDense, heads: Int) throws {
      let d = dense.weight.shape[1] / heads
      for j in 0..<heads {
        out.append(LinearMap(name: "\(p)\(name)[head \(j)]", kind: .mixing, layer: i,
                             weight: try dense.weight.slice(axis: 1, range: (j * d)..<((j + 1) * d))))
      }
    }
    func selfMaps(_ sa: FlexiSelfAttention) throws {
      try perHead("attention.self.query", sa.query, heads: sa.heads)
      try perHead("attention.self.key", sa.key, heads: sa.heads)
      try perHead("attention.self.value", sa.value, heads: sa.heads)
      if let w = sa.bilinear { out.append(LinearMap(name: p + "attention.self.W", kind: .mixing, layer: i, weight: w)) }
    }
    switch mixer {
    case let .attention(sa): try selfMaps(sa)
    case .transform: break
    case let .convolution(sa, conv):
      try selfMaps(sa)
      out.append(LinearMap(name: p + "attention.self.key_conv_attn_layer.pointwise", kind: .mixing, layer: i, weight: conv.pointwise.weight))
      out.append(LinearMap(name: p + "attention.self.conv_kernel_layer", kind: .mixing, layer: i, weight: conv.kernelMap.weight))
      out.append(LinearMap(name: p + "attention.self.conv_out_layer", kind: .mixing, layer: i, weight: conv.convOut.weight))
    }
    out.append(LinearMap(name: p + "attention.output.dense", kind: .mixing, layer: i, weight: selfOutput.weight))
    for (j, dense) in intermediate.enumerated() {
      out.append(LinearMap(name: p + "intermediate.dense_\(j)", kind: .ffn, layer: i, weight: dense.weight))
    }
    out.append(LinearMap(name: p + "output.dense", kind: .ffn, layer: i, weight: output.weight))
    return out
  }
}

/// A FlexiBERT encoder with ELECTRA embeddings and the generator's masked-LM head (tied to the
/// word embeddings).
public final class FlexiBERTModel: LanguageModel {
  public let config: FlexiBERTConfig
  let wordEmbeddings: Tensor       // [V, E]
  let positionEmbeddings: Tensor   // [P, E]
  let typeEmbeddings: Tensor       // [2, E]
  let embeddingNorm: LayerNormParams
  let embeddingsProject: FlexiDense?   // [E, H] when E ≠ H
  let layers: [FlexiLayer]
  let headDense: FlexiDense        // [H, E]
  let headNorm: LayerNormParams
  let headBias: Tensor             // [V]

  /// Builds and initialises the model. Each part draws from its own stream split off `rng`, so the
  /// weights of layer i depend only on the seed and i's position, not on the embedding sizes.
  public init(_ config: FlexiBERTConfig, using rng: inout SplitMix64) throws {
    try config.validate()
    self.config = config
    var embRNG = SplitMix64(seed: rng.next())
    var headRNG = SplitMix64(seed: rng.next())
    let (h, e) = (config.hiddenSize, config.embeddingSize)
    layers = Self.buildLayers(config, using: &rng)
    wordEmbeddings = flexiNormal([config.vocabSize, e], std: 0.02, using: &embRNG)
    positionEmbeddings = flexiNormal([config.maxPosition, e], std: 0.02, using: &embRNG)
    typeEmbeddings = flexiNormal([2, e], std: 0.02, using: &embRNG)
    embeddingNorm = LayerNormParams(e, eps: 1e-12)
    embeddingsProject = e == h ? nil : FlexiDense(e, h, using: &embRNG)
    headDense = FlexiDense(h, e, using: &headRNG)
    headNorm = LayerNormParams(e, eps: 1e-12)
    headBias = Tensor.zeros([config.vocabSize], requiresGrad: true)
  }

  /// The encoder layers, each from its own stream split off `rng` (after the embedding and head streams).
  static func buildLayers(_ config: FlexiBERTConfig, using rng: inout SplitMix64) -> [FlexiLayer] {
    config.layers.map { spec in
      var layerRNG = SplitMix64(seed: rng.next())
      return FlexiLayer(spec, hidden: config.hiddenSize, using: &layerRNG)
    }
  }

  /// The encoder layers' linear maps exactly as `ModelRegistry.build(config, seed:)` initialises
  /// them, without drawing the embeddings or the head (for weight-statistic proxies such as ZeroLM).
  public static func encoderLinearMaps(_ config: FlexiBERTConfig, seed: UInt64) throws -> [LinearMap] {
    try config.validate()
    var rng = SplitMix64(seed: seed)
    _ = rng.next()   // embedding stream
    _ = rng.next()   // head stream
    return try buildLayers(config, using: &rng).enumerated().flatMap { i, l in try l.linearMaps(i, "encoder.layer.\(i).") }
  }

  /// Registry entry.
  public static func build(_ c: any ArchitectureConfig, _ rng: inout SplitMix64) throws -> any LanguageModel {
    guard let f = c as? FlexiBERTConfig else { throw ModelError.unsupportedBackbone(c.backbone) }
    return try FlexiBERTModel(f, using: &rng)
  }

  /// Final hidden states [B, T, H] of token ids (row-major [B, T]); token type 0 everywhere.
  public func hidden(ids: [Int], batch: Int) throws -> Tensor {
    let t = try sequenceLength(of: ids, batch: batch, maxLength: config.maxPosition, maxLengthName: "max_position",
                               vocab: config.vocabSize, model: "flexibert")
    let e = config.embeddingSize
    let tok = try Tensor.embedding(wordEmbeddings, ids: ids).reshaped([batch, t, e])       // [B, T, E]
    let pos = try positionEmbeddings.slice(axis: 0, range: 0..<t)                          // [T, E]
    let typ = try typeEmbeddings.slice(axis: 0, range: 0..<1)                              // [1, E]
    var x = try embeddingNorm(tok + pos + typ)                                              // [B, T, E]
    if let proj = embeddingsProject { x = try proj(x) }                                    // [B, T, H]
    for layer in layers { x = try layer(x) }
    return x
  }

  /// Masked-LM logits [B, T, V]: dense H→E, GELU, LayerNorm, tied word embeddings.
  public func logits(ids: [Int], batch: Int) throws -> Tensor {
    let h = try headNorm(headDense(hidden(ids: ids, batch: batch)).gelu())                 // [B, T, E]
    return try h.linear(weight: wordEmbeddings.transposed(0, 1), bias: headBias)           // [B, T, V]
  }

  /// Mean masked-LM cross-entropy (nats) over the positions whose target is ≥ 0 (−1 = not masked).
  public func mlmLoss(ids: [Int], targets: [Int], batch: Int) throws -> Tensor {
    guard targets.count == ids.count else {
      throw ModelError.invalidInput("flexibert: \(targets.count) targets for \(ids.count) inputs")
    }
    let picked = targets.indices.filter { targets[$0] >= 0 }
    guard !picked.isEmpty else { throw ModelError.invalidInput("flexibert: no masked position (all targets are −1)") }
    let v = config.vocabSize
    let flat = try logits(ids: ids, batch: batch).reshaped([ids.count, v])                 // [B·T, V]
    let rows = try Tensor.embedding(flat, ids: picked)                                     // [M, V]
    return try Tensor.crossEntropy(logits: rows, targets: picked.map { targets[$0] })
  }

  // MARK: - LanguageModel

  public var namedParameters: [(name: String, tensor: Tensor)] {
    var p: [(name: String, tensor: Tensor)] = [
      ("embeddings.word_embeddings.weight", wordEmbeddings), ("embeddings.position_embeddings.weight", positionEmbeddings),
      ("embeddings.token_type_embeddings.weight", typeEmbeddings),
    ]
    p += embeddingNorm.parameters("embeddings.LayerNorm")
    if let proj = embeddingsProject { p += proj.parameters("embeddings_project") }
    for (i, l) in layers.enumerated() { p += l.parameters("encoder.layer.\(i).") }
    p += headDense.parameters("generator_predictions.dense") + headNorm.parameters("generator_predictions.LayerNorm")
    p.append(("generator_lm_head.bias", headBias))
    return p
  }

  /// Parameters outside the embeddings and the masked-LM head (the encoder layers).
  public var nonEmbeddingParameterCount: Int {
    namedParameters.filter { $0.name.hasPrefix("encoder.") }.reduce(0) { $0 + $1.tensor.count }
  }

  public var linearMaps: [LinearMap] {
    var m: [LinearMap] = []
    if let proj = embeddingsProject {
      m.append(LinearMap(name: "embeddings_project", kind: .embedding, layer: nil, weight: proj.weight))
    }
    for (i, l) in layers.enumerated() {
      // Slicing a [H, n] weight by columns cannot fail for valid configs.
      m += (try? l.linearMaps(i, "encoder.layer.\(i).")) ?? []
    }
    m.append(LinearMap(name: "generator_predictions.dense", kind: .head, layer: nil, weight: headDense.weight))
    return m
  }

  /// Deterministic synthetic token ids for measurement.
  public static func syntheticIDs(count: Int, vocab: Int) -> [Int] { (0..<count).map { ($0 &* 7919 &+ 13) % vocab } }

  public func measurementForward(batch: Int, seqLen: Int) throws -> Tensor {
    try withNoGrad { try logits(ids: Self.syntheticIDs(count: batch * seqLen, vocab: config.vocabSize), batch: batch) }
  }
}
