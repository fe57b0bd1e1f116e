import Foundation
import SearchSpaces

/// A CSV file read into rows of named fields, each remembering its 1-based line number.
///
/// RFC 4180 subset: comma-separated, the first line is the header, fields may be double-quoted
/// (with `""` for a quote inside); a quoted field may not span lines. Blank lines are skipped.
public struct CSVTable: Sendable {
  public struct Row: Sendable {
    /// 1-based line of the file.
    public var line: Int
    public var fields: [String: String]
  }

  public var file: String
  public var header: [String]
  public var rows: [Row]

  /// Reads `file`; errors are `BenchmarkError`s naming the file and line.
  public init(file: String) throws {
    guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
      throw BenchmarkError(file: file, detail: "cannot be read")
    }
    try self.init(text: text, file: file)
  }

  public init(text: String, file: String) throws {
    self.file = file
    var header: [String]? = nil
    var rows: [Row] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
      if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
      let cells = try Self.split(String(line), file: file, line: i + 1)
      guard let h = header else {
        header = cells
        continue
      }
      guard cells.count == h.count else {
        throw BenchmarkError(file: file, location: "line \(i + 1)", detail: "has \(cells.count) fields, the header has \(h.count)")
      }
      rows.append(Row(line: i + 1, fields: Dictionary(uniqueKeysWithValues: zip(h, cells).map { ($0, $1) })))
    }
    guard let h = header else { throw BenchmarkError(file: file, detail: "is empty (no header line)") }
    self.header = h
    self.rows = rows
  }

  static func split(_ line: String, file: String, line n: Int) throws -> [String] {
    var out: [String] = [], cur = "", quoted = false, i = line.startIndex
    while i < line.endIndex {
      let ch = line[i]
      if quoted {
        if ch == "\"" {
          let next = line.index(after: i)
          if next < line.endIndex && line[next] == "\"" { cur.append("\""); i = next } else { quoted = false }
        } else { cur.append(ch) }
      } else if ch == "\"" && cur.isEmpty {
        quoted = true
      } else if ch == "," {
        out.append(cur)
        cur = ""
      } else { cur.append(ch) }
      i = line.index(after: i)
    }
    if quoted { throw BenchmarkError(file: file, location: "line \(n)", detail: "unterminated quoted field") }
    out.append(cur)
    return out
  }
}

extension CSVTable.Row {
  /// The raw text of `column`; throws naming file, line and column when the column is missing.
  public func string(_ column: String, file: String) throws -> String {
    guard let v = fields[column] else {
      throw BenchmarkError(file: file, location: "line \(line)", detail: "column \(column) is missing")
    }
    return v.trimmingCharacters(in: .whitespaces)
  }

  public func int(_ column: String, file: String) throws -> Int {
    let s = try string(column, file: file)
    guard let v = Int(s) else {
      throw BenchmarkError(file: file, location: "line \(line)", detail: "\(column) = '\(s)': expected an integer")
    }
    return v
  }

  /// A `|`-joined list of integers (`1071|640|1286`).
  public func intList(_ column: String, file: String) throws -> [Int] {
    let s = try string(column, file: file)
    return try s.split(separator: "|", omittingEmptySubsequences: false).enumerated().map { k, part in
      guard let v = Int(part.trimmingCharacters(in: .whitespaces)) else {
        throw BenchmarkError(file: file, location: "line \(line)",
                             detail: "\(column)[\(k)] = '\(part)' in '\(s)': expected a |-separated list of integers")
      }
      return v
    }
  }
}

/// The LTS tabular benchmark: 200 heterogeneous GPT-2 models (archai `hf_gpt2_flex`) trained on
/// WikiText-103, with their validation perplexity (Javaheripi et al., NeurIPS 2022). See
/// `../shared/data/lts/SOURCES.md`.
///
/// Each CSV row becomes a `GPT2Config`: `n_layer`, `d_model`, the `|`-lists `d_inner` and `n_head`,
/// `div_val`, `d_embed`, `vocab_size = n_token`, `n_positions = tgt_len`, and for `div_val > 1` the
/// `cutoffs` below the vocabulary (archai lists `19997|39997|199997|50264` and drops the ones
/// ≥ n_token itself). The target is `val_ppl`, lower is better. A row with an empty or non-finite
/// `val_ppl` is a failed run: counted in `excluded`, not an error. A row that cannot be read is an
/// error naming the file and line.
public struct LTSGPT2Benchmark: RankingBenchmark {
  public let name = "lts-gpt2-wt103"
  public let targetDescription = "validation perplexity (WikiText-103)"
  public let lowerIsBetter = true
  public let defaultFolder = "lts"
  /// The table inside the folder.
  public static let fileName = "gpt2_wt103.csv"

  public init() {}

  /// `path` is the folder holding `gpt2_wt103.csv` or the CSV itself. No options are used.
  public func load(path: String, options: [String: String] = [:]) throws -> BenchmarkData {
    try rejectLoaderOptions(options, path: path)
    let file = try dataFile(path, fileName: Self.fileName)
    let table = try CSVTable(file: file)
    for col in ["id", "n_layer", "d_model", "d_inner", "n_head", "div_val", "d_embed", "val_ppl", "n_token", "tgt_len"]
    where !table.header.contains(col) {
      throw BenchmarkError(file: file, location: "line 1", detail: "header lacks column \(col)")
    }
    var records: [BenchmarkRecord] = [], excluded: [(id: String, reason: String)] = []
    for row in table.rows {
      let id = try row.string("id", file: file)
      let config = try Self.config(row, file: file)
      let ppl = try row.string("val_ppl", file: file)
      if ppl.isEmpty {
        excluded.append((id, "val_ppl is empty (failed run)"))
        continue
      }
      guard let target = Double(ppl) else {
        throw BenchmarkError(file: file, location: "line \(row.line)", detail: "val_ppl = '\(ppl)': expected a number")
      }
      guard target.isFinite, target > 0 else {
        excluded.append((id, "val_ppl = \(ppl) (failed or diverged run)"))
        continue
      }
      records.append(BenchmarkRecord(id: id, config: config, target: target))
    }
    return BenchmarkData(records: records, excluded: excluded,
                         note: "\(records.count) GPT-2 models (archai hf_gpt2_flex) trained on WikiText-103")
  }

  /// The config of one CSV row, validated; errors name file, line and field.
  public static func config(_ row: CSVTable.Row, file: String) throws -> GPT2Config {
    let vocab = try row.int("n_token", file: file)
    let divVal = try row.int("div_val", file: file)
    var cutoffs: [Int]? = nil
    if divVal > 1, row.fields["cutoffs"].map({ !$0.isEmpty }) ?? false {
      cutoffs = try row.intList("cutoffs", file: file).filter { $0 < vocab }
    }
    let c = GPT2Config(
      nLayer: try row.int("n_layer", file: file), dModel: try row.int("d_model", file: file),
      dInner: try row.intList("d_inner", file: file), nHead: try row.intList("n_head", file: file),
      divVal: divVal, dEmbed: try row.int("d_embed", file: file), vocabSize: vocab,
      nPositions: try row.int("tgt_len", file: file), cutoffs: cutoffs)
    if let dh = row.fields["d_head"].flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }), dh != -1 {
      for (i, h) in c.activeHeads.enumerated() where h * dh != c.dModel {
        throw BenchmarkError(file: file, location: "line \(row.line)",
                             detail: "d_head = \(dh) with n_head[\(i)] = \(h) and d_model = \(c.dModel): only d_head = d_model / n_head is supported")
      }
    }
    do { try c.validate() } catch let e as ConfigError {
      throw BenchmarkError(file: file, location: "line \(row.line)", detail: "\(e.field) = \(e.value): \(e.rule)")
    }
    return c
  }
}
