import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A progress display on stderr: a redrawn bar with ETA on a terminal, plain lines otherwise.
final class ProgressBar {
  let isTTY = isatty(2) == 1
  private var lastPlain = -1.0
  private var lastDraw = -1.0
  private var drawn = false
  /// Seconds between plain-text lines when stderr is not a terminal.
  var plainInterval = 10.0

  /// Draws `fraction` (0…1) with a status text; `elapsed` drives the plain-line throttle.
  func update(fraction: Double, text: String, elapsed: Double, eta: Double?) {
    let f = min(max(fraction, 0), 1)
    let etaText = eta.map { " · ETA \(Self.clock($0))" } ?? ""
    if isTTY {
      guard elapsed - lastDraw >= 0.1 || f >= 1 else { return }
      lastDraw = elapsed
      let width = 28, full = Int(f * Double(width))
      let bar = String(repeating: "█", count: full) + String(repeating: "░", count: width - full)
      let line = "\r\(bar) \(String(format: "%3.0f%%", f * 100)) \(text) · \(Self.clock(elapsed))\(etaText)"
      FileHandle.standardError.write(Data((line + "\u{1B}[K").utf8))
      drawn = true
    } else if elapsed - lastPlain >= plainInterval || f >= 1 {
      lastPlain = elapsed
      FileHandle.standardError.write(Data("[\(String(format: "%3.0f%%", f * 100))] \(text) · elapsed \(Self.clock(elapsed))\(etaText)\n".utf8))
    }
  }

  /// Prints a line above the bar (or plainly).
  func message(_ s: String) {
    if isTTY && drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    FileHandle.standardError.write(Data((s + "\n").utf8))
  }

  /// Ends the bar's line.
  func finish() {
    if isTTY && drawn { FileHandle.standardError.write(Data("\n".utf8)) }
    drawn = false
  }

  static func clock(_ s: Double) -> String {
    guard s.isFinite, s >= 0 else { return "--:--" }
    let t = Int(s.rounded())
    return t >= 3600 ? String(format: "%d:%02d:%02d", t / 3600, (t / 60) % 60, t % 60) : String(format: "%d:%02d", t / 60, t % 60)
  }
}

/// Set by SIGINT/SIGTERM: a search stops cleanly after the candidate in progress (and can be resumed).
enum StopSignal {
  nonisolated(unsafe) static var requested = false

  static func install() {
    signal(SIGINT) { _ in
      if StopSignal.requested { _exit(130) }
      StopSignal.requested = true
    }
    signal(SIGTERM) { _ in StopSignal.requested = true }
  }
}
