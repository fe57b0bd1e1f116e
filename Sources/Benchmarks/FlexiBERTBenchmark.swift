import Foundation
import SearchSpaces

/// The FlexiBERT-space benchmark ("NAS-Bench-BERT", Serianni & Kalita, ACL 2023): 500 BERT-style
/// encoders pre-trained with ELECTRA and fine-tuned on GLUE. See `../shared/data/flexibert/SOURCES.md`.
///
/// A record of `BERT_benchmark.json` can be read two ways (option `reading`):
/// - `as-trained` (default): the network the released ELECTRA training code actually built — every
///   layer plain multi-head SDP attention with the record's heads, biased Q/K/V/O; FFN first layer
///   4·hidden wide, then `num_feed_forward − 1` layers of `feed_forward_dimension`. The GLUE scores
///   belong to these networks.
/// - `described`: the record as written — per-layer operation, parameter and heads; FFN =
///   `num_feed_forward` dense layers of `feed_forward_dimension`, then back to hidden.
///
/// The target is the `glue` score (mean of the eight dev-set task scores), higher is better.
/// Records are grouped by (hidden size, depth) for the within-group Spearman ρ of `lts rank`.
public struct FlexiBERTBenchmark: RankingBenchmark {
  public let name = "flexibert"
  public let targetDescription = "GLUE score (mean of 8 dev-set tasks, ELECTRA pre-training 100k steps)"
  public let lowerIsBetter = false
  public let defaultFolder = "flexibert"
  public let groupDescription = "hidden size × depth"
  /// The file inside the folder.
  public static let fileName = "BERT_benchmark.json"

  /// The two readings of a record.
  public enum Reading: String, CaseIterable, Sendable {
    case asTrained = "as-trained"
    case described
  }

  public init() {}

  /// `path` is the folder holding `BERT_benchmark.json` or the file itself; `options["reading"]`
  /// is `as-trained` (default) or `described`.
  public func load(path: String, options: [String: String] = [:]) throws -> BenchmarkData {
    for k in options.keys.sorted() where k != "reading" {
      throw BenchmarkError(file: path, detail: "option \(k): \(name) takes only the option reading (as-trained | described)")
    }
    let readingName = options["reading"] ?? Reading.asTrained.rawValue
    guard let reading = Reading(rawValue: readingName) else {
      throw BenchmarkError(file: path, detail: "option reading = \(readingName): expected as-trained or described")
    }
    let file = try dataFile(path, fileName: Self.fileName)
    guard let data = FileManager.default.contents(atPath: file) else {
      throw BenchmarkError(file: file, detail: "cannot be read")
    }
    return try Self.parse(data, file: file, reading: reading)
  }

  /// Parses the JSON list of records under one reading.
  public static func parse(_ data: Data, file: String, reading: Reading) throws -> BenchmarkData {
    let json: Any
    do { json = try JSONSerialization.jsonObject(with: data) } catch {
      throw BenchmarkError(file: file, detail: "not valid JSON: \(error.localizedDescription)")
    }
    guard let list = json as? [Any] else { throw BenchmarkError(file: file, detail: "expected a JSON list of records") }
    var records: [BenchmarkRecord] = [], excluded: [(id: String, reason: String)] = []
    for (pos, item) in list.enumerated() {
      guard let rec = item as? [String: Any] else {
        throw BenchmarkError(file: file, location: "record at position \(pos)", detail: "expected a JSON object")
      }
      let id = Self.idString(rec["id"]) ?? "#\(pos)"
      func fail(_ detail: String) -> BenchmarkError { BenchmarkError(file: file, location: "record id \(id)", detail: detail) }
      if let completed = rec["completed"] as? Bool, !completed {
        excluded.append((id, "completed = false (training did not finish)"))
        continue
      }
      guard let scores = rec["scores"] as? [String: Any] else { throw fail("scores: missing or not an object") }
      guard let glue = (scores["glue"] as? NSNumber)?.doubleValue, glue.isFinite else {
        throw fail("scores.glue: missing or not a number")
      }
      let described = try describedConfig(rec, fail: fail)
      let config = reading == .asTrained ? described.asTrained : described
      do { try config.validate() } catch let e as ConfigError {
        throw fail("\(e.field) = \(e.value): \(e.rule)")
      }
      records.append(BenchmarkRecord(id: id, config: config, target: glue))
    }
    let note: String
    switch reading {
    case .asTrained:
      note = "reading: as-trained — every layer multi-head SDP attention with the record's heads, FFN 4·hidden then "
        + "num_feed_forward − 1 layers of feed_forward_dimension (what the released training code built; SOURCES.md)"
    case .described:
      note = "reading: described — per-layer operation / parameter / heads and FFN = num_feed_forward × "
        + "feed_forward_dimension, as the records are written (not what was trained; SOURCES.md)"
    }
    return BenchmarkData(records: records, excluded: excluded, note: "\(records.count) FlexiBERT encoders, GLUE; " + note)
  }

  /// The record as written, as a config; errors name the field (`nas_config.encoder_layers[2].…`).
  static func describedConfig(_ rec: [String: Any], fail: (String) -> BenchmarkError) throws -> FlexiBERTConfig {
    guard let hp = rec["hparams"] as? [String: Any] else { throw fail("hparams: missing or not an object") }
    guard let ov = hp["model_hparam_overrides"] as? [String: Any] else {
      throw fail("hparams.model_hparam_overrides: missing or not an object")
    }
    guard let hidden = Self.int(ov["hidden_size"]) else {
      throw fail("model_hparam_overrides.hidden_size: missing or not an integer")
    }
    guard let nas = ov["nas_config"] as? [String: Any], let layers = nas["encoder_layers"] as? [Any] else {
      throw fail("model_hparam_overrides.nas_config.encoder_layers: missing or not a list")
    }
    guard !layers.isEmpty else { throw fail("nas_config.encoder_layers: empty (a model needs at least one layer)") }
    var out: [FlexiBERTLayer] = []
    for (i, item) in layers.enumerated() {
      let at = "nas_config.encoder_layers[\(i)]"
      guard let l = item as? [String: Any] else { throw fail("\(at): expected an object") }
      guard let opName = l["operation_type"] as? String else { throw fail("layer \(i): \(at).operation_type: missing or not a string") }
      guard let op = FlexiBERTLayer.Operation(rawValue: opName) else {
        throw fail("layer \(i): \(at).operation_type = \(opName): unknown operation; one of SA, LT, DSC")
      }
      guard let rawParam = l["operation_parameter"] else { throw fail("layer \(i): \(at).operation_parameter: missing") }
      let param: String
      if let s = rawParam as? String { param = s } else if let n = Self.int(rawParam) { param = String(n) } else {
        throw fail("layer \(i): \(at).operation_parameter = \(rawParam): expected a string or an integer")
      }
      guard let heads = Self.int(l["num_operation_heads"]) else {
        throw fail("layer \(i): \(at).num_operation_heads: missing or not an integer")
      }
      guard let width = Self.int(l["feed_forward_dimension"]) else {
        throw fail("layer \(i): \(at).feed_forward_dimension: missing or not an integer")
      }
      guard let count = Self.int(l["num_feed_forward"]) else {
        throw fail("layer \(i): \(at).num_feed_forward: missing or not an integer")
      }
      guard count >= 1 else {
        throw fail("layer \(i): \(at).num_feed_forward = \(count): the FFN stack needs at least one dense layer")
      }
      guard width >= 1 else { throw fail("layer \(i): \(at).feed_forward_dimension = \(width): must be ≥ 1") }
      let layer = FlexiBERTLayer(operation: op, parameter: param, heads: heads, ffn: Array(repeating: width, count: count))
      do { try layer.validate(index: i, hiddenSize: hidden) } catch let e as ConfigError {
        let names = ["parameter": "operation_parameter", "heads": "num_operation_heads", "ffn": "num_feed_forward"]
        let short = e.field.split(separator: ".").last.map(String.init) ?? e.field
        throw fail("layer \(i): \(at).\(names[short] ?? short) = \(e.value): \(e.rule)")
      }
      out.append(layer)
    }
    return FlexiBERTConfig(hiddenSize: hidden, layers: out)
  }

  /// "hidden size × depth", e.g. `256×4`.
  public func groupKey(_ record: BenchmarkRecord) -> String? {
    guard let c = record.config as? FlexiBERTConfig else { return nil }
    return "\(c.hiddenSize)×\(c.layers.count)"
  }

  static func int(_ v: Any?) -> Int? {
    guard let n = v as? NSNumber, String(cString: n.objCType) != "c" else { return nil }  // "c": a JSON boolean
    let d = n.doubleValue
    guard d == d.rounded(), abs(d) < 1e15 else { return nil }
    return Int(d)
  }

  static func idString(_ v: Any?) -> String? {
    if let s = v as? String { return s }
    return int(v).map(String.init)
  }
}
