import Foundation
import Testing
@testable import Models
import SearchSpaces
import TensorEngine

/// FlexiBERT config decoding / validation and the encoder's forward and backward on a tiny config
/// with every operation. What this does not prove: that the weights match a PyTorch checkpoint
/// (there is no golden fixture for FlexiBERT), only shapes, determinism, counts and gradients.
struct FlexiBERTTests {
  /// Hidden 16, embeddings 8 (so the projection is used), every operation once.
  static let tinyJSON = """
    {"backbone": "flexibert", "hidden_size": 16, "embedding_size": 8, "vocab_size": 50, "max_position": 12,
     "layers": [
      {"operation": "SA", "parameter": "WMA", "heads": 4, "ffn": [32]},
      {"operation": "LT", "parameter": "DFT", "heads": 2, "ffn": [24, 20]},
      {"operation": "DSC", "parameter": 5, "heads": 4, "ffn": [32]},
      {"operation": "LT", "parameter": "DCT", "heads": 2, "ffn": [16]},
      {"operation": "SA", "parameter": "SDP", "heads": 2, "ffn": [8, 8, 8]},
      {"operation": "DSC", "parameter": "9", "heads": 2, "ffn": [16]}]}
    """

  static func tiny() throws -> FlexiBERTConfig {
    try #require(try ConfigRegistry.decode(Data(tinyJSON.utf8)) as? FlexiBERTConfig)
  }

  @Test func decodesTheDesignExample() throws {
    let json = """
      {"backbone": "flexibert", "hidden_size": 256, "layers": [
         {"operation": "SA", "parameter": "SDP", "heads": 4, "ffn": [1024]},
         {"operation": "LT", "parameter": "DCT", "heads": 2, "ffn": [512, 512, 512]}]}
      """
    let c = try #require(try ConfigRegistry.decode(Data(json.utf8)) as? FlexiBERTConfig)
    #expect(c.hiddenSize == 256 && c.embeddingSize == 128 && c.vocabSize == 30522 && c.maxPosition == 512)
    #expect(c.layers[1] == FlexiBERTLayer(operation: .lt, parameter: "DCT", heads: 2, ffn: [512, 512, 512]))
    #expect(c.canonicalKey == "flexibert|H256|E128|V30522|P512|SA:SDP:h4:f1024|LT:DCT:h-:f512,512,512")
    // Round trip through the JSON form.
    let again = try #require(try ConfigRegistry.decode(Data(c.jsonString().utf8)) as? FlexiBERTConfig)
    #expect(again == c)
    // The released training code's network: SDP everywhere, FFN 4·hidden first.
    #expect(c.asTrained.layers.map(\.ffn) == [[1024], [1024, 512, 512]])
    #expect(c.asTrained.layers.allSatisfy { $0.operation == .sa && $0.parameter == "SDP" })
    #expect(c.asTrained.layers.map(\.heads) == [4, 2])
  }

  @Test(arguments: [
    (#"{"operation": "XX", "parameter": "SDP", "heads": 4, "ffn": [64]}"#, "layers[1].operation", "XX"),
    (#"{"operation": "SA", "parameter": "DFT", "heads": 4, "ffn": [64]}"#, "layers[1].parameter", "DFT"),
    (#"{"operation": "DSC", "parameter": 4, "heads": 4, "ffn": [64]}"#, "layers[1].parameter", "4"),
    (#"{"operation": "SA", "parameter": "SDP", "heads": 3, "ffn": [64]}"#, "layers[1].heads", "3"),
    (#"{"operation": "DSC", "parameter": 5, "heads": 1, "ffn": [64]}"#, "layers[1].heads", "1"),
    (#"{"operation": "SA", "parameter": "SDP", "heads": 4, "ffn": []}"#, "layers[1].ffn", "[]"),
    (#"{"operation": "SA", "parameter": "SDP", "heads": 4, "ffn": [64, 0]}"#, "layers[1].ffn[1]", "0"),
  ])
  func badLayersNameTheLayerAndField(layer: String, field: String, value: String) {
    let json = #"{"backbone": "flexibert", "hidden_size": 16, "layers": [{"operation": "LT", "parameter": "DFT", "heads": 2, "ffn": [8]}, "#
      + layer + "]}"
    do {
      _ = try ConfigRegistry.decode(Data(json.utf8))
      Issue.record("expected an error for \(layer)")
    } catch let e as ConfigError {
      #expect(e.field == field)
      #expect(e.value == value)
      #expect(!e.description.contains("\n"))
    } catch { Issue.record("unexpected error \(error)") }
  }

  @Test func rejectsUnknownKeys() {
    let json = #"{"backbone": "flexibert", "hidden_size": 16, "layers": [{"operation": "SA", "parameter": "SDP", "heads": 2, "ffn": [8], "bias": true}]}"#
    #expect(throws: ConfigError.self) { try ConfigRegistry.decode(Data(json.utf8)) }
  }

  @Test func forwardShapesCountsAndDeterminism() throws {
    let c = try Self.tiny()
    var rng = SplitMix64(seed: 42)
    let m = try FlexiBERTModel(c, using: &rng)
    let ids = [1, 5, 7, 9, 2, 0, 49, 3, 8, 8, 4, 11]
    let logits = try withNoGrad { try m.logits(ids: ids, batch: 2) }
    #expect(logits.shape == [2, 6, 50])
    #expect(logits.values.allSatisfy { $0.isFinite })
    // Same seed, same weights, same output; another seed differs.
    var r1 = SplitMix64(seed: 7), r2 = SplitMix64(seed: 7), r3 = SplitMix64(seed: 8)
    let a = try withNoGrad { try FlexiBERTModel(c, using: &r1).logits(ids: ids, batch: 2).values }
    let b = try withNoGrad { try FlexiBERTModel(c, using: &r2).logits(ids: ids, batch: 2).values }
    let d = try withNoGrad { try FlexiBERTModel(c, using: &r3).logits(ids: ids, batch: 2).values }
    #expect(a == b)
    #expect(a != d)
    // At initialisation the MLM loss is near log V (small logits).
    let loss = try withNoGrad { try m.mlmLoss(ids: ids, targets: ids.map { $0 % 3 == 0 ? $0 : -1 }, batch: 2).item }
    #expect(abs(Double(loss) - log(50.0)) < 0.3)
    #expect(try m.measurementForward(batch: 1, seqLen: 12).shape == [1, 12, 50])
    #expect(throws: (any Error).self) { try m.logits(ids: Array(0..<13), batch: 1) }   // longer than max_position
  }

  @Test func linearMapsAreTaggedPerSubModule() throws {
    let c = try Self.tiny()
    var rng = SplitMix64(seed: 1)
    let m = try FlexiBERTModel(c, using: &rng)
    let maps = m.linearMaps
    func mixing(_ i: Int) -> [String] { maps.filter { $0.kind == .mixing && $0.layer == i }.map(\.name) }
    // SA/WMA with 4 heads: 4 query + 4 key + 4 value heads, W, output dense.
    #expect(mixing(0).count == 14)
    #expect(mixing(0).contains("encoder.layer.0.attention.self.W"))
    #expect(maps.first { $0.name == "encoder.layer.0.attention.self.query[head 3]" }?.weight.shape == [16, 4])
    // LT: parameter-free transform, only the self-output dense.
    #expect(mixing(1) == ["encoder.layer.1.attention.output.dense"])
    // DSC with 4 heads: 2 attention heads (q, k, v each), pointwise, kernel map, conv-out, output dense.
    #expect(mixing(2).count == 10)
    #expect(maps.first { $0.name == "encoder.layer.2.attention.self.conv_kernel_layer" }?.weight.shape == [8, 10])
    // FFN of layer 1: 16→24→20→16.
    #expect(maps.filter { $0.kind == .ffn && $0.layer == 1 }.map(\.weight.shape) == [[16, 24], [24, 20], [20, 16]])
    #expect(maps.contains { $0.kind == .embedding && $0.name == "embeddings_project" })
    // Per-head query maps are views of the whole query weight.
    let q = try #require(m.namedParameters.first { $0.name == "encoder.layer.0.attention.self.query.weight" }?.tensor)
    let head1 = try #require(maps.first { $0.name == "encoder.layer.0.attention.self.query[head 1]" }?.weight)
    #expect(head1.values == (try q.slice(axis: 1, range: 4..<8)).values)
  }

  @Test func backwardReachesEveryParameterAndMatchesFiniteDifferences() throws {
    let c = try Self.tiny()
    var rng = SplitMix64(seed: 3)
    let m = try FlexiBERTModel(c, using: &rng)
    let ids = [1, 5, 7, 9, 2, 0, 49, 3, 8, 8, 4, 11]
    let targets = ids.enumerated().map { $0.offset % 2 == 0 ? ($0.element + 1) % 50 : -1 }
    let loss = try m.mlmLoss(ids: ids, targets: targets, batch: 2)
    try loss.backward()
    for (name, p) in m.namedParameters {
      let g = try #require(p.grad, "no gradient for \(name)")
      #expect(g.shape == p.shape, "\(name)")
      #expect(g.values.allSatisfy { $0.isFinite }, "\(name)")
    }
    // Central differences on a few weights of different operations.
    let probe = ["encoder.layer.0.attention.self.W", "encoder.layer.2.attention.self.conv_kernel_layer.weight",
                 "encoder.layer.2.attention.self.key_conv_attn_layer.depthwise.weight", "encoder.layer.1.intermediate.dense_1.weight",
                 "embeddings_project.weight"]
    for name in probe {
      let p = try #require(m.namedParameters.first { $0.name == name }?.tensor, "\(name)")
      let analytic = try #require(p.grad).values
      for idx in [0, p.count / 2, p.count - 1] {
        let old = p.pointer[idx]
        let h: Float = 1e-2
        p.pointer[idx] = old + h
        let up = try withNoGrad { try m.mlmLoss(ids: ids, targets: targets, batch: 2).item }
        p.pointer[idx] = old - h
        let down = try withNoGrad { try m.mlmLoss(ids: ids, targets: targets, batch: 2).item }
        p.pointer[idx] = old
        let numeric = (up - down) / (2 * h)
        #expect(abs(numeric - analytic[idx]) <= 2e-3 + 0.05 * abs(analytic[idx]), "\(name)[\(idx)]: \(numeric) vs \(analytic[idx])")
      }
    }
  }
}
