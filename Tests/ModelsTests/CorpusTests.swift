import Foundation
import Testing
@testable import Models

/// The word-level corpus pipeline: vocabulary order, `<eos>`, line endings, batchify, errors,
/// and the real PTB / WikiText-2 sizes (skipped when the shared data is not there).
@Suite struct CorpusTests {
  /// The shared corpora folder, if present (`LTS_DATA` or ../shared/data, relative to the package).
  static var corporaRoot: String? {
    var candidates = ["../shared/data", "../../shared/data"]
    if let e = ProcessInfo.processInfo.environment["LTS_DATA"] { candidates.insert(e, at: 0) }
    return candidates.map { ($0 as NSString).appendingPathComponent("corpora") }
      .first { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("ptb/test.txt")) }
  }

  func tempCorpus(_ files: [String: String]) throws -> String {
    let dir = (NSTemporaryDirectory() as NSString).appendingPathComponent("lts-corpus-\(UUID().uuidString)")
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: (dir as NSString).appendingPathComponent(name), atomically: true, encoding: .utf8) }
    return dir
  }

  @Test func vocabularyInOrderOfFirstAppearanceWithEOS() throws {
    let dir = try tempCorpus(["train.txt": " the cat \n\tsat on  the mat\r\n\n", "valid.txt": "the dog\rsat", "test.txt": "a  cat  "])
    let c = try Corpus.load(folder: dir)
    #expect(c.words == ["the", "cat", "<eos>", "sat", "on", "mat", "dog", "a"])
    // Blank line → a lone <eos>; \r\n counts once; \r alone ends a line; no final newline still ends a line.
    #expect(c.train == [0, 1, 2, 3, 4, 0, 5, 2, 2])
    #expect(c.valid == [0, 6, 2, 3, 2])
    #expect(c.test == [7, 1, 2])
    #expect(c.vocabularySize == 8)
    // Non-ASCII words and Unicode whitespace (U+00A0 splits, as in Python's str.split()).
    let u = try Corpus.load(folder: try tempCorpus(["train.txt": "café naïve\u{00A0}x\n", "valid.txt": "café\n", "test.txt": "x\n"]))
    #expect(u.words == ["café", "naïve", "x", "<eos>"])
    #expect(u.valid == [0, 3])
  }

  @Test func batchifyDropsTheRemainderAndLaysStreamsInColumns() throws {
    let s = try Corpus.batchify((0..<11).map(Int32.init), streams: 3)
    #expect(s.steps == 3 && s.streams == 3)
    // Streams are the contiguous parts [0,1,2], [3,4,5], [6,7,8]; token 9, 10 dropped.
    #expect(s.ids == [0, 3, 6, 1, 4, 7, 2, 5, 8])
    #expect(s.rows(1, 5) == [1, 4, 7, 2, 5, 8])
    #expect(throws: CorpusError.self) { try Corpus.batchify([1, 2], streams: 3) }
  }

  @Test func missingOrEmptyFileNamesTheFile() throws {
    let noTest = try tempCorpus(["train.txt": "a\n", "valid.txt": "b\n"])
    do { _ = try Corpus.load(folder: noTest); Issue.record("no error") } catch let e as CorpusError {
      #expect(e.description.hasSuffix("test.txt: file is missing"))
    }
    let empty = try tempCorpus(["train.txt": "a\n", "valid.txt": "", "test.txt": "c\n"])
    do { _ = try Corpus.load(folder: empty); Issue.record("no error") } catch let e as CorpusError {
      #expect(e.description.hasSuffix("valid.txt: file is empty"))
    }
    #expect(throws: CorpusError.self) { try Corpus.named("wikitext-103", root: noTest) }
  }

  @Test func realCorporaHaveThePublishedSizes() throws {
    guard let root = Self.corporaRoot else { return }
    let ptb = try Corpus.named("ptb", root: root)
    #expect(ptb.vocabularySize == 10_000)
    #expect([ptb.train.count, ptb.valid.count, ptb.test.count] == [929_589, 73_760, 82_430] as [Int])
    let wt2 = try Corpus.named("wikitext-2", root: root)
    #expect(wt2.vocabularySize == 33_278)
    #expect([wt2.train.count, wt2.valid.count, wt2.test.count] == [2_088_628, 217_646, 245_569] as [Int])
    #expect(wt2.words[Int(wt2.train[0])] == "<eos>")  // WikiText files start with a blank line
    let grid = try Corpus.batchify(wt2.test, streams: 50)
    #expect(grid.steps == 245_569 / 50)
  }
}
