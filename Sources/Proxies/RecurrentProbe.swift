import Foundation
import Models
import SearchSpaces

/// The input that the recurrent-cell proxies (`hidden-cov`, `jacob-cov`) run an untrained model
/// on: the first evaluation batch of a corpus's test split, as NAS-Bench-NLP's `get_batch` cuts it
/// (../shared/data/nasbench_nlp/MODEL.md): the split in `streams` contiguous columns, rows 0…steps−1.
struct RecurrentProbe {
  /// Token ids, row t = step t of every stream: [steps · streams].
  var tokens: [Int32]
  var steps: Int
  var streams: Int
  /// The model's vocabulary: `vocab_size` of the config, else the corpus's.
  var vocabulary: Int

  /// Loads `corpus` (under `context.dataRoot`, see `corporaRoot`) and cuts the batch. `minSteps`:
  /// the fewest steps the proxy can use. Errors name the proxy and the option at fault.
  init(proxy: String, config: RecurrentConfig, corpus name: String, streams: Int, steps wanted: Int,
       minSteps: Int, context: ProxyContext) throws {
    let corpus: Corpus
    do { corpus = try Corpus.named(name, root: Self.corporaRoot(context.dataRoot)) } catch let e as CorpusError {
      throw ProxyError.invalidOption(proxy: proxy, option: "corpus", detail: e.description)
    }
    let vocab = config.vocabSize ?? corpus.vocabularySize
    guard vocab >= corpus.vocabularySize else {
      throw ConfigError(field: "vocab_size", value: "\(vocab)", rule: "smaller than the \(corpus.name) vocabulary (\(corpus.vocabularySize) words)")
    }
    let grid = try Corpus.batchify(corpus.test, streams: streams)
    let steps = min(wanted, grid.steps - 1)  // NAS-Bench-NLP's get_batch: min(bptt, len − 1 − i)
    guard steps >= minSteps else {
      throw ProxyError.invalidOption(proxy: proxy, option: "steps", detail: "the \(corpus.name) test split has only \(grid.steps) steps of \(streams) streams")
    }
    tokens = grid.rows(0, steps)
    self.steps = steps
    self.streams = streams
    vocabulary = vocab
  }

  /// The folder holding `ptb/` and `wikitext-2/`: `dataRoot` itself or its `corpora/`; default
  /// `$LTS_DATA/corpora` or the first `../shared/data/corpora`-style folder that exists.
  static func corporaRoot(_ dataRoot: String?) -> String {
    let fm = FileManager.default
    func pick(_ d: String) -> String {
      let nested = (d as NSString).appendingPathComponent("corpora")
      return fm.fileExists(atPath: nested) ? nested : d
    }
    if let d = dataRoot { return pick(d) }
    if let e = ProcessInfo.processInfo.environment["LTS_DATA"], !e.isEmpty { return pick(e) }
    for c in ["../shared/data", "../../shared/data", "shared/data"] where fm.fileExists(atPath: c) { return pick(c) }
    return "../shared/data/corpora"
  }
}
