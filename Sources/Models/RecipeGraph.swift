// Inference-only interpreter of a recipe cell (no autograd), as used by the hidden-covariance proxy.
//
// Same arithmetic as `RecurrentLayer.forward`, organised for speed: the weights of all `linear`
// nodes that read the same graph input are packed side by side, so one GEMM per step and per state
// serves every node (an LSTM's four gates are one [B, H]·[H, 4H] product), and the x-terms of all
// steps are one [T·B, I]·[I, kx·H] product before the loop. Elementwise nodes are plain
// single-threaded loops on preallocated [B, H] buffers (`CellKernels`; B·H floats are too few to
// be worth threading). Shapes: T steps, B streams, I input width, H hidden width, k nodes in a group.
import Foundation
import SearchSpaces
import TensorEngine

/// A layer's weights packed by graph input.
final class PackedCell {
  let inputWidth: Int
  let hidden: Int
  /// Linear nodes that read `x`, in packed-column order, and their summed x-weights [I, kx·H].
  let xNodes: [String]
  let wx: Tensor?
  /// Biases of the x-nodes [kx·H]; nodes without x add their bias per step.
  let bx: Tensor?
  /// Per state i: the linear nodes reading `h_prev_i` and their packed weights [H, k_i·H].
  let hNodes: [[String]]
  let wh: [Tensor?]
  /// Linear-node inputs that are other nodes: (input name, summed weight [H, H]).
  let inner: [String: [(input: String, weight: Tensor)]]

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
      return out
    }
    xNodes = linearNodes.filter { g.nodes[$0]!.input.contains("x") }
    wx = pack(xNodes, source: "x", rows: layer.inputWidth)
    if xNodes.isEmpty { bx = nil } else {
      let b = Tensor(uninitializedShape: [xNodes.count * h])
      for (j, n) in xNodes.enumerated() { (b.pointer + j * h).update(from: layer.linear[n]!.bias.contiguous().pointer, count: h) }
      bx = b
    }
    var hn: [[String]] = [], whs: [Tensor?] = []
    for i in 0..<g.stateCount {
      let nodes = linearNodes.filter { g.nodes[$0]!.input.contains("h_prev_\(i)") }
      hn.append(nodes)
      whs.append(pack(nodes, source: "h_prev_\(i)", rows: h))
    }
    hNodes = hn
    wh = whs
    var inn: [String: [(String, Tensor)]] = [:]
    for n in linearNodes {
      let others = Set(g.nodes[n]!.input.filter { g.nodes[$0] != nil })
      if others.isEmpty { continue }
      inn[n] = others.sorted().map { ($0, pack([n], source: $0, rows: h)!) }
    }
    inner = inn
  }
}

extension RecurrentLayer {
  /// Runs the layer over T steps from zero states without autograd. `input` is [T·B, I]; returns
  /// the outputs [T·B, H] and, when `recordIncoming`, the incoming `h_prev_0` of every step
  /// [T·B, H] (step 0's is the zero initial state).
  public func infer(_ input: Tensor, steps: Int, streams: Int, recordIncoming: Bool) throws -> (output: Tensor, incoming: Tensor?) {
    let (t, b, h, g) = (steps, streams, hidden, graph)
    guard input.shape == [t * b, inputWidth] else {
      throw TensorError.shapeMismatch(op: "recurrent layer \(index)", shapes: [input.shape, [t * b, inputWidth]],
                                      reason: "input must be [steps·streams, input width]")
    }
    let p = PackedCell(self)
    let x = input.contiguous()
    return try withNoGrad {
      // x-terms of every step and x-node, biases included: [T·B, kx·H].
      var xp: Tensor? = nil
      let ldx = p.xNodes.count * h
      if let wx = p.wx, let bx = p.bx {
        let out = Tensor(uninitializedShape: [t * b, ldx])
        for r in 0..<(t * b) { (out.pointer + r * ldx).update(from: bx.pointer, count: ldx) }
        GEMM.sgemm(transA: false, transB: false, m: t * b, n: ldx, k: inputWidth, alpha: 1, a: x.pointer, lda: inputWidth,
                   b: wx.pointer, ldb: ldx, beta: 1, c: out.pointer, ldc: ldx)
        xp = out
      }
      let xSlot = Dictionary(uniqueKeysWithValues: p.xNodes.enumerated().map { ($1, $0) })
      var hSlot: [String: [(state: Int, slot: Int)]] = [:]
      for (i, nodes) in p.hNodes.enumerated() { for (j, n) in nodes.enumerated() { hSlot[n, default: []].append((i, j)) } }

      // Buffers: every node's value, current and next states, each [B, H].
      let slot = Dictionary(uniqueKeysWithValues: g.order.enumerated().map { ($1, $0) })
      let n = b * h, m = g.stateCount
      let values = Tensor.zeros([g.order.count, b, h])
      var cur = Tensor.zeros([m, b, h]), next = Tensor.zeros([m, b, h])
      let output = Tensor(uninitializedShape: [t * b, h])
      let incoming = recordIncoming ? Tensor(uninitializedShape: [t * b, h]) : nil
      let hp: [Tensor?] = p.wh.map { w in w.map { Tensor(uninitializedShape: [b, $0.shape[1]]) } }
      for step in 0..<t {
        if let incoming { (incoming.pointer + step * n).update(from: cur.pointer, count: n) }
        for i in 0..<m {
          guard let w = p.wh[i], let dst = hp[i] else { continue }
          GEMM.sgemm(transA: false, transB: false, m: b, n: w.shape[1], k: h, alpha: 1, a: cur.pointer + i * n, lda: h,
                     b: w.pointer, ldb: w.shape[1], beta: 0, c: dst.pointer, ldc: w.shape[1])
        }
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
              for r in 0..<b { (d + r * h).update(from: xp.pointer + (step * b + r) * ldx + j * h, count: h) }
            } else {
              let bias = linear[name]!.bias.contiguous().pointer
              for r in 0..<b { (d + r * h).update(from: bias, count: h) }
            }
            for (i, j) in hSlot[name] ?? [] {
              let src = hp[i]!.pointer, ld = hp[i]!.shape[1]
              for r in 0..<b { CellKernels.add(d + r * h, src + r * ld + j * h, h) }
            }
            for (inp, w) in p.inner[name] ?? [] {
              GEMM.sgemm(transA: false, transB: false, m: b, n: h, k: h, alpha: 1, a: value(inp), lda: h,
                         b: w.pointer, ldb: h, beta: 1, c: d, ldc: h)
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
        }
        for i in 0..<m { (next.pointer + i * n).update(from: value("h_new_\(i)"), count: n) }
        swap(&cur, &next)
        (output.pointer + step * n).update(from: cur.pointer, count: n)
      }
      return (output, incoming)
    }
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
    try config.validate()
    guard layer >= 0 && layer < config.nLayers else {
      throw ModelError.invalidInput("layer \(layer + 1) is beyond n_layers = \(config.nLayers)")
    }
    guard tokens.count == steps * streams else {
      throw ModelError.invalidInput("recurrent forward: \(tokens.count) tokens for \(steps) steps × \(streams) streams")
    }
    if let bad = tokens.first(where: { $0 < 0 || Int($0) >= vocabulary }) {
      throw ModelError.invalidInput("token id \(bad) is outside vocab_size = \(vocabulary)")
    }
    let graph = try RecipeGraph(config.recipe)
    var x = embeddingRows(ids: tokens, embSize: config.embSize, from: rng)  // [T·B, E]
    var g = skipping(rng, draws: vocabulary * config.embSize)
    for l in 0...layer {
      let cell = RecurrentLayer(config: config, graph: graph, index: l, using: &g)
      let r = try cell.infer(x, steps: steps, streams: streams, recordIncoming: l == layer)
      if l == layer { return r.incoming! }
      x = r.output
    }
    fatalError("unreachable")
  }
}
