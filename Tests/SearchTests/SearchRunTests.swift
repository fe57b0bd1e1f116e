import Foundation
import Testing
import SearchSpaces
@testable import Search

/// Search runs on the integer fixture space: determinism, resume, budgets, constraints, files.
@Suite struct SearchRunTests {
  func evolution(_ s: SearchSettings) -> EvolutionarySearch<PairSpace> { EvolutionarySearch(space: PairSpace(), settings: s) }

  @Test func sameSeedGivesTheSameArchIDSequence() throws {
    let d1 = tempDir(), d2 = tempDir(), d3 = tempDir()
    defer { for d in [d1, d2, d3] { try? FileManager.default.removeItem(atPath: d) } }
    let r1 = try evolution(smallSettings()).run(evaluator: CallCounter().evaluator(), output: d1)
    let r2 = try evolution(smallSettings()).run(evaluator: CallCounter().evaluator(), output: d2)
    let r3 = try evolution(smallSettings(seed: 43)).run(evaluator: CallCounter().evaluator(), output: d3)
    #expect(r1.candidates.map(\.archID) == r2.candidates.map(\.archID))
    #expect(r1.candidates.map(\.archID) != r3.candidates.map(\.archID))
    #expect(r1.stopReason == .completed)
    // Iteration 0 = 20 random samples, then up to 16 children per iteration.
    #expect(r1.iterations.map(\.iteration) == [0, 1, 2, 3, 4])
    #expect(r1.iterations[0].candidates == 20)
    #expect(r1.iterations.dropFirst().allSatisfy { $0.candidates <= 16 && $0.candidates > 0 })
    #expect(Set(r1.candidates.map(\.key)).count == r1.candidates.count)
    #expect(r1.candidates.enumerated().allSatisfy { $0.offset == $0.element.index })
    let origins = Set(r1.candidates.map(\.origin))
    #expect(origins == ["random", "mutation", "crossover"])
  }

  @Test func frontAndHypervolumeAreConsistent() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    let r = try evolution(smallSettings(iterations: 6)).run(evaluator: CallCounter().evaluator(), output: d)
    let dirs = pairObjectives().map(\.higherIsBetter)
    let pts = r.candidates.map(\.values)
    #expect(r.front == Pareto.front(pts, higherIsBetter: dirs))
    #expect(r.referencePoint == Hypervolume.referencePoint(pts, higherIsBetter: dirs))
    // Hypervolume never decreases across iterations (the front only improves) and ends at the total.
    let hv = r.iterations.map(\.hypervolume)
    #expect(zip(hv, hv.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(hv.last == r.hypervolume)
    #expect(r.normalizedHypervolume > 0 && r.normalizedHypervolume <= 1)
    // Evolution improves on the random initial population.
    #expect(hv.last! > hv.first!)
  }

  @Test func resumeAfterAnInterruptionMatchesAnUninterruptedRun() throws {
    let full = tempDir(), cut = tempDir()
    defer { for d in [full, cut] { try? FileManager.default.removeItem(atPath: d) } }
    let reference = try evolution(smallSettings(iterations: 5)).run(evaluator: CallCounter().evaluator(), output: full)
    // "Kill" mid iteration 2: 20 + 16 + 5 candidates, the last 5 after the last checkpoint.
    let counter = CallCounter()
    let first = try evolution(smallSettings(iterations: 5, maxCandidates: 41, durability: .sync)).run(evaluator: counter.evaluator(), output: cut)
    #expect(first.stopReason == .maxCandidates)
    #expect(first.candidates.count == 41)
    let saved = try SearchStore(directory: cut).savedSettings()
    #expect(saved.algorithm == "evolution" && saved.settings.budget.maxCandidates == 41)
    let second = try evolution(smallSettings(iterations: 5)).resume(from: cut, evaluator: counter.evaluator())
    #expect(second.candidates.map(\.archID) == reference.candidates.map(\.archID))
    #expect(second.candidates.map(\.values) == reference.candidates.map(\.values))
    #expect(second.stopReason == .completed)
    #expect(second.evaluatedThisRun == reference.candidates.count - 41)
    #expect(second.reused == 5)
    #expect(counter.calls.values.allSatisfy { $0 == 1 })
    #expect(counter.calls.count == reference.candidates.count)
    // The files agree with the uninterrupted run's, line for line, apart from timings.
    let a = try SearchResult.load(from: full), b = try SearchResult.load(from: cut)
    #expect(a.candidates.map(\.key) == b.candidates.map(\.key))
    #expect(a.front == b.front && a.hypervolume == b.hypervolume)
  }

  @Test func resumeReusesCandidatesEvaluatedAfterTheLastCheckpoint() throws {
    let full = tempDir(), cut = tempDir()
    defer { for d in [full, cut] { try? FileManager.default.removeItem(atPath: d) } }
    let reference = try evolution(smallSettings(iterations: 3)).run(evaluator: CallCounter().evaluator(), output: full)
    // Stop after 30 candidates: the checkpoint is the one written when iteration 0 ended, and
    // the 10 records of iteration 1 evaluated since are in candidates.jsonl only (as after a kill).
    let counter = CallCounter()
    _ = try evolution(smallSettings(iterations: 3, maxCandidates: 30)).run(evaluator: counter.evaluator(), output: cut)
    let store = SearchStore(directory: cut)
    var cp = try store.readCheckpoint()
    #expect(cp.iteration == 1 && cp.proposed && cp.pending.count == 16)
    let resumed = try evolution(smallSettings(iterations: 3)).resume(from: cut, evaluator: counter.evaluator())
    #expect(resumed.reused == 10)
    #expect(resumed.candidates.map(\.archID) == reference.candidates.map(\.archID))
    #expect(counter.calls.values.allSatisfy { $0 == 1 })
    cp = try store.readCheckpoint()
    #expect(cp.iteration == 4 && cp.pending.isEmpty)
  }

  @Test func aTornLastLineIsDroppedWithAWarning() throws {
    let full = tempDir(), cut = tempDir()
    defer { for d in [full, cut] { try? FileManager.default.removeItem(atPath: d) } }
    let reference = try evolution(smallSettings(iterations: 3)).run(evaluator: CallCounter().evaluator(), output: full)
    _ = try evolution(smallSettings(iterations: 3, maxCandidates: 25)).run(evaluator: CallCounter().evaluator(), output: cut)
    let store = SearchStore(directory: cut)
    let h = try #require(FileHandle(forWritingAtPath: store.candidatesPath))
    try h.seekToEnd()
    try h.write(contentsOf: Data("{\"arch_id\": \"12ab".utf8))
    try h.close()
    var warnings: [String] = []
    let resumed = try evolution(smallSettings(iterations: 3)).resume(from: cut, evaluator: CallCounter().evaluator()) {
      if case let .warning(w) = $0 { warnings.append(w) }
    }
    #expect(warnings.count == 1 && warnings[0].contains("incomplete last line"))
    #expect(resumed.warnings == warnings)
    #expect(resumed.candidates.map(\.archID) == reference.candidates.map(\.archID))
    let lines = try String(contentsOfFile: store.candidatesPath, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == reference.candidates.count)
  }

  @Test func aCorruptMiddleLineIsAnError() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    _ = try evolution(smallSettings(iterations: 1)).run(evaluator: CallCounter().evaluator(), output: d)
    let store = SearchStore(directory: d)
    var text = try String(contentsOfFile: store.candidatesPath, encoding: .utf8)
    text = "garbage\n" + text
    try text.write(toFile: store.candidatesPath, atomically: true, encoding: .utf8)
    let e = #expect(throws: SearchError.self) { try evolution(smallSettings(iterations: 2)).resume(from: d, evaluator: CallCounter().evaluator()) }
    if case let .corruptCandidates(_, line, _) = e { #expect(line == 1) } else { Issue.record("got \(String(describing: e))") }
  }

  @Test func resumeRefusesADifferentSearch() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    _ = try evolution(smallSettings(iterations: 1)).run(evaluator: CallCounter().evaluator(), output: d)
    #expect(throws: SearchError.self) { try evolution(smallSettings(seed: 1, iterations: 1)).resume(from: d, evaluator: CallCounter().evaluator()) }
    #expect(throws: SearchError.self) {
      try EvolutionarySearch(space: PairSpace(n: 61), settings: smallSettings(iterations: 1)).resume(from: d, evaluator: CallCounter().evaluator())
    }
    #expect(throws: SearchError.self) {
      try RandomSearch(space: PairSpace(), settings: smallSettings(iterations: 1)).resume(from: d, evaluator: CallCounter().evaluator())
    }
    // A finished search resumed with more iterations continues.
    let more = try evolution(smallSettings(iterations: 2)).resume(from: d, evaluator: CallCounter().evaluator())
    #expect(more.iterations.count == 3)
    #expect(throws: SearchError.noCheckpoint(path: d + "-none")) { try evolution(smallSettings()).resume(from: d + "-none", evaluator: CallCounter().evaluator()) }
  }

  @Test func outputDirectoryIsCheckedBeforeAnyWork() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    try "x".write(toFile: d, atomically: true, encoding: .utf8)   // a file, not a directory
    let counter = CallCounter()
    #expect(throws: SearchError.self) { try evolution(smallSettings()).run(evaluator: counter.evaluator(), output: d) }
    #expect(throws: SearchError.self) { try evolution(smallSettings()).run(evaluator: counter.evaluator(), output: d + "/sub") }
    #expect(counter.calls.isEmpty)
    try FileManager.default.removeItem(atPath: d)
    _ = try evolution(smallSettings(iterations: 0)).run(evaluator: counter.evaluator(), output: d)
    #expect(throws: SearchError.outputNotEmpty(path: d)) { try evolution(smallSettings()).run(evaluator: counter.evaluator(), output: d) }
    let again = try evolution(smallSettings(iterations: 0)).run(evaluator: counter.evaluator(), output: d, overwrite: true)
    #expect(again.candidates.count == 20)
  }

  @Test func badSettingsAreNamed() {
    var s = smallSettings()
    s.constraints = [ObjectiveConstraint("speed", max: 3)]
    #expect(throws: SearchError.invalidSettings(field: "constraints", value: "speed", rule: "not an objective; known: quality, latency, memory")) {
      try s.validate()
    }
    s = smallSettings()
    s.mutationProbability = 1.5
    #expect(throws: SearchError.self) { try s.validate() }
    s = smallSettings()
    s.referencePoint = [1]
    #expect(throws: SearchError.self) { try s.validate() }
  }

  @Test func constraintsExcludeInfeasibleFromTheFront() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    var s = smallSettings(iterations: 3)
    s.constraints = [ObjectiveConstraint("latency", max: 50), ObjectiveConstraint("memory", max: 60)]
    let r = try evolution(s).run(evaluator: CallCounter().evaluator(), output: d)
    #expect(r.anyFeasible && r.closest.isEmpty)
    for c in r.candidates {
      let ok = c.values[1] <= 50 && c.values[2] <= 60
      #expect(c.feasible == ok)
      #expect((c.violation == 0) == ok)
    }
    #expect(r.frontCandidates.allSatisfy { $0.feasible })
    let feasible = r.candidates.indices.filter { r.candidates[$0].feasible }
    #expect(r.front == Pareto.front(feasible.map { r.candidates[$0].values }, higherIsBetter: [true, false, false]).map { feasible[$0] })
  }

  @Test func noFeasibleCandidateListsTheClosest() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    var s = smallSettings(iterations: 2)
    s.constraints = [ObjectiveConstraint("memory", max: 0.5)]   // memory = 2b + 1 ≥ 1
    let r = try evolution(s).run(evaluator: CallCounter().evaluator(), output: d)
    #expect(!r.anyFeasible && r.front.isEmpty && r.hypervolume == 0 && r.referencePoint.isEmpty)
    #expect(r.closest.count == 10)
    let v = r.closest.map { r.candidates[$0].violation }
    #expect(v == v.sorted())
    #expect(v.first == (1 - 0.5) / 0.5)   // b = 0 is the closest possible and is found
  }

  @Test func evaluatorFailuresAreRecordedAndSkipped() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    let r = try evolution(smallSettings(iterations: 2)).run(evaluator: CallCounter().evaluator(failEvery: 5), output: d)
    let failed = r.candidates.filter { !$0.evaluated }
    #expect(!failed.isEmpty && r.failedCount == failed.count)
    #expect(failed.allSatisfy { $0.error?.contains("simulated failure") == true && !$0.feasible && $0.violation == .infinity })
    #expect(r.frontCandidates.allSatisfy { $0.evaluated })
    let reread = try SearchResult.load(from: d)
    #expect(reread.failedCount == failed.count)
  }

  @Test func wrongValueCountStopsTheSearch() {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    #expect(throws: SearchError.self) {
      try evolution(smallSettings()).run(evaluator: { _ in Evaluation([1]) }, output: d)
    }
  }

  @Test func budgetsStopCleanly() throws {
    let d1 = tempDir(), d2 = tempDir(), d3 = tempDir()
    defer { for d in [d1, d2, d3] { try? FileManager.default.removeItem(atPath: d) } }
    let timed = try evolution(smallSettings()).run(evaluator: CallCounter().evaluator(), output: d1.self) as SearchResult
    #expect(timed.stopReason == .completed)
    var s = smallSettings()
    s.budget.maxSeconds = 0
    let none = try evolution(s).run(evaluator: CallCounter().evaluator(), output: d2)
    #expect(none.stopReason == .maxSeconds && none.candidates.isEmpty)
    var n = 0
    let stopped = try evolution(smallSettings()).run(evaluator: CallCounter().evaluator(), output: d3, shouldStop: {
      n += 1
      return n > 7
    })
    #expect(stopped.stopReason == .stopRequested && stopped.candidates.count == 7)
  }

  @Test func progressReportsFractionAndETA() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    var fractions: [Double] = [], iterations: [Int] = [], etaSeen = false
    let r = try evolution(smallSettings(iterations: 3)).run(evaluator: CallCounter().evaluator(), output: d) { e in
      switch e {
      case let .progress(p):
        fractions.append(p.budgetFraction)
        if p.etaSeconds != nil { etaSeen = true }
        #expect(p.evaluated == p.last.index + 1 && p.iterations == 3)
      case let .iterationFinished(it, _, frontSize, _):
        iterations.append(it)
        #expect(frontSize > 0)
      case .warning: Issue.record("no warning expected")
      }
    }
    #expect(fractions.count == r.candidates.count)
    #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 })
    #expect(fractions.first! > 0 && fractions.last! <= 1)
    #expect(iterations == [0, 1, 2, 3])
    #expect(etaSeen)
  }

  @Test func lostRecordsAreReportedOnResume() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    _ = try evolution(smallSettings(iterations: 1)).run(evaluator: CallCounter().evaluator(), output: d)
    let store = SearchStore(directory: d)
    let lines = try String(contentsOfFile: store.candidatesPath, encoding: .utf8).split(separator: "\n")
    try (lines.prefix(30).joined(separator: "\n") + "\n").write(toFile: store.candidatesPath, atomically: true, encoding: .utf8)
    let r = try evolution(smallSettings(iterations: 2)).resume(from: d, evaluator: CallCounter().evaluator())
    #expect(r.warnings.count == 1 && r.warnings[0].contains("checkpoint saw \(lines.count)"))
  }

  @Test func filesAreWrittenAsDocumented() throws {
    let d = tempDir()
    defer { try? FileManager.default.removeItem(atPath: d) }
    let r = try evolution(smallSettings(iterations: 1)).run(evaluator: CallCounter().evaluator(), output: d)
    let store = SearchStore(directory: d)
    let lines = try String(contentsOfFile: store.candidatesPath, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == r.candidates.count)
    let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
    #expect(Set(first.keys) == ["arch_id", "config", "error", "eval_seconds", "feasible", "index", "iteration", "key",
                                "metadata", "objectives", "origin", "parents", "violation"])
    let obj = first["objectives"] as! [String: Double]
    #expect(Set(obj.keys) == ["quality", "latency", "memory"])
    #expect((first["config"] as! [String: Any]).keys.sorted() == ["a", "b"])
    let state = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: store.statePath))) as! [String: Any]
    #expect(state["algorithm"] as? String == "evolution")
    #expect(state["iteration"] as? Int == 2)
    #expect(((state["strategy"] as? [String: Any])?["selection_counts"] as? [String: Int])?.values.reduce(0, +) == 5)
    #expect((state["rng"] as? [String: Any])?["state"] is NSNumber)
    #expect(state["pending"] is [Any] && state["settings"] is [String: Any] && state["space"] as? String == "pair-space|60")
    #expect(!FileManager.default.fileExists(atPath: store.statePath + ".tmp"))
    let json = try r.jsonData()
    #expect(json.count > 100)
  }
}
