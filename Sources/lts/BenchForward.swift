import ArgumentParser
import Foundation
import Hardware
import Models
import Reports
import SearchSpaces
import TensorEngine

/// `lts bench forward`: our GPT-2 forward latency beside PyTorch's for the same config and weights.
struct BenchForward: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "forward",
    abstract: "GPT-2 forward latency (batch 1 × 192 tokens), ours vs PyTorch when importable, as a ratio.",
    discussion: """
      Three configs: small (2 × 128), the LTS median (the WikiText-103 benchmark model with the median \
      decoder-parameter count) and 16 layers of d_model 512. Each is timed on 1 thread and on all threads. \
      PyTorch (optional: a Python with torch, found via LTS_PYTHON, .venv/bin/python3 or python3) runs \
      the same weights on the same token ids; its logits are checked against ours.
      """)

  @Option(help: "Timed runs per figure (median reported).")
  var repeats = 10
  @Option(help: "Warm-up runs per figure.")
  var warmups = 3
  @Option(help: "Sequence length.")
  var seqLen = 192

  static let configs: [(String, GPT2Config)] = [
    ("small 2×128", GPT2Config(nLayer: 2, dModel: 128, dInner: [512, 512], nHead: [2, 2], vocabSize: 50257, nPositions: 192)),
    ("LTS median (config_11_j2)", GPT2Config(nLayer: 2, dModel: 512, dInner: [1032, 1701], nHead: [8, 8], divVal: 1, dEmbed: 128,
                                             vocabSize: 50264, nPositions: 192)),
    ("16×512", GPT2Config(nLayer: 16, dModel: 512, dInner: Array(repeating: 2048, count: 16), nHead: Array(repeating: 8, count: 16),
                          vocabSize: 50257, nPositions: 192)),
  ]

  func run() throws {
    let python = PyTorchReference.python()
    let all = Engine.coreCount
    print("GPT-2 forward, batch 1 × \(seqLen) tokens, median of \(repeats) runs after \(warmups) warm-ups")
    print("GEMM backend: \(GEMM.backend.rawValue); PyTorch: \(python.map { "via \($0)" } ?? "not importable (set LTS_PYTHON to a Python with torch for the comparison)")")
    let header = ["config", "decoder params", "threads", "ours ms", "PyTorch ms", "ours/PyTorch", "max |Δlogit|"]
    var rows: [[String]] = []
    for (label, cfg) in Self.configs {
      var rng = SplitMix64(seed: 0)
      let model = try GPT2Model(cfg, using: &rng)
      let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lts-bench-\(UUID().uuidString)")
      if python != nil { try export(model, to: dir) }
      defer { try? FileManager.default.removeItem(at: dir) }
      for threads in Set([1, all]).sorted() {
        var o = MeasureOptions()
        o.seqLen = seqLen
        o.threads = threads
        o.repeats = repeats
        o.warmups = warmups
        let ours = try LocalMeasurer.measure(model: model, options: o)
        var torchMs = "—", ratio = "—", diff = "—"
        if let py = python {
          let out = try PyTorchReference.run(py, ["-c", PyTorchReference.script, dir.path, "\(threads)", "\(warmups)", "\(repeats)"])
          if out.status == 0, let line = out.stdout.split(separator: "\n").last,
             let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
             let ms = obj["latency_ms"] as? Double {
            torchMs = String(format: "%.2f", ms)
            ratio = String(format: "%.2f×", ours.latencyMs / ms)
            if let d = obj["max_abs_diff"] as? Double { diff = String(format: "%.1e", d) }
          } else {
            torchMs = "failed"
            printErr("PyTorch run failed: \(out.stderr.suffix(400))")
          }
        }
        rows.append([label, "\(cfg.decoderParams)", "\(threads)", String(format: "%.2f", ours.latencyMs), torchMs, ratio, diff])
      }
    }
    print(TerminalTable.render(columns: header, rows: rows), terminator: "")
    print("ratio < 1 means ours is faster.")
  }

  /// Writes config, weights (our parameter order), token ids and our logits for the PyTorch side.
  func export(_ model: GPT2Model, to dir: URL) throws {
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    try model.config.jsonString().write(to: dir.appendingPathComponent("config.json"), atomically: true, encoding: .utf8)
    var manifest: [[String: Any]] = []
    var blob = Data()
    var offset = 0
    for (name, t) in model.namedParameters {
      manifest.append(["name": name, "shape": t.shape, "offset": offset])
      t.values.withUnsafeBufferPointer { blob.append(Data(buffer: $0)) }
      offset += t.count
    }
    try JSONSerialization.data(withJSONObject: manifest).write(to: dir.appendingPathComponent("manifest.json"))
    try blob.write(to: dir.appendingPathComponent("weights.bin"))
    let ids = GPT2Model.syntheticIDs(count: seqLen, vocab: model.config.vocabSize)
    try JSONSerialization.data(withJSONObject: ids).write(to: dir.appendingPathComponent("ids.json"))
    let logits = try model.measurementForward(batch: 1, seqLen: seqLen)
    try logits.values.withUnsafeBufferPointer { try Data(buffer: $0).write(to: dir.appendingPathComponent("logits.bin")) }
  }
}
