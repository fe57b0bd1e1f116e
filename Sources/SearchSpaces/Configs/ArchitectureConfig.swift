import Foundation

/// A candidate architecture of one backbone: a value-type, Codable config.
///
/// The JSON form is the same for input, output and export (see DESIGN.md). Each backbone's config
/// is one file that conforms to this protocol plus one line in `ConfigRegistry.decoders`.
public protocol ArchitectureConfig: Codable, Sendable, CustomStringConvertible {
  /// The `"backbone"` value that selects this config type, e.g. `"gpt2"`.
  static var backbone: String { get }
  /// Throws a `ConfigError` naming the field and rule when the model cannot be built.
  func validate() throws
  /// A deterministic string of the active genes only (unused per-layer entries dropped). Two
  /// configs with the same key build the same model.
  var canonicalKey: String { get }
}

extension ArchitectureConfig {
  public var backbone: String { Self.backbone }
  /// Short stable id (archid): FNV-1a hash of the canonical key, 16 hex digits.
  public var archID: String { stableHash(canonicalKey) }
  /// JSON of the config (sorted keys, including `"backbone"`).
  public func jsonString(pretty: Bool = false) -> String {
    let enc = JSONEncoder()
    enc.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    let data = (try? enc.encode(self)) ?? Data()
    return String(decoding: data, as: UTF8.self)
  }
  public var description: String { jsonString() }
}

/// 64-bit FNV-1a of a string, as 16 hex digits (stable across runs and platforms).
public func stableHash(_ s: String) -> String {
  var h: UInt64 = 0xcbf2_9ce4_8422_2325
  for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
  let hex = String(h, radix: 16)
  return String(repeating: "0", count: 16 - hex.count) + hex
}

/// Maps `"backbone"` names to config decoders: the plug-in point for new backbones.
public enum ConfigRegistry {
  public typealias Decode = @Sendable (Data) throws -> any ArchitectureConfig

  nonisolated(unsafe) public static var decoders: [String: Decode] = [
    // one line per backbone:
    GPT2Config.backbone: { try JSONDecoder().decode(GPT2Config.self, from: $0) },
    FlexiBERTConfig.backbone: { try JSONDecoder().decode(FlexiBERTConfig.self, from: $0) },
    RecurrentConfig.backbone: { try JSONDecoder().decode(RecurrentConfig.self, from: $0) },
  ]

  /// Registers a backbone (also usable by programs that import LiteSearch).
  public static func register<C: ArchitectureConfig>(_ type: C.Type) {
    decoders[C.backbone] = { try JSONDecoder().decode(C.self, from: $0) }
  }

  /// Decodes and validates one JSON config. Errors are `ConfigError`s naming the field.
  public static func decode(_ data: Data, file: String? = nil, line: Int? = nil) throws -> any ArchitectureConfig {
    let obj: Any
    do { obj = try JSONSerialization.jsonObject(with: data) } catch {
      throw ConfigError(file: file, line: line, field: "(json)", value: String(decoding: data.prefix(60), as: UTF8.self),
                        rule: "not valid JSON")
    }
    guard let dict = obj as? [String: Any] else {
      throw ConfigError(file: file, line: line, field: "(json)", value: "\(type(of: obj))", rule: "a config must be a JSON object")
    }
    guard let name = dict["backbone"] as? String else {
      throw ConfigError(file: file, line: line, field: "backbone", value: "(missing)",
                        rule: "required; one of \(decoders.keys.sorted().joined(separator: ", "))")
    }
    guard let dec = decoders[name] else {
      throw ConfigError(file: file, line: line, field: "backbone", value: name,
                        rule: "unknown backbone; known: \(decoders.keys.sorted().joined(separator: ", "))")
    }
    do {
      let c = try dec(data)
      try c.validate()
      return c
    } catch let e as ConfigError {
      throw e.located(file: file, line: line)
    } catch let e as DecodingError {
      throw ConfigError.from(e).located(file: file, line: line)
    }
  }

  /// Reads a JSONL file: one config per non-blank line; errors name the file and line.
  public static func decodeLines(path: String) throws -> [any ArchitectureConfig] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ConfigError(file: path, field: "(file)", value: path, rule: "cannot be read")
    }
    var out: [any ArchitectureConfig] = []
    for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let t = line.trimmingCharacters(in: .whitespaces)
      if t.isEmpty { continue }
      out.append(try decode(Data(t.utf8), file: path, line: i + 1))
    }
    return out
  }
}

extension ConfigError {
  /// Converts a Codable error into one naming the field.
  public static func from(_ e: DecodingError) -> ConfigError {
    func path(_ p: [CodingKey]) -> String { p.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") }
    switch e {
    case let .keyNotFound(k, ctx):
      return ConfigError(field: path(ctx.codingPath + [k]), value: "(missing)", rule: "required field")
    case let .typeMismatch(t, ctx):
      return ConfigError(field: path(ctx.codingPath), value: "(wrong type)", rule: "expected \(t)")
    case let .valueNotFound(t, ctx):
      return ConfigError(field: path(ctx.codingPath), value: "null", rule: "expected \(t)")
    case let .dataCorrupted(ctx):
      return ConfigError(field: path(ctx.codingPath), value: "(invalid)", rule: ctx.debugDescription)
    @unknown default:
      return ConfigError(field: "(config)", value: "", rule: "\(e)")
    }
  }
}

/// Helpers for configs that reject unknown keys (typos must not pass silently).
public struct AnyCodingKey: CodingKey {
  public var stringValue: String
  public var intValue: Int?
  public init(stringValue: String) { self.stringValue = stringValue }
  public init?(intValue: Int) { self.stringValue = "\(intValue)"; self.intValue = intValue }
}

extension Decoder {
  /// Throws a `ConfigError` when the object has keys outside `allowed`.
  public func rejectUnknownKeys(_ allowed: Set<String>) throws {
    let c = try container(keyedBy: AnyCodingKey.self)
    for k in c.allKeys where !allowed.contains(k.stringValue) {
      let prefix = codingPath.map(\.stringValue).joined(separator: ".")
      throw ConfigError(field: prefix.isEmpty ? k.stringValue : prefix + "." + k.stringValue, value: "(unknown key)",
                        rule: "not a field of this config; known: \(allowed.sorted().joined(separator: ", "))")
    }
  }
}
