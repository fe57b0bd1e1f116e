/// A config or space that cannot be used, with enough context to fix it: the file (and line for
/// JSONL), the field, the offending value and the rule it breaks.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
  public var file: String?
  public var line: Int?
  public var field: String
  public var value: String
  public var rule: String

  public init(file: String? = nil, line: Int? = nil, field: String, value: String, rule: String) {
    self.file = file
    self.line = line
    self.field = field
    self.value = value
    self.rule = rule
  }

  /// The same error, located in a file (and line).
  public func located(file: String?, line: Int? = nil) -> ConfigError {
    var e = self
    e.file = e.file ?? file
    e.line = e.line ?? line
    return e
  }

  public var description: String {
    var where_ = ""
    if let f = file { where_ += f }
    if let l = line { where_ += (where_.isEmpty ? "line " : ":") + "\(l)" }
    if !where_.isEmpty { where_ += ": " }
    return "\(where_)\(field) = \(value): \(rule)"
  }
}
