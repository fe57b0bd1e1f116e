// Number formatting (SI prefixes), "nice" axis ticks and HTML escaping shared by the report parts.
import Foundation

/// SI-style number formatting: `12.3M`, `4.56`, `0.0123`; three significant digits.
public enum NumberFormat {
  /// SI prefixes for values of 1e3 and up.
  static let prefixes: [(scale: Double, symbol: String)] = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]

  /// `value` with three significant digits and an SI prefix when |value| ≥ 1000 (trailing zeros
  /// dropped): `12_345_678 → "12.3M"`, `1500 → "1.5k"`, `4.567 → "4.57"`, `0.01234 → "0.0123"`.
  public static func si(_ value: Double) -> String {
    guard value.isFinite else { return value.isNaN ? "NaN" : (value > 0 ? "inf" : "-inf") }
    if value == 0 { return "0" }
    let magnitude = abs(value)
    for (index, prefix) in prefixes.enumerated() where magnitude >= prefix.scale * 0.9995 {
      let text = significant(value / prefix.scale)
      // Rounding up to 1000 of this prefix reads better as 1 of the next one.
      if abs(Double(text) ?? 0) >= 1000, index > 0 {
        return significant(value / prefixes[index - 1].scale) + prefixes[index - 1].symbol
      }
      return text + prefix.symbol
    }
    if magnitude < 1e-3 { return String(format: "%.2e", value) }
    return significant(value)
  }

  /// Three significant digits, fixed notation, trailing zeros removed.
  static func significant(_ value: Double) -> String {
    let magnitude = abs(value)
    let decimals = magnitude >= 100 ? 0 : max(0, 2 - Int(floor(log10(magnitude))))
    return trimZeros(String(format: "%.\(decimals)f", value))
  }

  /// Drops trailing zeros after a decimal point (`"12.50" → "12.5"`, `"3.00" → "3"`).
  static func trimZeros(_ text: String) -> String {
    guard text.contains("."), !text.contains("e") else { return text }
    var result = text
    while result.hasSuffix("0") { result.removeLast() }
    if result.hasSuffix(".") { result.removeLast() }
    return result == "-0" ? "0" : result
  }

  /// Labels for evenly spaced tick values: one SI prefix for the whole axis (chosen by the largest
  /// magnitude) and just enough decimals to tell neighbouring ticks apart.
  public static func tickLabels(_ ticks: [Double], step: Double) -> [String] {
    let largest = ticks.map(abs).max() ?? 0
    guard largest > 0, step > 0, step.isFinite else { return ticks.map { si($0) } }
    if largest < 1e-3 { return ticks.map { $0 == 0 ? "0" : String(format: "%.1e", $0) } }
    let prefix = prefixes.first { largest >= $0.scale } ?? (1, "")
    let decimals = max(0, -Int(floor(log10(step / prefix.scale) + 1e-9)))
    return ticks.map { tick in
      let text = String(format: "%.\(decimals)f", tick / prefix.scale)
      let clean = (text.hasPrefix("-") && Double(text) == 0) ? String(text.dropFirst()) : text
      return clean == "0" || Double(clean) == 0 ? "0" : clean + prefix.symbol
    }
  }
}

/// An axis range rounded outward to "nice" tick values (1, 2 or 5 × 10ᵏ steps).
public struct NiceScale: Sendable, Equatable {
  /// Lower end of the axis (the first tick).
  public var lower: Double
  /// Upper end of the axis (the last tick).
  public var upper: Double
  /// Distance between ticks.
  public var step: Double

  /// A scale with explicit ends and step (`upper - lower` should be a multiple of `step`).
  public init(lower: Double, upper: Double, step: Double) {
    self.lower = lower
    self.upper = upper
    self.step = step
  }

  /// A scale covering `minimum…maximum` with about `targetTicks` ticks. Equal ends are widened
  /// (by 5% of the value, or ±1 around zero) so the range is never empty. A 2% margin keeps points
  /// off the axis lines, except that a non-negative range never gets a negative lower end.
  public init(minimum: Double, maximum: Double, targetTicks: Int = 5) {
    var low = minimum.isFinite ? minimum : 0
    var high = maximum.isFinite ? maximum : low
    if high < low { swap(&low, &high) }
    if high - low <= abs(high) * 1e-12 {
      let widen = low == 0 ? 1 : abs(low) * 0.05
      low -= widen
      high += widen
    } else {
      let margin = (high - low) * 0.02
      low = (minimum >= 0 && low - margin < 0) ? 0 : low - margin
      high += margin
    }
    let step = NiceScale.niceNumber((high - low) / Double(max(1, targetTicks - 1)), round: true)
    self.step = step
    self.lower = floor(low / step) * step
    self.upper = ceil(high / step) * step
    if self.upper <= self.lower { self.upper = self.lower + step }
  }

  /// The tick values from `lower` to `upper` (computed from the index, so no drift accumulates).
  public var ticks: [Double] {
    let count = Int(((upper - lower) / step).rounded()) + 1
    return (0..<max(count, 1)).map { index in
      let value = lower + Double(index) * step
      return abs(value) < step * 1e-9 ? 0 : value
    }
  }

  /// Position of `value` mapped linearly from this range onto `from…to` (screen coordinates).
  public func map(_ value: Double, from start: Double, to end: Double) -> Double {
    start + (value - lower) / (upper - lower) * (end - start)
  }

  /// The nice number (1, 2, 5 or 10 × 10ᵏ) nearest to `value` (`round`) or not below it.
  static func niceNumber(_ value: Double, round: Bool) -> Double {
    guard value > 0, value.isFinite else { return 1 }
    let exponent = floor(log10(value))
    let fraction = value / pow(10, exponent)
    let nice: Double
    if round {
      nice = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
    } else {
      nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10
    }
    return nice * pow(10, exponent)
  }
}

/// HTML / SVG text escaping.
public enum HTML {
  /// `text` with `& < > " '` replaced by entities, safe in element content and quoted attributes.
  public static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }
}
