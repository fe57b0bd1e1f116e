import Testing
@testable import Benchmarks
import SearchSpaces

/// Rank statistics against SciPy 1.17 outputs (`spearmanr`, `kendalltau`, `rankdata`) and
/// `numpy.percentile`, computed once and hard-coded; ties are included on purpose.
struct RankStatsTests {
  static let tol = 1e-12

  @Test func averageRanksForTies() {
    #expect(RankStats.ranks([12, 2, 1, 12, 2]) == [4.5, 2.5, 1, 4.5, 2.5])
    #expect(RankStats.ranks([1, 1, 2, 2, 3, 3, 4, 5, 5, 6]) == [1.5, 1.5, 3.5, 3.5, 5.5, 5.5, 7, 8.5, 8.5, 10])
    #expect(RankStats.ranks([]) == [])
  }

  @Test(arguments: [
    // (x, y, scipy spearmanr, scipy kendalltau τ-b)
    ([1.0, 2, 3, 4, 5], [5.0, 6, 7, 8, 7], 0.8207826816681233, 0.7378647873726218),
    ([12.0, 2, 1, 12, 2], [1.0, 4, 7, 1, 0], -0.5407380704358752, -0.4714045207910316),
    ([1.0, 1, 2, 2, 3, 3, 4, 5, 5, 6], [2.0, 1, 2, 4, 3, 3, 6, 5, 5, 4], 0.7857142857142858, 0.6097560975609757),
    ([0.5, 2.5, 1.0, 1.0, 3.0, -1.0, 2.5, 4.0], [10.0, 30, 20, 25, 30, 5, 30, 40], 0.9753829766914699, 0.9413574486632834),
  ])
  func matchesScipy(x: [Double], y: [Double], rho: Double, tau: Double) throws {
    let s = try #require(RankStats.spearman(x, y))
    let t = try #require(RankStats.kendallTauB(x, y))
    #expect(abs(s - rho) < Self.tol)
    #expect(abs(t - tau) < Self.tol)
    // Symmetric in its arguments, and reversing one side flips the sign.
    #expect(abs(try #require(RankStats.kendallTauB(y, x)) - tau) < Self.tol)
    #expect(abs(try #require(RankStats.spearman(x, y.map { -$0 })) + rho) < Self.tol)
  }

  @Test func perfectAndUndefined() {
    #expect(RankStats.spearman([1, 2, 3], [10, 20, 30]) == 1)
    #expect(RankStats.kendallTauB([1, 2, 3], [30, 20, 10]) == -1)
    #expect(RankStats.spearman([1, 1, 1], [1, 2, 3]) == nil)
    #expect(RankStats.kendallTauB([1, 2, 3], [4, 4, 4]) == nil)
    #expect(RankStats.kendallTauB([1], [1]) == nil)
  }

  /// The O(n log n) τ-b equals the O(n²) definition on random vectors with many ties.
  @Test func kendallMatchesQuadraticDefinition() throws {
    var rng = SplitMix64(seed: 7)
    for n in [2, 3, 17, 64, 301] {
      let x = (0..<n).map { _ in Double(rng.next() % 9) }
      let y = (0..<n).map { _ in Double(rng.next() % 6) }
      var conc = 0, disc = 0, tx = 0, ty = 0
      for i in 0..<n {
        for j in (i + 1)..<n {
          let a = x[i] - x[j], b = y[i] - y[j]
          if a == 0 && b == 0 { continue }
          if a == 0 { tx += 1 } else if b == 0 { ty += 1 } else if a * b > 0 { conc += 1 } else { disc += 1 }
        }
      }
      let ref = Double(conc - disc) / (Double(conc + disc + tx) * Double(conc + disc + ty)).squareRoot()
      let got = try #require(RankStats.kendallTauB(x, y))
      #expect(abs(got - ref) < 1e-12, "n = \(n)")
    }
  }

  @Test func topKOverlap() {
    let truth: [Double] = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    // k = 20% of 10 = 2: truth top = {0, 1}; proxy top = {0, 5}.
    #expect(RankStats.topKOverlap(truth: truth, proxy: [9, 1, 1, 1, 1, 8, 1, 1, 1, 1], fraction: 0.2) == 0.5)
    #expect(RankStats.topKOverlap(truth: truth, proxy: truth, fraction: 0.3) == 1)
    #expect(RankStats.topKOverlap(truth: truth, proxy: truth.map { -$0 }, fraction: 0.3) == 0)
    // Default 10% of 10 = 1, and k ≥ 1 for tiny n.
    #expect(RankStats.topCount(n: 10, fraction: 0.1) == 1)
    #expect(RankStats.topCount(n: 200, fraction: 0.1) == 20)
    #expect(RankStats.topCount(n: 3, fraction: 0.1) == 1)
    #expect(RankStats.topKOverlap(truth: [], proxy: []) == nil)
  }

  /// Ties at the cut count as the expected overlap under random tie-breaking, not by record order.
  @Test func topKOverlapWithTiesAtTheCut() throws {
    let truth: [Double] = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    // k = 2; proxy: index 0 above the cut, indices 1, 2, 3 tied for the last place (1/3 each).
    let proxy: [Double] = [5, 3, 3, 3, 0, 0, 0, 0, 0, 0]
    let third = 1.0 / 3
    let expected: [Double] = [1, third, third, third, 0, 0, 0, 0, 0, 0]
    #expect(RankStats.topMembership(proxy, k: 2) == expected)
    let o = try #require(RankStats.topKOverlap(truth: truth, proxy: proxy, fraction: 0.2))
    #expect(abs(o - (1 + 1.0 / 3) / 2) < 1e-12)
    // A constant proxy scores exactly the chance level, whatever the record order.
    let constant = [Double](repeating: 1, count: 10)
    #expect(RankStats.topKOverlap(truth: truth, proxy: constant, fraction: 0.2) == 0.2)
    #expect(RankStats.topKOverlap(truth: Array(truth.reversed()), proxy: constant, fraction: 0.2) == 0.2)
  }

  @Test func percentileMatchesNumpy() {
    let v: [Double] = [1, 2, 3, 4, 10]
    #expect(abs(RankStats.percentile(sorted: v, 2.5) - 1.1) < 1e-12)
    #expect(abs(RankStats.percentile(sorted: v, 97.5) - 9.4) < 1e-12)
    #expect(RankStats.percentile(sorted: v, 50) == 3)
    #expect(abs(RankStats.percentile(sorted: v, 33) - 2.32) < 1e-12)
  }

  @Test func bootstrapIsSeededAndBracketsTheEstimate() throws {
    var rng = SplitMix64(seed: 1)
    let x = (0..<120).map { _ in rng.nextNormal() }
    let y = x.map { $0 + 0.8 * rng.nextNormal() }
    let rho = try #require(RankStats.spearman(x, y))
    let a = try #require(RankStats.bootstrapCI(x, y, resamples: 500, seed: 42, statistic: RankStats.spearman))
    let b = try #require(RankStats.bootstrapCI(x, y, resamples: 500, seed: 42, statistic: RankStats.spearman))
    let c = try #require(RankStats.bootstrapCI(x, y, resamples: 500, seed: 43, statistic: RankStats.spearman))
    #expect(a == b)
    #expect(a != c)
    #expect(a.resamples == 500)
    #expect(a.lower < rho && rho < a.upper)
    #expect(a.upper - a.lower > 0.05 && a.upper - a.lower < 0.5)
    // A constant vector never gives a defined statistic.
    #expect(RankStats.bootstrapCI([1, 1, 1], [1, 2, 3], statistic: RankStats.spearman) == nil)
  }
}
