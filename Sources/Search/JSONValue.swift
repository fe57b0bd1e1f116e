import Foundation

/// Any JSON value, kept exactly: integers stay integers, so configs round-trip unchanged through
/// `candidates.jsonl` and checkpoints.
public enum JSONValue: Codable, Sendable, Hashable, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
  ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
  case null
  case bool(Bool)
  case int(Int)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([String: JSONValue])

  public init(integerLiteral v: Int) { self = .int(v) }
  public init(floatLiteral v: Double) { self = .double(v) }
  public init(stringLiteral v: String) { self = .string(v) }
  public init(booleanLiteral v: Bool) { self = .bool(v) }
  public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
  public init(dictionaryLiteral elements: (String, JSONValue)...) {
    self = .object(Dictionary(elements, uniquingKeysWith: { _, b in b }))
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .null: try c.encodeNil()
    case let .bool(b): try c.encode(b)
    case let .int(i): try c.encode(i)
    case let .double(d): try c.encode(d)
    case let .string(s): try c.encode(s)
    case let .array(a): try c.encode(a)
    case let .object(o): try c.encode(o)
    }
  }

  /// The number, if this is one.
  public var number: Double? {
    switch self {
    case let .int(i): return Double(i)
    case let .double(d): return d
    default: return nil
    }
  }

  /// The JSON form of any `Encodable` value.
  public init<T: Encodable>(encoding value: T) throws {
    self = try JSONCoding.decoder.decode(JSONValue.self, from: JSONCoding.encoder.encode(value))
  }

  /// Decodes this value as `T`.
  public func decode<T: Decodable>(as type: T.Type) throws -> T {
    try JSONCoding.decoder.decode(T.self, from: JSONCoding.encoder.encode(self))
  }

  /// Compact JSON text with sorted keys.
  public var jsonString: String { (try? String(decoding: JSONCoding.encoder.encode(self), as: UTF8.self)) ?? "null" }
}

/// The one encoder / decoder configuration of search files: sorted keys, no escaped slashes,
/// non-finite numbers written as the strings "inf", "-inf", "nan" (JSON has no such numbers).
enum JSONCoding {
  static var encoder: JSONEncoder {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return e
  }
  static var prettyEncoder: JSONEncoder {
    let e = encoder
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
    return e
  }
  static var decoder: JSONDecoder {
    let d = JSONDecoder()
    d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return d
  }
}
