// Renders the report in headless Chromium and counts the circles in the resulting DOM, proving the
// file parses as a browser sees it (not just as a string). Skipped, with the reason, when no
// Chromium binary is on PATH (`apt-get install -y chromium` provides one).
import Foundation
import Testing
@testable import Reports

/// Finds and runs a headless Chromium.
enum Chromium {
  /// The first of `chromium`, `chromium-browser`, `google-chrome` found on PATH, or nil.
  static let binary: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for name in ["chromium", "chromium-browser", "google-chrome"] {
      for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      }
    }
    return nil
  }()

  struct Failure: Error, CustomStringConvertible {
    var description: String
  }

  /// Runs `binary --headless … extra url` with a private profile directory; returns stdout.
  /// Throws when it exits non-zero or runs longer than `timeout` seconds (it is then killed).
  static func run(_ binary: String, _ extra: [String], url: URL, timeout: TimeInterval = 30) throws -> String {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("lts-chromium-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: scratch) }
    let stdoutURL = scratch.appendingPathComponent("stdout"), stderrURL = scratch.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
    FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
    let stdout = try FileHandle(forWritingTo: stdoutURL), stderr = try FileHandle(forWritingTo: stderrURL)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                         "--user-data-dir=\(scratch.appendingPathComponent("profile").path)"] + extra + [url.absoluteString]
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    let timedOut = process.isRunning
    if timedOut {
      process.terminate()
      Thread.sleep(forTimeInterval: 1)
      if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
    process.waitUntilExit()
    try stdout.close()
    try stderr.close()
    let output = (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? ""
    let errors = (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? ""
    if timedOut { throw Failure(description: "\(binary) did not finish within \(timeout) s; stderr:\n\(errors.suffix(2000))") }
    if process.terminationStatus != 0 {
      throw Failure(description: "\(binary) exited \(process.terminationStatus); stderr:\n\(errors.suffix(2000))")
    }
    return output
  }
}

@Suite struct ChromiumRenderTests {
  @Test(.enabled(if: Chromium.binary != nil,
                 "no chromium, chromium-browser or google-chrome on PATH (apt-get install -y chromium)"),
        .timeLimit(.minutes(1)))
  func renderedDOMHasOneCirclePerPointPerPlot() throws {
    let binary = try #require(Chromium.binary)
    let data = Fixtures.report(50)
    let front = data.points.filter { $0.onFront }.count
    let file = FileManager.default.temporaryDirectory.appendingPathComponent("lts-report-\(UUID().uuidString).html")
    try HTMLReport.render(data).write(to: file, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: file) }
    // Manual look: `LTS_REPORT_SAMPLE=/tmp/r.html swift test --filter ChromiumRenderTests`, then
    // `chromium --headless --no-sandbox --screenshot=/tmp/r.png --window-size=1200,1600 file:///tmp/r.html`.
    if let sample = ProcessInfo.processInfo.environment["LTS_REPORT_SAMPLE"] {
      try HTMLReport.render(data).write(toFile: sample, atomically: true, encoding: .utf8)
    }

    let dom = try Chromium.run(binary, ["--dump-dom"], url: file)
    // The browser re-serialises the parsed document: circles survive as elements inside <svg>.
    #expect(dom.contains("<svg"))
    #expect(Fixtures.count("<circle class=\"pt", in: dom) == 50 * 2)
    #expect(Fixtures.count("<circle class=\"pt front\"", in: dom) == front * 2)
    #expect(Fixtures.count("<circle class=\"hv\"", in: dom) == data.hypervolume.count)
    #expect(dom.contains("Pareto frontier (\(front))"))
  }
}
