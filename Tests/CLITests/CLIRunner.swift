import Foundation

/// Runs the built `lts` executable (as a user would) and captures its output.
enum CLI {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// The `lts` binary built beside the test bundle (`swift test` builds it: CLITests depends on it).
  static let binary: String = {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var candidates = [here.appendingPathComponent("lts").path]
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    candidates += ["debug", "release"].map { root.appendingPathComponent(".build/\($0)/lts").path }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[0]
  }()

  /// Runs `lts args…` to completion.
  @discardableResult
  static func run(_ args: [String], env: [String: String] = [:]) throws -> Result {
    let p = try start(args, env: env)
    let out = p.out.fileHandleForReading.readDataToEndOfFile()
    let err = p.err.fileHandleForReading.readDataToEndOfFile()
    p.process.waitUntilExit()
    return Result(status: p.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                  stderr: String(decoding: err, as: UTF8.self))
  }

  struct Running { var process: Process; var out: Pipe; var err: Pipe }

  /// Starts `lts args…` without waiting.
  static func start(_ args: [String], env: [String: String] = [:]) throws -> Running {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: binary)
    p.arguments = args
    var e = ProcessInfo.processInfo.environment
    for (k, v) in env { e[k] = v }
    p.environment = e
    let o = Pipe(), r = Pipe()
    p.standardOutput = o
    p.standardError = r
    try p.run()
    return Running(process: p, out: o, err: r)
  }

  /// A fresh temporary directory.
  static func tempDir(_ tag: String) -> String {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("lts-cli-\(tag)-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
  }

  /// Writes `text` to `dir/name` and returns the path.
  static func write(_ text: String, _ dir: String, _ name: String) throws -> String {
    let p = (dir as NSString).appendingPathComponent(name)
    try text.write(toFile: p, atomically: true, encoding: .utf8)
    return p
  }

  /// Non-empty lines of a file.
  static func lines(_ path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
  }

  /// A small GPT-2 space that builds and measures in milliseconds.
  static let tinySpace = """
    backbone: gpt2
    n_layer: {min: 1, max: 3}
    d_model: {min: 32, max: 96, step: 32}
    d_inner: {min: 32, max: 192, step: 32, at_least_d_model: true}
    n_head: [1, 2, 4]
    div_val: [1]
    d_embed: d_model
    vocab_size: 500
    n_positions: 32
    """
}
