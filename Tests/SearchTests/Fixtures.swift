import Foundation
import SearchSpaces
@testable import Search

/// A two-gene integer architecture (archai's `DummySearchSpace` idea): genes `a` and `b` in 0..<n.
struct PairConfig: ArchitectureConfig, Hashable {
  static let backbone = "pair"
  var a: Int
  var b: Int
  func validate() throws {}
  var canonicalKey: String { "pair|\(a)|\(b)" }
}

/// The integer space: uniform genes; mutation redraws a gene with the probability; crossover takes
/// each gene from the second parent with the probability.
struct PairSpace: EvolutionarySpace {
  var n = 60
  func sample(using rng: inout SplitMix64) -> PairConfig { PairConfig(a: rng.nextIndex(n), b: rng.nextIndex(n)) }
  func mutate(_ c: PairConfig, probability p: Double, using rng: inout SplitMix64) -> PairConfig {
    var m = c
    if rng.chance(p) { m.a = rng.nextIndex(n) }
    if rng.chance(p) { m.b = rng.nextIndex(n) }
    return m
  }
  func crossover(_ x: PairConfig, _ y: PairConfig, probability p: Double, using rng: inout SplitMix64) -> PairConfig {
    PairConfig(a: rng.chance(p) ? y.a : x.a, b: rng.chance(p) ? y.b : x.b)
  }
  func violation(of c: PairConfig) -> ConfigError? {
    (0..<n).contains(c.a) && (0..<n).contains(c.b) ? nil : ConfigError(field: "a/b", value: "\(c)", rule: "outside 0..<\(n)")
  }
  var spaceKey: String { "pair-space|\(n)" }
}

/// Deterministic objectives: quality = a + b (max), latency = a² / 10 + b (min), memory = 2b + 1 (min).
func pairObjectives() -> [Objective] {
  [Objective("quality", higherIsBetter: true), Objective("latency", higherIsBetter: false), Objective("memory", higherIsBetter: false)]
}

func pairValues(_ c: PairConfig) -> [Double] {
  [Double(c.a + c.b), Double(c.a * c.a) / 10 + Double(c.b), Double(2 * c.b + 1)]
}

/// Counts evaluator calls per canonical key (to prove nothing is evaluated twice).
final class CallCounter: @unchecked Sendable {
  var calls: [String: Int] = [:]
  var order: [String] = []
  func evaluator(failEvery k: Int = 0) -> Evaluator<PairConfig> {
    { c in
      self.calls[c.canonicalKey, default: 0] += 1
      self.order.append(c.canonicalKey)
      if k > 0, (c.a * 7 + c.b) % k == 0 { throw ConfigError(field: "a", value: "\(c.a)", rule: "simulated failure") }
      return Evaluation(pairValues(c), metadata: ["proxy_seconds": 0.001])
    }
  }
}

func tempDir(_ name: String = "lts-search") -> String {
  let p = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
  return p
}

/// Small populations (20 initial, 5 parents, 8 + 8 children); `.flush` keeps the tests fast.
func smallSettings(seed: UInt64 = 42, iterations: Int = 4, maxCandidates: Int? = nil,
                   durability: SearchSettings.Durability = .flush) -> SearchSettings {
  SearchSettings(objectives: pairObjectives(), seed: seed, budget: SearchBudget(iterations: iterations, maxCandidates: maxCandidates),
                 populationSize: 20, parents: 5, mutations: 8, crossovers: 8, patience: 20, durability: durability)
}
