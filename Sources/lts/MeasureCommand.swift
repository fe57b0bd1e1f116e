import ArgumentParser
import Foundation
import Hardware
import SearchSpaces

/// `lts measure --config FILE`: real latency and peak memory of one config's forward pass.
struct MeasureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "measure",
    abstract: "Measure the forward-pass latency and peak memory of a config on this machine.",
    discussion: """
      Builds the model, runs `--warmups` untimed and `--repeats` timed inference forward passes of \
      batch × seq-len synthetic tokens, and reports the median latency with its interquartile spread, the \
      engine's exact high-water mark of live tensor bytes during the pass (above the parameters), the \
      parameter bytes and the process RSS.
      """)

  @Option(help: "Config JSON file (any backbone).")
  var config: String
  @OptionGroup var measure: MeasureArguments
  @OptionGroup var engine: EngineOptions
  @Option(help: "Seed of the weight initialisation.")
  var seed: UInt64 = 0
  @Flag(help: "Print one JSON object instead of text.")
  var json = false

  func run() throws {
    engine.apply()
    let cfg = try userFacing { try readConfig(path: config) }
    let m = try userFacing { try LocalMeasurer(seed: seed).measure(cfg, options: measure.options(threads: engine.threads)) }
    if json {
      let enc = JSONEncoder()
      enc.outputFormatting = [.sortedKeys]
      print(String(decoding: try enc.encode(m), as: UTF8.self))
    } else {
      print("config        \(config) (\(cfg.backbone), arch \(cfg.archID))")
      print("input         batch \(m.batch) × \(m.seqLen) tokens, \(m.threads) thread(s), \(m.repeats) timed runs")
      print(String(format: "latency       %.3f ms median (IQR %.3f ms, min %.3f, max %.3f)", m.latencyMs, m.latencySpreadMs, m.latencyMinMs, m.latencyMaxMs))
      print(String(format: "peak memory   %.2f MiB of activations (live tensor high-water mark)", m.peakMemoryMB))
      print(String(format: "parameters    %.2f MiB", m.paramMemoryMB))
      print(String(format: "process RSS   %.1f MiB", m.rssMB))
    }
  }
}
