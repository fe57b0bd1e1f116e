// Inference-only interpreter of a recipe cell (no autograd), as used by the hidden-covariance proxy.
//
// Same arithmetic as `RecurrentLayer.forward`, organised for speed: the weights of all `linear`
// nodes that read the same source (a state or a node) are packed side by side, so one GEMM per step
// and per source serves every reader (an LSTM's four gates are one [B, H]·[H, 4H] product, computed
// as soon as the source is known), and the x-terms of all
// steps are one [T·B, I]·[I, kx·H] product before the loop. Elementwise nodes are plain
// single-threaded loops on preallocated [B, H] buffers (`CellKernels`; B·H floats are too few to
// be worth threading). Shapes: T steps, B streams, I input width, H hidden width, k nodes in a group.
import Foundation
import SearchSpaces
import TensorEngine

/// A layer's weights packed by source: the x-weights of all linear nodes side by side, and for every
/// state or node that linear nodes read, their weights for it side by side.
final class PackedCell {
  let inputWidth: Int
  let hidden: Int
  /// Linear nodes that read `x`, in packed-column order, and their summed x-weights [I, kx·H].
  let xNodes: [String]
  let wx: Tensor?
  /// Biases of the x-nodes [kx·H]; nodes without x add their bias per step.
  let bx: Tensor?
  /// Per non-x source (a state `h_prev_i` or a node): the linear nodes reading it, in packed-column
  /// order, and their summed weights for it [H, k·H]. One GEMM per source and step serves them all.
  let groups: [String: (nodes: [String], weight: Tensor)]
  /// Per linear node: the (source, column block) pairs it sums.
  let slots: [String: [(source: String, slot: Int)]]

  init(_ layer: RecurrentLayer) {
    let g = layer.graph, h = layer.hidden
    inputWidth = layer.inputWidth
    hidden = h
    let linearNodes = g.order.filter { g.nodes[$0]!.op == .linear }
    /// Packs the weights that `nodes` apply to `source` into [rows, nodes.count·H] (duplicates summed).
    func pack(_ nodes: [String], source: String, rows: Int) -> Tensor? {
      guard !nodes.isEmpty else { return nil }
      let ld = nodes.count * h
      let out = Tensor.zeros([rows, ld])
      for (j, n) in nodes.enumerated() {
        let p = layer.linear[n]!
        for (k, inp) in g.nodes[n]!.input.enumerated() where inp == source {
          let w = p.weights[k].contiguous().pointer
          for r in 0..<rows {
            let dst = out.pointer + r * ld + j * h, src = w + r * h
            for c in 0..<h { dst[c] += src[c] }
          }
        }
      }
      // A constant operand of every step's GEMM: marked as a parameter so that, inside
      // `Engine.withFrozenWeights` (see `infer`), the GEMM packs it once instead of every step.
      return out.requiringGrad()
    }
    xNodes = linearNodes.filter { g.nodes[$0]!.input.contains("x") }
    wx = pack(xNodes, source: "x", rows: layer.inputWidth)
    if xNodes.isEmpty { bx = nil } else {
      let b = Tensor(uninitializedShape: [xNodes.count * h])
      for (j, n) in xNodes.enumerated() { (b.pointer + j * h).update(from: layer.linear[n]!.bias.contiguous().pointer, count: h) }
      bx = b
    }
    var gs: [String: (nodes: [String], weight: Tensor)] = [:]
    var sl: [String: [(source: String, slot: Int)]] = [:]
    let sources = (0..<g.stateCount).map { "h_prev_\($0)" } + g.order
    for src in sources {
      let readers = linearNodes.filter { g.nodes[$0]!.input.contains(src) }
      guard let w = pack(readers, source: src, rows: h) else { continue }
      gs[src] = (readers, w)
      for (j, n) in readers.enumerated() { sl[n, default: []].append((src, j)) }
    }
    groups = gs
    slots = sl
  }
}

extension RecurrentLayer {
  /// Runs the layer over T steps from zero states without autograd. `input` is [T·B, I], or, with
  /// `rowIndex` (T·B entries), [U, I] distinct rows of which sample i uses row `rowIndex[i]` (the
  /// first layer's embeddings: a batch of 3,500 tokens has ~1,300 distinct ones, and the x-terms
  /// are computed once per distinct row). Returns the outputs [T·B, H] and, when
  /// `recordIncoming`, the incoming `h_prev_0` of every step [T·B, H] (step 0's is the zero state).
  public func infer(_ input: Tensor, rowIndex: [Int]? = nil, steps: Int, streams: Int,
                    recordIncoming: Bool) throws -> (output: Tensor, incoming: Tensor?) {
    let (t, b, h, g) = (steps, streams, hidden, graph)
    let rowsIn = rowIndex == nil ? t * b : input.shape.first ?? 0
    guard input.shape == [rowsIn, inputWidth], rowIndex.map({ $0.count == t * b && $0.allSatisfy { $0 >= 0 && $0 < rowsIn } }) ?? true else {
      throw TensorError.shapeMismatch(op: "recurrent layer \(index)", shapes: [input.shape, [t * b, inputWidth]],
                                      reason: "input must be [steps·streams, input width] (or distinct rows with a valid rowIndex)")
    }
    let p = PackedCell(self)
    let x = input.contiguous()
    // The packed weights are constant for the whole run: GEMMs keep their panels across steps.
    return Engine.withFrozenWeights { withNoGrad {
      // x-terms of every input row and x-node, biases included: [rowsIn, kx·H].
      var xp: Tensor? = nil
      let ldx = p.xNodes.count * h
      if let wx = p.wx, let bx = p.bx {
        let out = Tensor(uninitializedShape: [rowsIn, ldx])
        for r in 0..<rowsIn { (out.pointer + r * ldx).update(from: bx.pointer, count: ldx) }
        GEMM.sgemm(transA: false, transB: false, m: rowsIn, n: ldx, k: inputWidth, alpha: 1, a: x.pointer, lda: inputWidth,
                   b: wx.pointer, ldb: ldx, beta: 1, c: out.pointer, ldc: ldx)
        xp = out
      }
      let xRow = rowIndex ?? Array(0..<(t * b))
      let xSlot = Dictionary(uniqueKeysWithValues: p.xNodes.enumerated().map { ($1, $0) })
      // Buffers: every node's value, current and next states, each [B, H].
      let slot = Dictionary(uniqueKeysWithValues: g.order.enumerated().map { ($1, $0) })
      let n = b * h, m = g.stateCount
      let values = Tensor.zeros([g.order.count, b, h])
      var cur = Tensor.zeros([m, b, h]), next = Tensor.zeros([m, b, h])
      let output = Tensor(uninitializedShape: [t * b, h])
      let incoming = recordIncoming ? Tensor(uninitializedShape: [t * b, h]) : nil
      // Products of each source with its readers' packed weights: [B, k·H] per source.
      let gp = p.groups.mapValues { Tensor(uninitializedShape: [b, $0.weight.shape[1]]) }
      /// gp[source] = value(source) · W_source, once the source's value is known.
      func groupProduct(_ src: String, _ a: UnsafePointer<Float>) {
        guard let grp = p.groups[src], let dst = gp[src] else { return }
        let ld = grp.weight.shape[1]
        GEMM.sgemm(transA: false, transB: false, m: b, n: ld, k: h, alpha: 1, a: a, lda: h,
                   b: grp.weight.pointer, ldb: ld, beta: 0, c: dst.pointer, ldc: ld, bOwner: grp.weight.storage)
      }
      for step in 0..<t {
        if let incoming { (incoming.pointer + step * n).update(from: cur.pointer, count: n) }
        for i in 0..<m { groupProduct("h_prev_\(i)", cur.pointer + i * n) }
        /// The [B, H] value of a node or state input (never `x`, which only linear nodes read).
        func value(_ name: String) -> UnsafeMutablePointer<Float> {
          if let j = slot[name] { return values.pointer + j * n }
          return cur.pointer + RecipeGraph.stateIndex(name, prefix: "h_prev_")! * n
        }
        for name in g.order {
          let node = g.nodes[name]!
          let d = values.pointer + slot[name]! * n
          switch node.op {
          case .linear:
            if let j = xSlot[name], let xp {
              for r in 0..<b { (d + r * h).update(from: xp.pointer + xRow[step * b + r] * ldx + j * h, count: h) }
            } else {
              let bias = linear[name]!.bias.contiguous().pointer
              for r in 0..<b { (d + r * h).update(from: bias, count: h) }
            }
            for (src, j) in p.slots[name] ?? [] {
              let prod = gp[src]!, ld = prod.shape[1]
              for r in 0..<b { CellKernels.add(d + r * h, prod.pointer + r * ld + j * h, h) }
            }
          case .blend: CellKernels.blend(d, value(node.input[0]), value(node.input[1]), value(node.input[2]), n)
          case .elementwiseProd:
            d.update(from: value(node.input[0]), count: n)
            for inp in node.input.dropFirst() { CellKernels.mul(d, value(inp), n) }
          case .elementwiseSum:
            d.update(from: value(node.input[0]), count: n)
            for inp in node.input.dropFirst() { CellKernels.add(d, value(inp), n) }
          case .activationTanh: CellKernels.tanh(d, value(node.input[0]), n)
          case .activationSigm: CellKernels.sigmoid(d, value(node.input[0]), n)
          case .activationLeakyRelu: CellKernels.leakyRelu(d, value(node.input[0]), n)
          }
          groupProduct(name, d)
        }
        for i in 0..<m { (next.pointer + i * n).update(from: value("h_new_\(i)"), count: n) }
        swap(&cur, &next)
        (output.pointer + step * n).update(from: cur.pointer, count: n)
      }
      return (output, incoming)
    } }
  }
}

/// Single-threaded elementwise loops on [B, H] buffers (small enough that threading costs more than
/// it saves). `tanh` / `sigmoid` use the C library's float functions.
enum CellKernels {
  @inline(__always) static func add(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] += a[i] }
  }
  @inline(__always) static func mul(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] *= a[i] }
  }
  /// d = z·a + (1 − z)·c
  static func blend(_ d: UnsafeMutablePointer<Float>, _ z: UnsafePointer<Float>, _ a: UnsafePointer<Float>,
                    _ c: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] = z[i] * a[i] + (1 - z[i]) * c[i] }
  }
  static func tanh(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] = Foundation.tanhf(a[i]) }
  }
  static func sigmoid(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { d[i] = 1 / (1 + Foundation.expf(-a[i])) }
  }
  static func leakyRelu(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ n: Int) {
    for i in 0..<n { let v = a[i]; d[i] = v >= 0 ? v : 0.01 * v }
  }
}

extension RecurrentModel {
  /// The incoming `h_prev_0` of layer `layer` (0-based) at every step of the (T × B) token block,
  /// [T·B, H], for the untrained model that `init(config:vocabulary:using:)` builds from `rng`.
  ///
  /// Identical values to building that model and running its layers with `infer`, but only the
  /// needed embedding rows and layers 0…layer are drawn (the generator is skipped past the rest).
  public static func incomingStates(config: RecurrentConfig, vocabulary: Int, rng: SplitMix64, tokens: [Int32],
                                    steps: Int, streams: Int, layer: Int) throws -> Tensor {
    try incomingStates(config: config, vocabulary: vocabulary, rng: rng, tokens: tokens, steps: steps,
                       streams: streams, layers: [layer])[layer]!
  }

  /// The incoming `h_prev_0` of each of `layers` (0-based), from one pass through layers
  /// 0…max(layers): the same values as one `incomingStates(…, layer:)` call per layer.
  public static func incomingStates(config: RecurrentConfig, vocabulary: Int, rng: SplitMix64, tokens: [Int32],
                                    steps: Int, streams: Int, layers: [Int]) throws -> [Int: Tensor] {
    try config.validate()
    guard let last = layers.max() else { return [:] }
    for layer in layers where layer < 0 || layer >= config.nLayers {
      throw ModelError.invalidInput("layer \(layer + 1) is beyond n_layers = \(config.nLayers)")
    }
    guard tokens.count == steps * streams else {
      throw ModelError.invalidInput("recurrent forward: \(tokens.count) tokens for \(steps) steps × \(streams) streams")
    }
    if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
      throw ModelError.invalidInput("token id \(bad) is outside vocab_size = \(vocabulary)")
    }
    let graph = try RecipeGraph(config.recipe)
    // Layer 0 reads the embeddings of the distinct tokens only: [U, E] and a row per sample.
    var distinct: [Int32] = [], position: [Int32: Int] = [:]
    let rowIndex = tokens.map { id in
      if let p = position[id] { return p }
      position[id] = distinct.count
      distinct.append(id)
      return distinct.count - 1
    }
    var x = embeddingRows(ids: distinct, embSize: config.embSize, from: rng)  // [U, E]
    var g = skipping(rng, draws: vocabulary * config.embSize)
    let wanted = Set(layers)
    var states: [Int: Tensor] = [:]
    for l in 0...last {
      let cell = RecurrentLayer(config: config, graph: graph, index: l, using: &g)
      let r = try cell.infer(x, rowIndex: l == 0 ? rowIndex : nil, steps: steps, streams: streams, recordIncoming: wanted.contains(l))
      if wanted.contains(l) { states[l] = r.incoming! }
      x = r.output
    }
    return states
  }
}
