// Plain aligned text tables for the terminal (e.g. the frontier printed after `lts search`).

/// Renders rows as a fixed-width text table: header, dashed rule, one line per row.
public enum TerminalTable {
  /// The table as lines joined by `\n` (with a trailing newline). Each column is as wide as its
  /// widest cell; columns whose cells all look numeric are right-aligned, others left-aligned.
  /// Short rows are padded with empty cells; extra cells are ignored.
  ///
  ///     arch_id  n_layer  latency_ms
  ///     -------  -------  ----------
  ///     a1b2           6        4.21
  public static func render(columns: [String], rows: [[String]]) -> String {
    let cells = rows.map { row in (0..<columns.count).map { $0 < row.count ? sanitize(row[$0]) : "" } }
    let header = columns.map(sanitize)
    let widths = header.indices.map { column in
      max(header[column].count, cells.map { $0[column].count }.max() ?? 0)
    }
    let numeric = header.indices.map { column in
      !cells.isEmpty && cells.allSatisfy { $0[column].isEmpty || looksNumeric($0[column]) }
    }
    func line(_ row: [String]) -> String {
      row.indices.map { column in
        let padding = String(repeating: " ", count: widths[column] - row[column].count)
        return numeric[column] ? padding + row[column] : row[column] + padding
      }.joined(separator: "  ").trimmingTrailingSpaces()
    }
    var lines = [line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
    lines += cells.map(line)
    return lines.joined(separator: "\n") + "\n"
  }

  /// The same table from keyed rows (as `ReportData.frontRows`); a missing key is an empty cell.
  public static func render(columns: [String], rows: [[String: String]]) -> String {
    render(columns: columns, rows: rows.map { row in columns.map { row[$0] ?? "" } })
  }

  /// Whether `text` reads as a number, optionally with an SI suffix or `%` (`"12.3M"`, `"-4"`, `"7%"`).
  static func looksNumeric(_ text: String) -> Bool {
    var body = Substring(text)
    if let last = body.last, "kMGT%".contains(last) { body = body.dropLast() }
    return !body.isEmpty && Double(body) != nil
  }

  /// Newlines and tabs would break the alignment; they become spaces.
  static func sanitize(_ text: String) -> String {
    String(text.map { $0 == "\n" || $0 == "\t" || $0 == "\r" ? " " : $0 })
  }
}

extension String {
  /// The string without trailing spaces.
  func trimmingTrailingSpaces() -> String {
    var result = self
    while result.hasSuffix(" ") { result.removeLast() }
    return result
  }
}
