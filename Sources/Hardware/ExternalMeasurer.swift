import Foundation
import SearchSpaces

/// Measures on another device by running a user command that prints `lts measure --json` output.
///
/// The command is run with `/bin/sh -c`; `{config}` is replaced by the path of a temporary file that
/// holds the candidate's config JSON (e.g. `scp {config} pi:/tmp/c.json && ssh pi lts measure --json
/// --config /tmp/c.json`). The last line of stdout that parses as a JSON object is the measurement.
public struct ExternalMeasurer: CostMeasurer {
  public var command: String
  public init(command: String) { self.command = command }

  public struct Failure: Error, CustomStringConvertible {
    public var command: String
    public var detail: String
    public var description: String { "measurement command failed (\(command)): \(detail)" }
  }

  public func measure(_ config: any ArchitectureConfig, options: MeasureOptions) throws -> Measurement {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("lts-\(config.archID)-\(UUID().uuidString).json").path
    try config.jsonString().write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let cmd = command.replacingOccurrences(of: "{config}", with: path)
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", cmd]
    var env = ProcessInfo.processInfo.environment
    env["LTS_SEQ_LEN"] = "\(options.seqLen)"
    env["LTS_BATCH"] = "\(options.batch)"
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
      throw Failure(command: cmd, detail: "exit \(p.terminationStatus): \(String(decoding: errData, as: UTF8.self).prefix(300))")
    }
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n").reversed() {
      if let m = try? JSONDecoder().decode(Measurement.self, from: Data(line.utf8)) { return m }
    }
    throw Failure(command: cmd, detail: "no JSON measurement (latency_ms, peak_memory_mb, …) in its output")
  }
}
