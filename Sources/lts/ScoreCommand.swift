import ArgumentParser
import Benchmarks
import Foundation
import Proxies
import SearchSpaces

/// `lts score --configs FILE.jsonl --proxies a,b,…`: proxy values of the user's own configs.
struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "score",
    abstract: "Score configs (one JSON object per line) with training-free proxies.",
    discussion: """
      Writes one JSON line per config: {"line": n, "arch_id": …, "backbone": …, "<proxy>": value or null, \
      "<proxy>_undefined": reason (only when undefined), "<proxy>_seconds": wall time}. Values are as \
      published (see each proxy's direction). Every line is decoded and validated, and every proxy checked \
      against its backbone, before any proxy runs: a bad line gives a one-line error naming file:line and \
      the field, exit code 2, and nothing is written. With --out the lines go to a temporary file beside \
      it (flushed per line) that is renamed to --out when every config is scored.
      """)

  @Option(help: ArgumentHelp("Configs, one JSON object per line (blank lines skipped).", valueName: "file.jsonl"))
  var configs: String
  @OptionGroup var proxyRun: ProxyRunOptions
  @Option(help: ArgumentHelp("Write the JSON lines here instead of stdout.", valueName: "file"))
  var out: String?

  /// One decoded config and the line it came from.
  struct Item {
    var line: Int
    var config: any ArchitectureConfig
  }

  /// Decodes every non-blank line; the first bad one throws a `ConfigError` naming file:line.
  static func readItems(path: String) throws -> [Item] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw ConfigError(file: path, field: "(file)", value: path, rule: "cannot be read")
    }
    var items: [Item] = []
    for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
      if t.isEmpty { continue }
      items.append(Item(line: i + 1, config: try ConfigRegistry.decode(Data(t.utf8), file: path, line: i + 1)))
    }
    return items
  }

  /// The JSON line of one scored config.
  static func jsonLine(_ item: Item, proxies: [any Proxy], results: [ProxyResult]) -> String {
    var o = JSONLine()
    o["line"] = .int(item.line)
    o["arch_id"] = .string(item.config.archID)
    o["backbone"] = .string(item.config.backbone)
    for (p, r) in zip(proxies, results) {
      o[p.name] = .number(r.value)
      if r.value == nil { o[p.name + "_undefined"] = .string(r.undefinedReason ?? "undefined") }
      o[p.name + "_seconds"] = .number(r.seconds)
    }
    return o.text
  }

  func run() throws {
    let proxies = try userFacing { try proxyRun.resolvedProxies() }
    let ctx = try proxyRun.context()
    let items = try userFacing { try Self.readItems(path: configs) }
    for it in items {
      for p in proxies where !p.supports(backbone: it.config.backbone) {
        printErr("error: \(configs):\(it.line): backbone = \(it.config.backbone): proxy \(p.name) does not support it")
        throw ExitCode(2)
      }
    }
    let sink = try userFacing { try LineSink(out: out) }
    let progress = StderrProgress("score", total: items.count * proxies.count)
    var done = 0
    do {
      for it in items {
        var results: [ProxyResult] = []
        for p in proxies {
          do { results.append(try p.score(it.config, context: ctx)) } catch {
            throw ScoreFailure(text: "\(configs):\(it.line): \(p.describe(error))",
                               badInput: error is ProxyError || error is ConfigError)
          }
          done += 1
          progress.update(done)
        }
        try sink.write(Self.jsonLine(it, proxies: proxies, results: results))
      }
      try sink.finish()
    } catch let f as ScoreFailure {
      sink.abandon()
      printErr("error: \(f.text)")
      throw ExitCode(f.badInput ? 2 : 1)
    } catch {
      sink.abandon()
      throw error
    }
  }
}

/// A proxy failure while scoring, already located.
struct ScoreFailure: Error {
  var text: String
  var badInput: Bool
}

/// Writes lines to stdout, or to a temporary file beside `out` that `finish()` renames to `out`
/// (so a failed run leaves nothing half-written). Each line is flushed.
final class LineSink {
  let out: String?
  let temp: String?
  let handle: FileHandle?

  init(out: String?) throws {
    self.out = out
    guard let out else {
      temp = nil
      handle = nil
      return
    }
    let dir = (out as NSString).deletingLastPathComponent
    let t = (dir.isEmpty ? "" : dir + "/") + ".\((out as NSString).lastPathComponent).partial-\(getpid())"
    guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
      throw ConfigError(file: out, field: "--out", value: out, rule: "cannot be written (no such folder or no permission)")
    }
    temp = t
    handle = h
  }

  func write(_ line: String) throws {
    let data = Data((line + "\n").utf8)
    if let h = handle {
      try h.write(contentsOf: data)
    } else {
      FileHandle.standardOutput.write(data)
    }
  }

  func finish() throws {
    guard let h = handle, let t = temp, let out else { return }
    try h.close()
    guard rename(t, out) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(atPath: t)
      throw ConfigError(file: out, field: "--out", value: out, rule: "cannot be written: \(reason)")
    }
  }

  func abandon() {
    try? handle?.close()
    if let t = temp { try? FileManager.default.removeItem(atPath: t) }
  }
}
