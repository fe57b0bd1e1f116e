import Foundation
import Synchronization

/// A word-level language-modelling corpus (PTB, WikiText-2) read as NAS-Bench-NLP / AWD-LSTM /
/// PyTorch `word_language_model` read it: `train.txt`, `valid.txt`, `test.txt` in that order, each
/// line split on whitespace plus an `<eos>` token, word ids in order of first appearance.
///
/// Tokenising works on UTF-8 bytes (ASCII whitespace separates words, as Python's `str.split()`
/// does; a token holding non-ASCII bytes is re-split on Unicode whitespace). Lines end at `\n`,
/// `\r\n` or `\r` (Python's universal newlines).
public struct Corpus: Sendable {
  /// One of the three files.
  public enum Split: String, Sendable, CaseIterable { case train, valid, test }

  /// Folder name, e.g. `wikitext-2`.
  public let name: String
  /// Words by id.
  public let words: [String]
  public let train: [Int32]
  public let valid: [Int32]
  public let test: [Int32]

  /// Vocabulary size (PTB 10,000; WikiText-2 33,278).
  public var vocabularySize: Int { words.count }

  /// Token ids of a split.
  public func ids(_ split: Split) -> [Int32] {
    switch split {
    case .train: return train
    case .valid: return valid
    case .test: return test
    }
  }

  /// Corpora that `named(_:dataRoot:)` knows (folder names under the corpora root).
  public static let known = ["ptb", "wikitext-2"]

  private static let cache = Mutex<[String: Corpus]>([:])

  /// `<root>/<name>` read once per process (later calls return the cached corpus).
  /// `root` is the folder holding `ptb/` and `wikitext-2/`.
  public static func named(_ name: String, root: String) throws -> Corpus {
    guard known.contains(name) else {
      throw CorpusError(file: name, detail: "unknown corpus; known: \(known.joined(separator: ", "))")
    }
    let folder = (root as NSString).appendingPathComponent(name)
    if let c = cache.withLock({ $0[folder] }) { return c }
    let c = try load(folder: folder)
    cache.withLock { $0[folder] = c }
    return c
  }

  /// Reads `folder/{train,valid,test}.txt`; a missing or empty file is an error naming it.
  public static func load(folder: String) throws -> Corpus {
    var vocab = WordTable()
    var splits: [[Int32]] = []
    for s in Split.allCases {
      let path = (folder as NSString).appendingPathComponent("\(s.rawValue).txt")
      guard FileManager.default.fileExists(atPath: path) else { throw CorpusError(file: path, detail: "file is missing") }
      guard let data = FileManager.default.contents(atPath: path) else { throw CorpusError(file: path, detail: "cannot be read") }
      let ids = tokenize(data, into: &vocab)
      guard !data.isEmpty, ids.count > 0 else { throw CorpusError(file: path, detail: "file is empty") }
      splits.append(ids)
    }
    return Corpus(name: (folder as NSString).lastPathComponent, words: vocab.words,
                  train: splits[0], valid: splits[1], test: splits[2])
  }

  /// Tokenises one file's bytes, adding new words to `vocab`; returns the ids.
  static func tokenize(_ data: Data, into vocab: inout WordTable) -> [Int32] {
    var ids: [Int32] = []
    ids.reserveCapacity(data.count / 5)
    let eos = Array("<eos>".utf8)
    data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
      let p = raw.bindMemory(to: UInt8.self)
      let n = p.count
      var i = 0
      while i < n {
        // One line: [i, end) without its terminator.
        var end = i
        while end < n && p[end] != 0x0A && p[end] != 0x0D { end += 1 }
        var j = i
        while j < end {
          while j < end && isSpace(p[j]) { j += 1 }
          let start = j
          var ascii = true
          while j < end && !isSpace(p[j]) { ascii = ascii && p[j] < 0x80; j += 1 }
          if j > start {
            let word = UnsafeBufferPointer(rebasing: p[start..<j])
            if ascii {
              ids.append(vocab.id(word))
            } else {
              for w in String(decoding: word, as: UTF8.self).split(whereSeparator: \.isWhitespace) {
                ids.append(Array(w.utf8).withUnsafeBufferPointer { vocab.id($0) })
              }
            }
          }
        }
        eos.withUnsafeBufferPointer { ids.append(vocab.id($0)) }
        // Skip the terminator (\r\n counts once).
        if end < n && p[end] == 0x0D && end + 1 < n && p[end + 1] == 0x0A { end += 1 }
        i = end + 1
      }
    }
    return ids
  }

  @inline(__always) static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F) }

  /// Splits `ids` into `streams` equal contiguous parts (the remainder is dropped), one column per
  /// part: the (steps × streams) array NAS-Bench-NLP's `batchify` makes.
  public static func batchify(_ ids: [Int32], streams: Int) throws -> TokenStreams {
    guard streams >= 1 else { throw CorpusError(file: "(streams)", detail: "streams must be ≥ 1, got \(streams)") }
    let steps = ids.count / streams
    guard steps >= 1 else {
      throw CorpusError(file: "(streams)", detail: "\(ids.count) tokens cannot fill \(streams) streams")
    }
    var grid = [Int32](repeating: 0, count: steps * streams)
    for b in 0..<streams {
      for t in 0..<steps { grid[t * streams + b] = ids[b * steps + t] }
    }
    return TokenStreams(steps: steps, streams: streams, ids: grid)
  }
}

/// Token ids laid out as (steps × streams), row-major: row t holds step t of every stream.
public struct TokenStreams: Sendable {
  public let steps: Int
  public let streams: Int
  public let ids: [Int32]

  /// Rows `start ..< start + count` (clipped to the data) as a flat (count × streams) array.
  public func rows(_ start: Int, _ count: Int) -> [Int32] {
    let hi = min(steps, start + count)
    guard start < hi else { return [] }
    return Array(ids[(start * streams)..<(hi * streams)])
  }
}

/// A missing, unreadable or empty corpus file (or a bad request), naming the file.
public struct CorpusError: Error, CustomStringConvertible, Sendable {
  public var file: String
  public var detail: String
  public var description: String { "\(file): \(detail)" }
}

/// Open-addressing hash table from word bytes to ids (FNV-1a), avoiding a `String` per token.
struct WordTable {
  private(set) var words: [String] = []
  private var bytes: [UInt8] = []
  private var spans: [(start: Int, count: Int)] = []
  private var slots = [Int32](repeating: -1, count: 1 << 16)

  mutating func id(_ w: UnsafeBufferPointer<UInt8>) -> Int32 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in w { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    var mask = slots.count - 1
    var s = Int(truncatingIfNeeded: h) & mask
    while true {
      let id = slots[s]
      if id < 0 { break }
      let sp = spans[Int(id)]
      if sp.count == w.count && bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress! + sp.start, w.baseAddress!, w.count) == 0 }) {
        return id
      }
      s = (s + 1) & mask
    }
    let id = Int32(words.count)
    spans.append((bytes.count, w.count))
    bytes.append(contentsOf: w)
    words.append(String(decoding: w, as: UTF8.self))
    slots[s] = id
    if words.count * 2 > slots.count {
      // Grow and rehash.
      slots = [Int32](repeating: -1, count: slots.count * 2)
      mask = slots.count - 1
      for (k, sp) in spans.enumerated() {
        var hh: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in 0..<sp.count { hh = (hh ^ UInt64(bytes[sp.start + i])) &* 0x100_0000_01b3 }
        var t = Int(truncatingIfNeeded: hh) & mask
        while slots[t] >= 0 { t = (t + 1) & mask }
        slots[t] = Int32(k)
      }
    }
    return id
  }
}
