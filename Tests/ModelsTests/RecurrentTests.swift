import Foundation
import Testing
@testable import Models
import SearchSpaces
import TensorEngine

/// The recurrent model: recipe validation (one-line errors naming the node), parameter counts,
/// forward / backward, and the fast inference path against the differentiable one.
@Suite struct RecurrentTests {
  static let rnn = #"{"backbone": "recurrent", "recipe": {"f": {"op": "linear", "input": ["x", "h_prev_0"]}, "h_new_0": {"op": "activation_tanh", "input": ["f"]}}}"#
  /// The LSTM recipe of NAS-Bench-NLP (1000001): two states, every op but blend and leaky ReLU.
  static let lstm: [String: RecipeNode] = [
    "i": .init(op: .linear, input: ["x", "h_prev_0"]), "i_act": .init(op: .activationTanh, input: ["i"]),
    "j": .init(op: .linear, input: ["x", "h_prev_0"]), "j_act": .init(op: .activationSigm, input: ["j"]),
    "f": .init(op: .linear, input: ["x", "h_prev_0"]), "f_act": .init(op: .activationSigm, input: ["f"]),
    "o": .init(op: .linear, input: ["x", "h_prev_0"]), "o_act": .init(op: .activationTanh, input: ["o"]),
    "h_new_1_part1": .init(op: .elementwiseProd, input: ["f_act", "h_prev_1"]),
    "h_new_1_part2": .init(op: .elementwiseProd, input: ["i_act", "j_act"]),
    "h_new_1": .init(op: .elementwiseSum, input: ["h_new_1_part1", "h_new_1_part2"]),
    "h_new_1_act": .init(op: .activationTanh, input: ["h_new_1"]),
    "h_new_0": .init(op: .elementwiseProd, input: ["h_new_1_act", "o_act"]),
  ]
  /// Blend, leaky ReLU, a linear node reading another node, a repeated input.
  static let mixed: [String: RecipeNode] = [
    "a": .init(op: .linear, input: ["x", "h_prev_0", "h_prev_0"]), "z": .init(op: .activationSigm, input: ["a"]),
    "b": .init(op: .linear, input: ["z", "h_prev_1"]), "c": .init(op: .activationLeakyRelu, input: ["b"]),
    "h_new_1": .init(op: .blend, input: ["z", "c", "h_prev_1"]),
    "h_new_0": .init(op: .elementwiseSum, input: ["h_new_1", "a"]),
  ]

  func decodeError(_ json: String) -> String {
    do { _ = try ConfigRegistry.decode(Data(json.utf8)); return "(no error)" } catch { return "\(error)" }
  }

  @Test func decodesAndCountsParameters() throws {
    let c = try #require(try ConfigRegistry.decode(Data(Self.rnn.utf8)) as? RecurrentConfig)
    #expect(c.embSize == 400 && c.hiddenSize == 600 && c.nLayers == 3 && c.vocabSize == nil)
    // NAS-Bench-NLP's num_params of the RNN cell (1000000) on WikiText-2.
    #expect(c.parameterCount() == 15_066_078)
    #expect(RecurrentConfig(recipe: Self.lstm).parameterCount() == 20_230_878)
    let small = RecurrentConfig(recipe: Self.mixed, embSize: 6, hiddenSize: 5, nLayers: 2, vocabSize: 11)
    let model = try RecurrentModel(config: small, vocabulary: 11, using: &SplitMixBox.rng)
    #expect(model.parameterCount == small.parameterCount())
    #expect(model.linearMaps.filter { $0.kind == .recurrent }.count == 2 * 5)
  }

  @Test func recipeErrorsNameTheNode() {
    func recipe(_ body: String) -> String { #"{"backbone": "recurrent", "recipe": {\#(body)}}"# }
    let cases: [(String, String)] = [
      (recipe(#""h_new_0": {"op": "conv", "input": ["x"]}"#), "recipe.h_new_0.op = conv: unknown op"),
      (recipe(#""h_new_0": {"op": "activation_tanh", "input": ["x", "h_prev_0"]}"#), "recipe.h_new_0"),
      (recipe(#""h_new_0": {"op": "linear", "input": ["x", "q"]}"#), "input q is not x"),
      (recipe(#""a": {"op": "linear", "input": ["b"]}, "b": {"op": "activation_tanh", "input": ["a"]}, "h_new_0": {"op": "linear", "input": ["a"]}"#), "recipe.a"),
      (recipe(#""a": {"op": "linear", "input": ["x"]}"#), "recipe.h_new_0"),
      (recipe(#""a": {"op": "linear", "input": ["x"]}, "h_new_0": {"op": "linear", "input": ["x"]}"#), "recipe.a = linear: unreachable"),
      (recipe(#""h_new_1": {"op": "linear", "input": ["x"]}, "h_new_0": {"op": "linear", "input": ["x", "h_prev_2"]}"#), "h_prev_2 has no matching output"),
      (recipe(#""h_new_2": {"op": "linear", "input": ["x"]}, "h_new_0": {"op": "linear", "input": ["x"]}"#), "recipe.h_new_1 = (missing)"),
      (recipe(#""h_new_0": {"op": "linear", "input": ["x"], "extra": 1}"#), "recipe.h_new_0.extra"),
      (recipe(#""h_new_0": {"op": "elementwise_sum", "input": ["x", "h_prev_0"]}"#), "only linear nodes can read x"),
    ]
    for (json, want) in cases {
      let msg = decodeError(json)
      #expect(msg.contains(want), "\(msg)")
      #expect(!msg.contains("\n"))
    }
    #expect(decodeError(recipe(#""a": {"op": "linear", "input": ["b"]}, "b": {"op": "activation_tanh", "input": ["a"]}, "h_new_0": {"op": "linear", "input": ["a"]}"#))
            .hasSuffix("recipe.a = [\"b\"]: cycle through nodes a, b"))
    // The recipe may be a JSON string, as in the benchmark logs.
    let asString = #"{"backbone": "recurrent", "recipe": "{\"h_new_0\": {\"op\": \"linear\", \"input\": [\"x\", \"h_prev_0\"]}}"}"#
    #expect(decodeError(asString) == "(no error)")
  }

  @Test func topologicalOrderAndStates() throws {
    let g = try RecipeGraph(Self.lstm)
    #expect(g.stateCount == 2)
    let pos = Dictionary(uniqueKeysWithValues: g.order.enumerated().map { ($1, $0) })
    for (n, node) in Self.lstm { for i in node.input where Self.lstm[i] != nil { #expect(pos[i]! < pos[n]!) } }
    #expect(g.order == (try RecipeGraph(Self.lstm)).order)
  }

  /// A hand-computed step of the RNN cell: h₁ = tanh(W_x·x + W_h·0 + b), h₂ = tanh(W_x·x₂ + W_h·h₁ + b).
  @Test func forwardMatchesHandComputation() throws {
    let c = RecurrentConfig(recipe: ["f": .init(op: .linear, input: ["x", "h_prev_0"]), "h_new_0": .init(op: .activationTanh, input: ["f"])],
                            embSize: 3, hiddenSize: 2, nLayers: 1, vocabSize: 5)
    var rng = SplitMix64(seed: 3)
    let model = try RecurrentModel(config: c, vocabulary: 5, using: &rng)
    let l = model.layers[0], p = l.linear["f"]!
    let (wx, wh, b) = (p.weights[0].values, p.weights[1].values, p.bias.values)
    let e = model.embedding.values
    // The last layer is emb_size wide (tied decoder): H = 3 here.
    #expect(l.hidden == 3 && l.inputWidth == 3)
    let toks: [Int32] = [2, 4]  // 2 steps × 1 stream
    var h = [Float](repeating: 0, count: 3)
    var expected: [[Float]] = []
    for t in toks {
      var nh = [Float](repeating: 0, count: 3)
      for o in 0..<3 {
        var s = b[o]
        for i in 0..<3 { s += e[Int(t) * 3 + i] * wx[i * 3 + o] + h[i] * wh[i * 3 + o] }
        nh[o] = Foundation.tanh(s)
      }
      h = nh
      expected.append(h)
    }
    let x = try Tensor.embedding(model.embedding, ids: toks.map(Int.init))
    let out = try withNoGrad { try l.forward(x, steps: 2, streams: 1).output.values }
    for (a, b) in zip(out, expected.flatMap { $0 }) { #expect(abs(a - b) < 1e-6) }
    let fast = try l.infer(x, steps: 2, streams: 1, recordIncoming: true)
    for (a, b) in zip(fast.output.values, expected.flatMap { $0 }) { #expect(abs(a - b) < 1e-6) }
    #expect(Array(fast.incoming!.values.prefix(3)) == [0, 0, 0])
    for (a, b) in zip(fast.incoming!.values.suffix(3), expected[0]) { #expect(abs(a - b) < 1e-7) }
  }

  @Test(arguments: ["lstm", "mixed"]) func fastPathMatchesDifferentiablePath(_ which: String) throws {
    let recipe = which == "lstm" ? Self.lstm : Self.mixed
    let c = RecurrentConfig(recipe: recipe, embSize: 8, hiddenSize: 12, nLayers: 3, vocabSize: 50)
    var rng = SplitMix64(seed: 11)
    let model = try RecurrentModel(config: c, vocabulary: 50, using: &rng)
    let (t, b) = (6, 4)
    let toks = (0..<(t * b)).map { Int32(($0 * 17 + 3) % 50) }
    var x = try Tensor.embedding(model.embedding, ids: toks.map(Int.init))
    for l in model.layers {
      let slow = try withNoGrad { try l.forward(x, steps: t, streams: b).output }
      let fast = try l.infer(x, steps: t, streams: b, recordIncoming: true)
      for (a, q) in zip(slow.values, fast.output.values) { #expect(abs(a - q) < 1e-5) }
      // incoming[t] = output[t − 1]
      #expect(Array(fast.incoming!.values.suffix((t - 1) * b * l.hidden)) == Array(fast.output.values.prefix((t - 1) * b * l.hidden)))
      x = slow
    }
    // The proxy's partial build (skipped generator, random-access embedding) gives the same states.
    let direct = try RecurrentModel.incomingStates(config: c, vocabulary: 50, rng: SplitMix64(seed: 11), tokens: toks, steps: t, streams: b, layer: 1)
    let x0 = try Tensor.embedding(model.embedding, ids: toks.map(Int.init))
    let viaModel = try model.layers[1].infer(try model.layers[0].infer(x0, steps: t, streams: b, recordIncoming: false).output,
                                             steps: t, streams: b, recordIncoming: true).incoming!
    #expect(direct.values == viaModel.values)
    // One pass for several layers gives each layer's states bit for bit.
    let several = try RecurrentModel.incomingStates(config: c, vocabulary: 50, rng: SplitMix64(seed: 11), tokens: toks,
                                                    steps: t, streams: b, layers: [2, 0, 1])
    #expect(several.keys.sorted() == [0, 1, 2])
    #expect(several[1]!.values == direct.values)
    for l in [0, 2] {
      let one = try RecurrentModel.incomingStates(config: c, vocabulary: 50, rng: SplitMix64(seed: 11), tokens: toks, steps: t, streams: b, layer: l)
      #expect(several[l]!.values == one.values)
    }
    #expect(throws: ModelError.self) {
      try RecurrentModel.incomingStates(config: c, vocabulary: 50, rng: SplitMix64(seed: 0), tokens: toks, steps: t, streams: b, layer: 3)
    }
  }

  @Test func backwardReachesEveryParameter() throws {
    let c = RecurrentConfig(recipe: Self.mixed, embSize: 6, hiddenSize: 5, nLayers: 2, vocabSize: 13)
    var rng = SplitMix64(seed: 5)
    let model = try RecurrentModel(config: c, vocabulary: 13, using: &rng)
    let toks = (0..<12).map { Int32($0 % 13) }, targets = (0..<12).map { Int32(($0 + 1) % 13) }
    let loss = try model.loss(tokens: toks, targets: targets, steps: 4, streams: 3)
    #expect(abs(loss.item - Float(Foundation.log(13.0))) < 0.05)  // near-uniform predictions at init
    try loss.backward()
    for (name, p) in model.namedParameters {
      let g = try #require(p.grad, "no gradient for \(name)")
      #expect(g.shape == p.shape)
      if name != "decoder.bias" { #expect(g.values.contains { $0 != 0 }, "zero gradient for \(name)") }
    }
    // Finite-difference check on one recurrent weight entry.
    let w = model.layers[0].linear["b"]!.weights[1]
    let analytic = w.grad!.values[7]
    let eps: Float = 1e-2
    let orig = w.pointer[7]
    w.pointer[7] = orig + eps
    let up = try withNoGrad { try model.loss(tokens: toks, targets: targets, steps: 4, streams: 3).item }
    w.pointer[7] = orig - eps
    let down = try withNoGrad { try model.loss(tokens: toks, targets: targets, steps: 4, streams: 3).item }
    w.pointer[7] = orig
    #expect(abs((up - down) / (2 * eps) - analytic) < 2e-3 + 0.05 * abs(analytic))
  }

  @Test func registryBuildsAndMeasures() throws {
    let c = RecurrentConfig(recipe: Self.lstm, embSize: 8, hiddenSize: 6, nLayers: 2, vocabSize: 20)
    let m = try ModelRegistry.build(c, seed: 1)
    let out = try m.measurementForward(batch: 2, seqLen: 3)
    #expect(out.shape == [6, 20])
    #expect(out.values.allSatisfy { $0.isFinite })
  }
}

/// A shared generator for tests that only need some weights.
enum SplitMixBox { nonisolated(unsafe) static var rng = SplitMix64(seed: 1) }
