// The NAS-Bench-NLP recurrent language model (port of `model.py` / `custom_rnn.py` /
// `multilinear.py` of fmsnew/nas-bench-nlp-release, described in ../shared/data/nasbench_nlp/MODEL.md):
// embedding → n_layers recipe cells → decoder tied to the embedding, with its own bias.
//
// Shape legend: T = steps, B = streams (batch), E = emb_size, H = hidden width of the layer,
// I = input width of the layer (E for layer 0, else hidden_size), V = vocabulary, m = states.
// Weights are stored [in, out]; names follow the PyTorch checkpoint (`encoder.weight`,
// `decoder.bias`, `rnns.{l}.cell.components.{node}.weights.{k}` / `.bias`).
//
// Initialisation (one SplitMix64 stream, one draw per value, in this order): embedding
// uniform(−0.1, 0.1) [V, E]; decoder bias 0; then per layer, per `linear` node in recipe order,
// each input weight and then the bias, uniform(−1/√H, 1/√H). Evaluation mode only (no dropout).
import SearchSpaces
import TensorEngine

/// The parameters of one `linear` node of one layer: Σₖ inputₖ·Wₖ + b.
public struct LinearNodeParams {
  /// One weight per input, [width of input k, H].
  public let weights: [Tensor]
  /// [H]
  public let bias: Tensor
}

/// One recurrent layer: the recipe cell with its own weights.
public final class RecurrentLayer {
  public let index: Int
  public let inputWidth: Int
  public let hidden: Int
  public let graph: RecipeGraph
  /// Parameters of each `linear` node, by node name.
  public let linear: [String: LinearNodeParams]

  /// Draws this layer's weights from `rng` (see the file header for the order).
  public init(config: RecurrentConfig, graph: RecipeGraph, index: Int, using rng: inout SplitMix64) {
    self.index = index
    let (inW, h) = config.layerSizes(index)
    (inputWidth, hidden) = (inW, h)
    self.graph = graph
    let bound = 1 / Float(h).squareRoot()
    var params: [String: LinearNodeParams] = [:]
    for name in graph.order {
      let node = graph.nodes[name]!
      guard node.op == .linear else { continue }
      var ws: [Tensor] = []
      for inp in node.input { ws.append(RecurrentModel.uniform([inp == "x" ? inW : h, h], bound: bound, using: &rng)) }
      params[name] = LinearNodeParams(weights: ws, bias: RecurrentModel.uniform([h], bound: bound, using: &rng))
    }
    linear = params
  }

  /// Parameters in recipe order with checkpoint names.
  var namedParameters: [(name: String, tensor: Tensor)] {
    graph.order.compactMap { n in linear[n].map { (n, $0) } }.flatMap { (n, p) in
      p.weights.enumerated().map { ("rnns.\(index).cell.components.\(n).weights.\($0.offset)", $0.element) }
        + [("rnns.\(index).cell.components.\(n).bias", p.bias)]
    }
  }

  /// Differentiable forward over T steps: `input` [T·B, I], `state` m × [B, H] (zeros when nil).
  /// Returns the outputs h_new_0 of every step [T·B, H] and the final states.
  public func forward(_ input: Tensor, steps: Int, streams: Int, state: [Tensor]? = nil) throws -> (output: Tensor, state: [Tensor]) {
    let (t, b, m) = (steps, streams, graph.stateCount)
    guard input.shape == [t * b, inputWidth] else {
      throw TensorError.shapeMismatch(op: "recurrent layer \(index)", shapes: [input.shape, [t * b, inputWidth]],
                                      reason: "input must be [steps·streams, input width]")
    }
    var h = state ?? (0..<m).map { _ in Tensor.zeros([b, hidden]) }
    guard h.count == m, h.allSatisfy({ $0.shape == [b, hidden] }) else {
      throw TensorError.invalidArgument(op: "recurrent layer \(index)", detail: "state must be \(m) × [\(b), \(hidden)]")
    }
    // The x-terms (and biases) of every linear node do not depend on the recurrence: one GEMM each.
    var xProj: [String: Tensor] = [:]  // [T·B, H]
    for (name, p) in linear {
      let inputs = graph.nodes[name]!.input
      var acc: Tensor? = nil
      for (k, inp) in inputs.enumerated() where inp == "x" {
        let term = try input.linear(weight: p.weights[k], bias: acc == nil ? p.bias : nil)
        acc = try acc.map { try $0 + term } ?? term
      }
      if let acc { xProj[name] = acc }
    }
    var outputs: [Tensor] = []
    for step in 0..<t {
      let rows = (step * b)..<((step + 1) * b)
      var v: [String: Tensor] = ["x": try input.slice(axis: 0, range: rows)]
      for i in 0..<m { v["h_prev_\(i)"] = h[i] }
      for name in graph.order {
        let node = graph.nodes[name]!
        let xs = node.input.map { v[$0]! }
        switch node.op {
        case .linear:
          let p = linear[name]!
          var acc: Tensor? = try xProj[name]?.slice(axis: 0, range: rows)
          for (k, inp) in node.input.enumerated() where inp != "x" {
            let term = try xs[k].linear(weight: p.weights[k], bias: acc == nil ? p.bias : nil)
            acc = try acc.map { try $0 + term } ?? term
          }
          v[name] = acc!
        case .blend: v[name] = try xs[0] * xs[1] + xs[0].oneMinus() * xs[2]
        case .elementwiseProd: v[name] = try xs.dropFirst().reduce(xs[0]) { try $0 * $1 }
        case .elementwiseSum: v[name] = try xs.dropFirst().reduce(xs[0]) { try $0 + $1 }
        case .activationTanh: v[name] = try xs[0].tanh()
        case .activationSigm: v[name] = try xs[0].sigmoid()
        case .activationLeakyRelu: v[name] = try xs[0].leakyRelu(slope: 0.01)
        }
      }
      h = (0..<m).map { v["h_new_\($0)"]! }
      outputs.append(h[0])
    }
    return (try Tensor.concat(outputs, axis: 0), h)
  }
}

/// The recurrent language model of a `RecurrentConfig`.
public final class RecurrentModel: LanguageModel {
  public let config: RecurrentConfig
  public let graph: RecipeGraph
  public let vocabulary: Int
  /// [V, E], also the decoder weight (tied).
  public let embedding: Tensor
  /// [V], zero at initialisation.
  public let decoderBias: Tensor
  public let layers: [RecurrentLayer]

  /// `ModelRegistry` entry: vocabulary = `vocab_size` or 33,278 (WikiText-2).
  public static func build(_ config: any ArchitectureConfig, using rng: inout SplitMix64) throws -> any LanguageModel {
    guard let c = config as? RecurrentConfig else { throw ModelError.unsupportedBackbone(config.backbone) }
    return try RecurrentModel(config: c, vocabulary: c.resolvedVocabulary(), using: &rng)
  }

  public init(config: RecurrentConfig, vocabulary: Int, using rng: inout SplitMix64) throws {
    try config.validate()
    guard vocabulary >= 2 else { throw ModelError.invalidInput("vocab_size = \(vocabulary): must be ≥ 2") }
    self.config = config
    graph = try RecipeGraph(config.recipe)
    self.vocabulary = vocabulary
    embedding = Self.uniform([vocabulary, config.embSize], bound: 0.1, using: &rng)
    decoderBias = Tensor.zeros([vocabulary], requiresGrad: true)
    var ls: [RecurrentLayer] = []
    for l in 0..<config.nLayers { ls.append(RecurrentLayer(config: config, graph: graph, index: l, using: &rng)) }
    layers = ls
  }

  /// Uniform(−bound, bound) with exactly one draw per value (the layout `skipping` relies on).
  static func uniform(_ shape: [Int], bound: Float, using rng: inout SplitMix64) -> Tensor {
    let t = Tensor(uninitializedShape: shape)
    fillUniform(t.pointer, count: t.count, bound: bound, using: &rng)
    return t.requiringGrad()
  }

  @inline(__always)
  static func fillUniform(_ p: UnsafeMutablePointer<Float>, count: Int, bound: Float, using rng: inout SplitMix64) {
    let w = Double(2 * bound)
    for i in 0..<count { p[i] = -bound + Float(rng.nextUnit() * w) }
  }

  /// The generator as it is after `draws` more draws (SplitMix64 is a counter: state += γ per draw).
  public static func skipping(_ rng: SplitMix64, draws: Int) -> SplitMix64 {
    SplitMix64(seed: rng.state &+ UInt64(draws) &* 0x9E37_79B9_7F4A_7C15)
  }

  /// Embedding rows of `ids` [n, E] exactly as `init(config:vocabulary:using:)` draws them from
  /// `rng`, without drawing the whole table (random access into the stream).
  public static func embeddingRows(ids: [Int32], embSize: Int, from rng: SplitMix64) -> Tensor {
    let out = Tensor(uninitializedShape: [ids.count, embSize])
    var cache: [Int32: Int] = [:]
    for (i, id) in ids.enumerated() {
      let dst = out.pointer + i * embSize
      if let j = cache[id] { dst.update(from: out.pointer + j * embSize, count: embSize); continue }
      var g = skipping(rng, draws: Int(id) * embSize)
      fillUniform(dst, count: embSize, bound: 0.1, using: &g)
      cache[id] = i
    }
    return out
  }

  public var namedParameters: [(name: String, tensor: Tensor)] {
    [("encoder.weight", embedding), ("decoder.bias", decoderBias)] + layers.flatMap(\.namedParameters)
  }

  public var linearMaps: [LinearMap] {
    var maps = [LinearMap(name: "encoder.weight", kind: .embedding, layer: nil, weight: embedding)]
    for l in layers {
      for name in graph.order {
        guard let p = l.linear[name] else { continue }
        for (k, w) in p.weights.enumerated() {
          maps.append(LinearMap(name: "rnns.\(l.index).cell.components.\(name).weights.\(k)", kind: .recurrent, layer: l.index, weight: w))
        }
      }
    }
    return maps
  }

  /// Differentiable forward over a (T × B) block of token ids (row t = step t of every stream).
  /// Returns logits [T·B, V] and the final states of every layer (pass them back to continue).
  public func forward(tokens: [Int32], steps: Int, streams: Int, state: [[Tensor]]? = nil) throws -> (logits: Tensor, state: [[Tensor]]) {
    guard tokens.count == steps * streams else {
      throw ModelError.invalidInput("recurrent forward: \(tokens.count) tokens for \(steps) steps × \(streams) streams")
    }
    var x = try Tensor.embedding(embedding, ids: tokens.map(Int.init))   // [T·B, E]
    var newState: [[Tensor]] = []
    for (l, layer) in layers.enumerated() {
      let r = try layer.forward(x, steps: steps, streams: streams, state: state?[l])
      x = r.output                                                     // [T·B, H_l]
      newState.append(r.state)
    }
    let logits = try x.linear(weight: embedding.transposed(), bias: decoderBias)  // [T·B, V]
    return (logits, newState)
  }

  /// Mean cross-entropy (nats per token) of predicting `targets` (the tokens one step ahead).
  public func loss(tokens: [Int32], targets: [Int32], steps: Int, streams: Int) throws -> Tensor {
    let (logits, _) = try forward(tokens: tokens, steps: steps, streams: streams)
    return try Tensor.crossEntropy(logits: logits, targets: targets.map(Int.init))
  }

  /// d(Σ outputs of the last layer)/d(embedding rows) of the untrained model that
  /// `init(config:vocabulary:using:)` builds from `rng`, over a (T × B) token block: [T·B, E], row
  /// t·B + b = step t of stream b. This is the Jacobian `jacob-cov` reads (NAS-Bench-NLP's
  /// `get_batch_jacobian`: backward of `ones_like(y)` from the last layer's outputs, before the
  /// decoder, into the embedding output). Only the batch's embedding rows are drawn (same values as
  /// the full table); every layer runs the differentiable forward and backward.
  public static func inputJacobian(config: RecurrentConfig, vocabulary: Int, rng: SplitMix64, tokens: [Int32],
                                   steps: Int, streams: Int) throws -> Tensor {
    try config.validate()
    guard tokens.count == steps * streams else {
      throw ModelError.invalidInput("recurrent forward: \(tokens.count) tokens for \(steps) steps × \(streams) streams")
    }
    if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
      throw ModelError.invalidInput("token id \(bad) is outside vocab_size = \(vocabulary)")
    }
    let graph = try RecipeGraph(config.recipe)
    return try withGrad {
      let emb = embeddingRows(ids: tokens, embSize: config.embSize, from: rng).requiringGrad()  // [T·B, E]
      var g = skipping(rng, draws: vocabulary * config.embSize)
      var x = emb
      for l in 0..<config.nLayers {
        let layer = RecurrentLayer(config: config, graph: graph, index: l, using: &g)
        for p in layer.namedParameters { p.tensor.requiringGrad(false) }   // only the input's gradient is needed
        x = try layer.forward(x, steps: steps, streams: streams).output   // [T·B, H_l]
      }
      // A cell whose outputs never read x has no path back to the input: its Jacobian is zero.
      guard x.requiresGrad else { return Tensor.zeros(emb.shape) }
      try x.sum().backward()
      return emb.grad ?? Tensor.zeros(emb.shape)
    }
  }

  public func measurementForward(batch: Int, seqLen: Int) throws -> Tensor {
    let ids = (0..<(batch * seqLen)).map { Int32(($0 &* 7919 &+ 13) % vocabulary) }
    return try withNoGrad { try forward(tokens: ids, steps: seqLen, streams: batch).logits }
  }
}
