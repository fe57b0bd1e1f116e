import Foundation
import SearchSpaces
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A proposed, not yet evaluated candidate, as stored in the checkpoint.
struct PendingCandidate: Codable, Sendable, Equatable {
  var config: JSONValue
  var key: String
  var origin: String
  var parents: [String]
}

/// Algorithm-specific state carried across iterations (kept in one concrete type so that it is
/// checkpointed with the rest).
public struct StrategyState: Codable, Sendable, Equatable {
  /// Times each archid was chosen as a parent (evolution: rarely chosen points are preferred).
  public var selectionCounts: [String: Int] = [:]
  /// archids of the current parent population (NSGA-II).
  public var population: [String] = []

  public init() {}

  enum CodingKeys: String, CodingKey { case selectionCounts = "selection_counts", population }
}

/// `state.json`: everything needed to continue a search exactly where its last iteration ended.
struct Checkpoint: Codable, Sendable {
  var version = 1
  var algorithm: String
  var spaceKey: String
  var settings: SearchSettings
  /// The iteration in progress (0 = initial population).
  var iteration: Int
  /// Whether `pending` holds this iteration's population (its proposal has drawn from the RNG).
  var proposed: Bool
  /// The population of `iteration`, in evaluation order (the part already evaluated is found in
  /// candidates.jsonl and reused).
  var pending: [PendingCandidate]
  /// RNG state after proposing `pending`.
  var rng: SplitMix64
  var strategy: StrategyState
  /// Records in candidates.jsonl when the checkpoint was written.
  var evaluated: Int = 0

  enum CodingKeys: String, CodingKey {
    case version, algorithm, spaceKey = "space", settings, iteration, proposed, pending, rng, strategy, evaluated
  }
}

/// The output directory of a search: `candidates.jsonl` (append-only, flushed per candidate) and
/// `state.json` (rewritten atomically after every iteration).
public struct SearchStore: Sendable {
  public let directory: String
  public var candidatesPath: String { (directory as NSString).appendingPathComponent("candidates.jsonl") }
  public var statePath: String { (directory as NSString).appendingPathComponent("state.json") }

  public init(directory: String) { self.directory = directory }

  /// Creates the directory if needed and proves it writable, before any work starts. A fresh run
  /// refuses a directory holding an earlier search unless `overwrite` (which deletes its files).
  func prepare(fresh: Bool, overwrite: Bool) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isDir) {
      guard isDir.boolValue else { throw SearchError.outputNotWritable(path: directory, reason: "exists and is not a directory") }
    } else {
      do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
        throw SearchError.outputNotWritable(path: directory, reason: "cannot create it: \(error.localizedDescription)")
      }
    }
    let probe = (directory as NSString).appendingPathComponent(".lts-write-test-\(getpid())")
    guard fm.createFile(atPath: probe, contents: Data("ok".utf8)) else {
      throw SearchError.outputNotWritable(path: directory, reason: "cannot create files in it")
    }
    try? fm.removeItem(atPath: probe)
    if fresh {
      let existing = [candidatesPath, statePath].filter { fm.fileExists(atPath: $0) }
      if !existing.isEmpty {
        guard overwrite else { throw SearchError.outputNotEmpty(path: directory) }
        for p in existing { try? fm.removeItem(atPath: p) }
      }
      guard fm.createFile(atPath: candidatesPath, contents: Data()) else {
        throw SearchError.outputNotWritable(path: candidatesPath, reason: "cannot create it")
      }
    }
  }

  /// Writes `state.json` atomically: a synced temp file renamed over the old one.
  func writeCheckpoint(_ cp: Checkpoint) throws {
    let data: Data
    do { data = try JSONCoding.prettyEncoder.encode(cp) } catch {
      throw SearchError.writeFailed(path: statePath, reason: "\(error)")
    }
    let tmp = statePath + ".tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: nil), let h = FileHandle(forWritingAtPath: tmp) else {
      throw SearchError.writeFailed(path: tmp, reason: "cannot create it")
    }
    do {
      try h.write(contentsOf: data)
      try h.synchronize()
      try h.close()
    } catch { throw SearchError.writeFailed(path: tmp, reason: "\(error)") }
    guard rename(tmp, statePath) == 0 else {
      throw SearchError.writeFailed(path: statePath, reason: String(cString: strerror(errno)))
    }
  }

  func readCheckpoint() throws -> Checkpoint {
    guard let data = FileManager.default.contents(atPath: statePath) else { throw SearchError.noCheckpoint(path: directory) }
    do { return try JSONCoding.decoder.decode(Checkpoint.self, from: data) } catch {
      throw SearchError.corruptCheckpoint(path: statePath, reason: "\(error)")
    }
  }

  /// The settings and algorithm of the search saved in this directory (to rebuild the searcher
  /// for `resume` without the user repeating the options).
  public func savedSettings() throws -> (algorithm: String, settings: SearchSettings, spaceKey: String) {
    let cp = try readCheckpoint()
    return (cp.algorithm, cp.settings, cp.spaceKey)
  }

  /// Reads every complete record. A last line cut short by a kill is dropped (and, with
  /// `repair`, cut from the file so appends start on a fresh line); the warning says so. Anything
  /// else unreadable is an error naming the line.
  public func readCandidates(objectives: [Objective], repair: Bool = true) throws -> (records: [CandidateRecord], warnings: [String]) {
    guard let data = FileManager.default.contents(atPath: candidatesPath) else { return ([], []) }
    let dec = JSONCoding.decoder
    dec.userInfo[CandidateRecord.objectivesKey] = objectives.map(\.name)
    var records: [CandidateRecord] = []
    var warnings: [String] = []
    var start = data.startIndex
    var lineNo = 0
    var goodEnd = data.startIndex
    while start < data.endIndex {
      lineNo += 1
      let nl = data[start...].firstIndex(of: UInt8(ascii: "\n"))
      let end = nl ?? data.endIndex
      let line = data[start..<end]
      let isLast = nl == nil || nl! + 1 >= data.endIndex
      if !line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
        do {
          guard nl != nil else { throw SearchError.corruptCandidates(path: candidatesPath, line: lineNo, reason: "no newline") }
          var r = try dec.decode(CandidateRecord.self, from: line)
          guard r.index == records.count else {
            throw SearchError.corruptCandidates(path: candidatesPath, line: lineNo, reason: "index \(r.index), expected \(records.count)")
          }
          if r.values.isEmpty && r.error == nil { r.error = "no values" }
          records.append(r)
        } catch {
          guard isLast else {
            if let e = error as? SearchError { throw e }
            throw SearchError.corruptCandidates(path: candidatesPath, line: lineNo, reason: "\(error)")
          }
          warnings.append("\(candidatesPath):\(lineNo): dropped an incomplete last line (\(line.count) bytes, the run was interrupted while writing it); that candidate will be evaluated again")
          break
        }
      }
      goodEnd = nl.map { $0 + 1 } ?? end
      start = goodEnd
    }
    if repair, !warnings.isEmpty, let h = FileHandle(forWritingAtPath: candidatesPath) {
      // Cut the torn tail so the next append starts on its own line.
      try? h.truncate(atOffset: UInt64(goodEnd - data.startIndex))
      try? h.synchronize()
      try? h.close()
    }
    return (records, warnings)
  }
}

/// Appends candidate records to `candidates.jsonl`, one line each, written at once (and synced
/// to disk at once unless `SearchSettings.durability` is `.flush`).
final class CandidateLog {
  let path: String
  let handle: FileHandle
  let encoder: JSONEncoder

  let sync: Bool

  init(path: String, objectives: [Objective], sync: Bool) throws {
    self.path = path
    self.sync = sync
    guard let h = FileHandle(forWritingAtPath: path) else { throw SearchError.outputNotWritable(path: path, reason: "cannot open it for appending") }
    handle = h
    encoder = JSONCoding.encoder
    encoder.userInfo[CandidateRecord.objectivesKey] = objectives.map(\.name)
    do { try handle.seekToEnd() } catch { throw SearchError.writeFailed(path: path, reason: "\(error)") }
  }

  func append(_ r: CandidateRecord) throws {
    do {
      var line = try encoder.encode(r)
      line.append(UInt8(ascii: "\n"))
      try handle.write(contentsOf: line)
      if sync { try handle.synchronize() }
    } catch { throw SearchError.writeFailed(path: path, reason: "\(error)") }
  }

  /// Syncs everything appended so far to disk.
  func synchronize() throws {
    do { try handle.synchronize() } catch { throw SearchError.writeFailed(path: path, reason: "\(error)") }
  }

  deinit { try? handle.close() }
}
