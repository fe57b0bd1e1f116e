// Deterministic sample report data for the Reports tests: candidates shaped like a GPT-2 LTS
// search (decoder params against latency and memory), with the Pareto front computed here.
import Foundation
@testable import Reports

enum Fixtures {
  static let objectives = [
    ReportObjective(name: "decoder_params", higherIsBetter: true),
    ReportObjective(name: "latency_ms", unit: "ms", higherIsBetter: false),
    ReportObjective(name: "memory_mb", unit: "MB", higherIsBetter: false),
  ]

  /// `count` candidates from a fixed linear congruential sequence; `onFront` is the exact
  /// 3-objective Pareto front (params up, latency and memory down); every 7th is infeasible.
  static func points(_ count: Int) -> [ReportPoint] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Double {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53)
    }
    var points = (0..<count).map { index -> ReportPoint in
      let layers = 2 + Int(next() * 14), width = [256, 384, 512, 640, 768][Int(next() * 5)]
      let params = Double(layers) * Double(width * width) * (8 + 4 * next())
      let latency = 0.4 + params / 2.5e6 * (0.7 + 0.6 * next())
      let memory = 20 + params * 4 / 1e6 * (0.5 + 0.5 * next())
      return ReportPoint(archID: String(format: "a%04x", index * 2_654_435_761 % 65_536),
                         label: "L=\(layers) d=\(width)",
                         objectives: ["decoder_params": params, "latency_ms": latency, "memory_mb": memory],
                         feasible: index % 7 != 3)
    }
    for i in points.indices where points[i].feasible {
      let a = points[i].objectives
      points[i].onFront = !points.contains { other in
        let b = other.objectives
        guard other.feasible else { return false }
        let noWorse = b["decoder_params"]! >= a["decoder_params"]! && b["latency_ms"]! <= a["latency_ms"]!
          && b["memory_mb"]! <= a["memory_mb"]!
        return noWorse && b != a
      }
    }
    return points
  }

  /// A full report over `count` sample points with settings, timings and a rising hypervolume.
  static func report(_ count: Int = 60) -> ReportData {
    ReportData(title: "LTS search: GPT-2 on this machine", objectives: objectives, points: points(count),
               settings: [("algorithm", "evolution"), ("seed", "42"), ("population", "100"),
                          ("max latency", "20 ms")],
               timings: [("search", "1m 52s"), ("re-measure frontier", "8.1 s")],
               hypervolume: (1...12).map { 1e9 * (1 - pow(0.7, Double($0))) },
               notes: ["Latency is the median of 10 runs at batch 1 × 192 tokens."])
  }

  /// Counts non-overlapping occurrences of `needle` in `haystack`.
  static func count(_ needle: String, in haystack: String) -> Int {
    haystack.components(separatedBy: needle).count - 1
  }

  /// How many coordinate attributes (`cx`, `y1`, `r`, …) or polyline numbers fail to parse as a
  /// finite number; at least one coordinate must exist, else the count is -1.
  static func nonFiniteCoordinates(in html: String) -> Int {
    let pattern = try! NSRegularExpression(pattern: #" (?:cx|cy|r|x|y|x1|x2|y1|y2|width|height|points)="([^"]*)""#)
    let matches = pattern.matches(in: html, range: NSRange(html.startIndex..., in: html))
    guard !matches.isEmpty else { return -1 }
    var bad = 0
    for match in matches {
      let value = html[Range(match.range(at: 1), in: html)!]
      for number in value.split(whereSeparator: { $0 == " " || $0 == "," }) where !(Double(number)?.isFinite ?? false) {
        bad += 1
      }
    }
    return bad
  }
}
