import Foundation
import Testing
@testable import Hardware
import Models
import SearchSpaces
import TensorEngine

/// Measurement on this machine and through an external command.
@Suite struct MeasureTests {
  static let tiny = GPT2Config(nLayer: 2, dModel: 32, dInner: [64, 32], nHead: [2, 4], vocabSize: 128, nPositions: 16)

  func options(repeats: Int = 3) -> MeasureOptions {
    var o = MeasureOptions()
    o.seqLen = 16
    o.repeats = repeats
    o.warmups = 1
    o.threads = 1
    return o
  }

  @Test func localMeasurementReportsConsistentFigures() throws {
    let m = try LocalMeasurer(seed: 0).measure(Self.tiny, options: options(repeats: 5))
    #expect(m.latencyMs > 0)
    #expect(m.latencyMinMs <= m.latencyMs && m.latencyMs <= m.latencyMaxMs)
    #expect(m.latencySpreadMs >= 0 && m.latencySpreadMs <= m.latencyMaxMs - m.latencyMinMs + 1e-9)
    #expect(m.repeats == 5 && m.seqLen == 16 && m.batch == 1 && m.threads == 1)
    let model = try ModelRegistry.build(Self.tiny, seed: 0)
    #expect(abs(m.paramMemoryMB - Double(model.parameterBytes) / 1_048_576) < 1e-12)
    // The logits [1, 16, 128] are live at the end of the pass, so the peak is at least their size.
    #expect(m.peakMemoryMB * 1_048_576 >= Double(16 * 128 * 4))
  }

  @Test func peakMemoryIsTheSameOnEveryRunAndGrowsWithTheSequence() throws {
    let model = try ModelRegistry.build(Self.tiny, seed: 0)
    let a = try LocalMeasurer.measure(model: model, options: options())
    let b = try LocalMeasurer.measure(model: model, options: options())
    #expect(a.peakMemoryMB == b.peakMemoryMB)
    var longer = options()
    longer.seqLen = 8
    let c = try LocalMeasurer.measure(model: model, options: longer)
    #expect(c.peakMemoryMB < a.peakMemoryMB)
  }

  @Test func impossibleSettingsAreErrors() throws {
    var o = options()
    o.repeats = 0
    #expect(throws: ConfigError.self) { try LocalMeasurer(seed: 0).measure(Self.tiny, options: o) }
    o = options()
    o.seqLen = 17   // longer than n_positions
    #expect(throws: ModelError.self) { try LocalMeasurer(seed: 0).measure(Self.tiny, options: o) }
  }

  @Test func quantileInterpolates() {
    #expect(quantile([1, 2, 3, 4], 0.5) == 2.5)
    #expect(quantile([5], 0.25) == 5)
    #expect(quantile([1, 3], 0.75) == 2.5)
  }

  @Test func externalCommandResultIsParsed() throws {
    let json = #"{"latency_ms": 12.5, "latency_spread_ms": 0.5, "latency_min_ms": 12, "latency_max_ms": 13, "peak_memory_mb": 3, "param_memory_mb": 4, "rss_mb": 50, "threads": 1, "seq_len": 192, "batch": 1, "repeats": 5}"#
    // The command sees the config file: it must exist while the command runs.
    let m = try ExternalMeasurer(command: "test -s {config} && echo 'noise' && echo '\(json)'").measure(Self.tiny, options: options())
    #expect(m.latencyMs == 12.5 && m.peakMemoryMB == 3 && m.paramMemoryMB == 4)
  }

  @Test func externalCommandFailuresAreErrors() throws {
    #expect(throws: ExternalMeasurer.Failure.self) { try ExternalMeasurer(command: "exit 3").measure(Self.tiny, options: options()) }
    #expect(throws: ExternalMeasurer.Failure.self) { try ExternalMeasurer(command: "echo not json").measure(Self.tiny, options: options()) }
  }
}
