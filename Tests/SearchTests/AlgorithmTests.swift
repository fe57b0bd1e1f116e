import Foundation
import Testing
import SearchSpaces
@testable import Search

/// Random search, NSGA-II, parent selection, and an end-to-end evolution over the GPT-2 space.
@Suite struct AlgorithmTests {
  @Test func parentSelectionPrefersRarelyChosenPoints() {
    var rng = SplitMix64(seed: 1)
    var counts: [String: Int] = ["a": 50, "b": 0, "c": 0]
    var picked: [String: Int] = [:]
    for _ in 0..<3000 {
      var copy = counts
      let i = EvolutionarySearch<PairSpace>.selectParents(["a", "b", "c"], count: 1, counts: &copy, rng: &rng)
      picked[["a", "b", "c"][i[0]], default: 0] += 1
    }
    // Weights 1/51, 1, 1: "a" is chosen about 1% of the time.
    #expect(picked["a", default: 0] < 90)
    #expect(abs(picked["b", default: 0] - picked["c", default: 0]) < 200)
    let all = EvolutionarySearch<PairSpace>.selectParents(["a", "b", "c"], count: 5, counts: &counts, rng: &rng)
    #expect(all.sorted() == [0, 1, 2])
    #expect(counts == ["a": 51, "b": 1, "c": 1])
  }

  @Test func randomSearchIsSeededAndDeduplicated() throws {
    let d1 = tempDir(), d2 = tempDir()
    defer { for d in [d1, d2] { try? FileManager.default.removeItem(atPath: d) } }
    let a = try RandomSearch(space: PairSpace(), settings: smallSettings(iterations: 3)).run(evaluator: CallCounter().evaluator(), output: d1)
    let b = try RandomSearch(space: PairSpace(), settings: smallSettings(iterations: 3)).run(evaluator: CallCounter().evaluator(), output: d2)
    #expect(a.candidates.map(\.archID) == b.candidates.map(\.archID))
    #expect(a.candidates.count == 80 && Set(a.candidates.map(\.key)).count == 80)
    #expect(a.candidates.allSatisfy { $0.origin == "random" })
  }

  @Test func aSmallSpaceRunsOutWithoutLooping() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    // 4 × 4 = 16 architectures: the initial population takes most, later iterations find the rest.
    let r = try RandomSearch(space: PairSpace(n: 4), settings: smallSettings(iterations: 5)).run(evaluator: CallCounter().evaluator(), output: d)
    #expect(r.candidates.count <= 16 && r.candidates.count >= 14)
    #expect(r.stopReason == .completed)
  }

  @Test func nsga2IsSeededAndImprovesTheFront() throws {
    let d1 = tempDir(), d2 = tempDir(), d3 = tempDir()
    defer { for d in [d1, d2, d3] { try? FileManager.default.removeItem(atPath: d) } }
    let s = smallSettings(iterations: 5)
    let a = try NSGA2Search(space: PairSpace(), settings: s).run(evaluator: CallCounter().evaluator(), output: d1)
    let b = try NSGA2Search(space: PairSpace(), settings: s).run(evaluator: CallCounter().evaluator(), output: d2)
    #expect(a.candidates.map(\.archID) == b.candidates.map(\.archID))
    #expect(a.candidates.dropFirst(20).allSatisfy { $0.origin == "offspring" && $0.parents.count == 2 })
    #expect(a.iterations.last!.hypervolume > a.iterations.first!.hypervolume)
    // Resume mid-run gives the same sequence (the parent population is in the checkpoint).
    let counter = CallCounter()
    _ = try NSGA2Search(space: PairSpace(), settings: smallSettings(iterations: 5, maxCandidates: 47)).run(evaluator: counter.evaluator(), output: d3)
    let c = try NSGA2Search(space: PairSpace(), settings: s).resume(from: d3, evaluator: counter.evaluator())
    #expect(c.candidates.map(\.archID) == a.candidates.map(\.archID))
    #expect(counter.calls.values.allSatisfy { $0 == 1 })
  }

  /// LTS end to end on the GPT-2 space with a cheap stand-in for measurement: decoder parameters
  /// (↑), "latency" ∝ layers × d_model (↓), "memory" ∝ decoder parameters + embedding (↓).
  @Test func evolutionOverTheGPT2Space() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    let objectives = [Objective("decoder_params", higherIsBetter: true), Objective("latency_ms", higherIsBetter: false),
                      Objective("memory_mb", higherIsBetter: false)]
    let settings = SearchSettings(objectives: objectives, constraints: [ObjectiveConstraint("latency_ms", max: 6)],
                                  seed: 7, budget: SearchBudget(iterations: 3), populationSize: 40, parents: 10,
                                  mutations: 15, crossovers: 15)
    let space = GPT2Space.lts
    let search = EvolutionarySearch(space: space, settings: settings)
    let r = try search.run(evaluator: { (c: GPT2Config) in
      #expect(space.contains(c))
      let lat = Double(c.nLayer * c.dModel) / 1000 + Double(c.activeInner.reduce(0, +)) / 20000
      let mem = Double(c.decoderParams + c.vocabSize * c.embedWidth / c.divVal) * 4 / 1e6
      return Evaluation([Double(c.decoderParams), lat, mem], metadata: ["n_layer": .int(c.nLayer)])
    }, output: d)
    #expect(r.candidates.count > 100)
    #expect(r.anyFeasible && r.frontCandidates.allSatisfy { $0.values[1] <= 6 })
    for rec in r.candidates {
      let c = try rec.config.decode(as: GPT2Config.self)
      try c.validate()
      #expect(space.canonicalKey(of: c) == rec.key && c.archID == rec.archID)
      #expect(rec.metadata["n_layer"] == .int(c.nLayer))
    }
    // The config JSON in the record is the native form the registry reads.
    let any = try ConfigRegistry.decode(Data(r.candidates[0].config.jsonString.utf8))
    #expect(any.canonicalKey == r.candidates[0].key)
    #expect(r.normalizedHypervolume > 0)
  }
}

/// The by-name entry points the CLI uses.
@Suite struct SearchAlgorithmTests {
  @Test func runAndResumeByName() throws {
    for algo in SearchAlgorithm.allCases {
      let full = tempDir(), cut = tempDir()
      defer { for d in [full, cut] { try? FileManager.default.removeItem(atPath: d) } }
      let a = try algo.run(space: PairSpace(), settings: smallSettings(iterations: 3), evaluator: CallCounter().evaluator(), output: full)
      #expect(a.algorithm == algo.rawValue)
      _ = try algo.run(space: PairSpace(), settings: smallSettings(iterations: 3, maxCandidates: 33),
                       evaluator: CallCounter().evaluator(), output: cut)
      let b = try SearchAlgorithm.resume(from: cut, space: PairSpace(), evaluator: CallCounter().evaluator(),
                                         budget: SearchBudget(iterations: 3))
      #expect(b.candidates.map(\.archID) == a.candidates.map(\.archID), "\(algo)")
      #expect(b.objectiveValues(b.candidates[0]).keys.sorted() == ["latency", "memory", "quality"])
    }
  }
}
