import Foundation
import Testing
@testable import Benchmarks
import Proxies
import SearchSpaces

/// A benchmark of 8 toy GPT-2s in two groups (by id prefix); perplexity falls with depth.
private struct ToyBenchmark: RankingBenchmark {
  let name = "toy"
  let targetDescription = "toy perplexity"
  let lowerIsBetter = true
  let defaultFolder = "toy"
  let groupDescription = "letter"
  func load(path: String, options: [String: String]) throws -> BenchmarkData {
    let layers = [1, 2, 3, 4, 5, 6, 7, 8]
    let recs = layers.map { l in
      BenchmarkRecord(id: (l % 2 == 0 ? "a" : "b") + "\(l)",
                      config: GPT2Config(nLayer: l, dModel: 8, dInner: [Int](repeating: 16, count: l),
                                         nHead: [Int](repeating: 2, count: l), vocabSize: 10, nPositions: 4),
                      target: 100 / Double(l))
    }
    return BenchmarkData(records: recs, excluded: [("z9", "diverged")], note: "toy data")
  }
  func groupKey(_ r: BenchmarkRecord) -> String? { String(r.id.prefix(1)) }
}

/// Depth, undefined at depth 3.
private struct DepthProxy: Proxy {
  let name = "depth"
  let summary = "n_layer"
  func supports(backbone: String) -> Bool { true }
  func evaluate(_ c: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    let l = (c as! GPT2Config).nLayer
    return l == 3 ? .undefined("depth three") : ProxyResult(value: Double(l))
  }
}

/// Smaller = better: 1 / depth, with one swap (depths 5 and 6 exchanged).
private struct InverseProxy: Proxy {
  let name = "inverse"
  let summary = "1 / n_layer"
  let higherIsBetter = false
  func supports(backbone: String) -> Bool { true }
  func evaluate(_ c: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    let l = (c as! GPT2Config).nLayer
    return ProxyResult(value: 1 / Double(l == 5 ? 6 : l == 6 ? 5 : l))
  }
}

/// The size of the population it is ranked in, times depth (the population must be the records).
private struct PopulationProxy: Proxy {
  let name = "population"
  let summary = "population size"
  func supports(backbone: String) -> Bool { true }
  func evaluate(_ c: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    let depths = context.population.map { ($0 as! GPT2Config).nLayer }
    guard depths == [1, 2, 3, 4, 5, 6, 7, 8] else { return .undefined("population \(depths)") }
    return ProxyResult(value: Double((c as! GPT2Config).nLayer))
  }
}

private struct FailingProxy: Proxy {
  let name = "fails"
  let summary = "throws"
  func supports(backbone: String) -> Bool { true }
  func evaluate(_ c: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    throw ProxyError.invalidOption(proxy: name, option: "x", detail: "boom")
  }
}

struct RankRunnerTests {
  func runToy(_ proxies: [any Proxy], bootstrap: Int = 0) throws -> (BenchmarkData, [ProxyRanking]) {
    let b = ToyBenchmark()
    let data = try b.load(path: "", options: [:])
    var calls = 0
    let r = try RankRunner.run(b, data: data, proxies: proxies, context: ProxyContext(),
                               settings: RankSettings(bootstrap: bootstrap, seed: 5, topFraction: 0.25)) { done, total in
      calls += 1
      #expect(done == calls && total == 8 * proxies.count)
    }
    #expect(calls == 8 * proxies.count)
    return (data, r)
  }

  @Test func orientationExclusionsAndGroups() throws {
    let (_, r) = try runToy([DepthProxy(), InverseProxy()])
    let depth = r[0], inv = r[1]
    // Deeper = lower perplexity = better: depth is a perfect proxy on the 7 defined records.
    #expect(depth.n == 7 && depth.undefined == 1 && depth.undefinedReasons == ["depth three": 1])
    #expect(depth.spearman == 1 && depth.kendall == 1 && depth.topkOverlap == 1)
    // Lower-is-better proxy is negated: one adjacent swap among 8 → τ = 1 − 2·1/28, ρ = 1 − 6·2/(8·63).
    #expect(inv.n == 8 && inv.undefined == 0 && !inv.higherIsBetter)
    #expect(abs(try #require(inv.kendall) - (1 - 2.0 / 28)) < 1e-12)
    #expect(abs(try #require(inv.spearman) - (1 - 12.0 / 504)) < 1e-12)
    // top 25% = 2 best: depths 8, 7 in both.
    #expect(inv.topkOverlap == 1)
    // Groups: a = {2, 4, 6, 8}, b = {1, 3, 5, 7}; inverse swaps 5 ↔ 6 across groups, so both stay perfect.
    #expect(depth.groups.map(\.key) == ["a", "b"])
    #expect(depth.groups.map(\.n) == [4, 3])
    #expect(depth.meanGroupSpearman == 1)
    #expect(inv.groups.map(\.spearman) == [1, 1])
  }

  @Test func proxiesSeeTheRecordsConfigsAsTheirPopulation() throws {
    let b = ToyBenchmark()
    let data = try b.load(path: "", options: [:])
    let pop = try RankRunner.run(b, data: data, proxies: [PopulationProxy()], context: ProxyContext(), settings: RankSettings(bootstrap: 0))
    #expect(pop[0].n == 8 && pop[0].undefined == 0)
  }

  @Test func bootstrapIntervalsArePairedAndSeeded() throws {
    let (_, a) = try runToy([InverseProxy()], bootstrap: 300)
    let (_, b) = try runToy([InverseProxy()], bootstrap: 300)
    let ci = try #require(a[0].kendallCI)
    #expect(ci == b[0].kendallCI)
    #expect(ci.lower <= a[0].kendall! && a[0].kendall! <= ci.upper && ci.upper <= 1)
    #expect(a[0].spearmanCI != nil && a[0].topkCI != nil)
  }

  @Test func throwingProxyNamesRecordAndProxy() {
    do {
      _ = try runToy([FailingProxy()])
      Issue.record("expected an error")
    } catch {
      #expect("\(error)".hasPrefix("toy: record b1: proxy fails:"), "\(error)")
    }
  }

  @Test func textReportStatesTheSignConventionAndGroups() throws {
    let (data, r) = try runToy([DepthProxy(), InverseProxy()], bootstrap: 100)
    let text = RankReport.text(benchmark: ToyBenchmark(), path: "p", data: data, rankings: r,
                               settings: RankSettings(bootstrap: 100, seed: 5, topFraction: 0.25))
    #expect(text.contains("lower is better; correlations are with −target, so a good proxy is positive"))
    #expect(text.contains("1 excluded by the loader (1× diverged)"))
    #expect(text.contains("inverse (−)"))
    #expect(text.contains("depth: 1 undefined, excluded (1× depth three)"))
    #expect(text.contains("Spearman ρ within each letter:"))
    #expect(text.contains("top-25% [95% CI]"))
  }

  @Test func jsonReportParses() throws {
    let (data, r) = try runToy([DepthProxy()], bootstrap: 50)
    let line = RankReport.json(benchmark: ToyBenchmark(), data: data, ranking: r[0])
    #expect(!line.contains("\n"))
    let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    #expect(o["proxy"] as? String == "depth")
    #expect(o["n"] as? Int == 7)
    #expect(o["spearman"] as? Double == 1)
    #expect(o["kendall"] as? Double == 1)
    #expect(o["topk_overlap"] as? Double == 1)
    #expect(o["undefined"] as? Int == 1 && o["excluded_by_loader"] as? Int == 1)
    #expect((o["spearman_ci"] as? [Double])?.count == 2)
    let groups = try #require(o["groups"] as? [String: [String: Any]])
    #expect(groups["a"]?["n"] as? Int == 4)
    #expect(o["mean_group_spearman"] as? Double == 1)
  }

  @Test func jsonLineFormatting() {
    var o = JSONLine()
    o["i"] = .int(3)
    o["whole"] = .number(1_790_372)
    o["frac"] = .number(0.25)
    o["none"] = .number(nil)
    o["s"] = .string("a\"b\\c\n")
    o["i"] = .int(4)  // replacing keeps the position
    #expect(o.text == #"{"i": 4, "whole": 1790372, "frac": 0.25, "none": null, "s": "a\"b\\c\n"}"#)
    #expect(JSONLine.format(.nan) == "null")
    #expect(JSONLine.format(1e20) == "1e+20")
  }
}
