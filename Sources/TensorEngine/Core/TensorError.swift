/// Errors raised by tensor operations on bad input: they name the op and the shapes involved.
///
/// Engine invariants (things only a bug in LiteSearch can break) use `precondition`; everything a
/// caller can get wrong with data or configs throws one of these instead.
public enum TensorError: Error, CustomStringConvertible, Equatable {
  /// Shapes that cannot be combined by `op`.
  case shapeMismatch(op: String, shapes: [[Int]], reason: String)
  /// An index (token id, axis, slice bound) outside its valid range.
  case indexOutOfRange(op: String, index: Int, range: Range<Int>, shape: [Int])
  /// A value that must be finite (a loss, a probability) is NaN or infinite.
  case nonFinite(op: String, shape: [Int], detail: String)
  /// Any other invalid argument.
  case invalidArgument(op: String, detail: String)

  public var description: String {
    func s(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
    switch self {
    case let .shapeMismatch(op, shapes, reason):
      return "\(op): incompatible shapes \(shapes.map(s).joined(separator: " and ")): \(reason)"
    case let .indexOutOfRange(op, index, range, shape):
      return "\(op): index \(index) out of range \(range.lowerBound)..<\(range.upperBound) (tensor shape \(s(shape)))"
    case let .nonFinite(op, shape, detail):
      return "\(op): non-finite value in tensor of shape \(s(shape)): \(detail)"
    case let .invalidArgument(op, detail):
      return "\(op): \(detail)"
    }
  }
}
