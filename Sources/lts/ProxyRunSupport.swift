import ArgumentParser
import Benchmarks
import Foundation
import Proxies
import SearchSpaces

/// Proxy selection and settings shared by `lts score` and `lts rank`.
///
/// Every per-proxy setting ends up in `ProxyContext.options`; the convenience flags (`--layer`,
/// `--corpus`, `--batch`, `--steps`, `--no-step0`, `--alpha`) simply set the option of that name,
/// and `--option k=v` sets any other. A proxy ignores the options it does not read.
struct ProxyRunOptions: ParsableArguments {
  @Option(help: ArgumentHelp("Comma-separated proxies (\(ProxyRegistry.all.keys.sorted().joined(separator: ", "))).",
                             valueName: "a,b,…"))
  var proxies: String

  @Option(help: "Seed of weight initialisation and sampling (and of the bootstrap in `lts rank`).")
  var seed: UInt64 = 0

  @Option(help: ArgumentHelp("Directory holding the corpora (ptb/, wikitext-2/), or the shared data root holding corpora/.",
                             valueName: "dir"))
  var dataRoot: String?

  @Option(name: .customLong("option"), help: ArgumentHelp("A per-proxy option key=value (repeatable), e.g. layer=2.", valueName: "k=v"))
  var options: [String] = []

  @Option(help: "Sequence length for proxies that run the model (sets the context, and option seq_len).")
  var seqLen: Int?
  @Option(help: "Layer to read (sets option layer).")
  var layer: Int?
  @Option(help: "Corpus, e.g. ptb or wikitext-2 (sets option corpus).")
  var corpus: String?
  @Option(help: "Batch size / number of streams (sets option batch and the context batch).")
  var batch: Int?
  @Option(help: "Steps of input to run (sets option steps).")
  var steps: Int?
  @Flag(name: .customLong("no-step0"), help: "Drop the initial (step-0) state (sets option no_step0=true).")
  var noStep0 = false
  @Option(help: "Balance factor α (sets option alpha).")
  var alpha: Double?

  /// The proxies named by `--proxies`, in order, without duplicates.
  func resolvedProxies() throws -> [any Proxy] {
    let list = try ProxyRegistry.parse(proxies)
    guard !list.isEmpty else { throw ValidationError("--proxies: give at least one proxy name") }
    var seen = Set<String>()
    for p in list where !seen.insert(p.name).inserted {
      throw ValidationError("--proxies: \(p.name) is listed twice")
    }
    return list
  }

  /// `--option` pairs and convenience flags as one dictionary (flags win over `--option`).
  func optionDictionary() throws -> [String: String] {
    var d: [String: String] = [:]
    for kv in options {
      guard let eq = kv.firstIndex(of: "="), eq != kv.startIndex else {
        throw ValidationError("--option \(kv): expected key=value")
      }
      d[String(kv[..<eq]).trimmingCharacters(in: .whitespaces)] = String(kv[kv.index(after: eq)...]).trimmingCharacters(in: .whitespaces)
    }
    if let v = seqLen { d["seq_len"] = "\(v)" }
    if let v = layer { d["layer"] = "\(v)" }
    if let v = corpus { d["corpus"] = v }
    if let v = batch { d["batch"] = "\(v)" }
    if let v = steps { d["steps"] = "\(v)" }
    if noStep0 { d["no_step0"] = "true" }
    if let v = alpha { d["alpha"] = "\(v)" }
    return d
  }

  /// The proxy context: seed, corpora folder, options (over `defaults`), sequence length and batch.
  func context(defaults: [String: String] = [:]) throws -> ProxyContext {
    var ctx = ProxyContext(seed: seed)
    let opts = try optionDictionary()
    ctx.options = defaults.merging(opts) { _, user in user }
    if let s = ctx.options["seq_len"] {
      guard let v = Int(s), v >= 1 else { throw ValidationError("seq_len = \(s): expected an integer ≥ 1") }
      ctx.seqLen = v
    }
    if let s = ctx.options["batch"] {
      guard let v = Int(s), v >= 1 else { throw ValidationError("batch = \(s): expected an integer ≥ 1") }
      ctx.batch = v
    }
    ctx.dataRoot = Self.corporaFolder(dataRoot)
    return ctx
  }

  /// `dir` itself, or `dir/corpora` when that is where the corpora are; default
  /// `<shared data root>/corpora`.
  static func corporaFolder(_ dir: String?) -> String {
    let fm = FileManager.default
    guard let dir else { return (BenchmarkRegistry.defaultDataRoot() as NSString).appendingPathComponent("corpora") }
    let nested = (dir as NSString).appendingPathComponent("corpora")
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: nested, isDirectory: &isDir), isDir.boolValue { return nested }
    return dir
  }

  func validate() throws {
    _ = try optionDictionary()
    if let v = seqLen, v < 1 { throw ValidationError("--seq-len must be ≥ 1 (got \(v))") }
    if let v = batch, v < 1 { throw ValidationError("--batch must be ≥ 1 (got \(v))") }
    if let v = steps, v < 1 { throw ValidationError("--steps must be ≥ 1 (got \(v))") }
  }
}

/// Progress of `total` items on stderr (the shared `ProgressBar`), silent for runs that finish
/// within `quietFor` seconds.
final class StderrProgress {
  let label: String
  let total: Int
  let quietFor: Double
  let start = DispatchTime.now().uptimeNanoseconds
  let bar = ProgressBar()
  var drawn = false

  init(_ label: String, total: Int, quietFor: Double = 1) {
    self.label = label
    self.total = total
    self.quietFor = quietFor
  }

  var elapsed: Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

  /// Reports `done` of `total` items.
  func update(_ done: Int) {
    let now = elapsed
    let finished = done >= total
    guard now >= quietFor || (drawn && finished) else { return }
    drawn = true
    let frac = total > 0 ? Double(done) / Double(total) : 1
    bar.update(fraction: frac, text: "\(label) \(done)/\(total)", elapsed: now,
               eta: done > 0 ? now / Double(done) * Double(total - done) : nil)
    if finished { bar.finish() }
  }
}
