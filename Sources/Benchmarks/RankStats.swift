import Foundation
import SearchSpaces

/// Rank-agreement statistics between a proxy and a ground truth.
///
/// Conventions: both inputs are oriented so that larger = better (callers negate perplexities and
/// proxies whose `higherIsBetter` is false). Statistics that are undefined for the input (fewer than
/// two points, or a constant vector) return `nil`, never NaN. The definitions match SciPy:
/// `spearman` = `scipy.stats.spearmanr` (average ranks for ties), `kendallTauB` =
/// `scipy.stats.kendalltau(variant="b")`, `percentile` = `numpy.percentile` (linear).
public enum RankStats {
  // MARK: - Ranks and correlations

  /// 1-based ranks of `x` (ascending), ties given the average of the ranks they span
  /// (`scipy.stats.rankdata(method="average")`). Values must not be NaN.
  ///
  /// Written with the standard library's `sorted()` and binary searches rather than a sort with a
  /// comparison closure, so it is fast in debug builds too (the bootstrap calls it thousands of times).
  public static func ranks(_ x: [Double]) -> [Double] {
    let s = x.sorted()
    return x.map { v in
      let lo = lowerBound(s, v), hi = upperBound(s, v)  // s[lo..<hi] == v: ranks lo+1 … hi
      return Double(lo + hi + 1) / 2
    }
  }

  /// First index of sorted `s` whose value is ≥ `v`.
  static func lowerBound(_ s: [Double], _ v: Double) -> Int {
    var lo = 0, hi = s.count
    while lo < hi { let m = (lo + hi) / 2; if s[m] < v { lo = m + 1 } else { hi = m } }
    return lo
  }

  /// First index of sorted `s` whose value is > `v`.
  static func upperBound(_ s: [Double], _ v: Double) -> Int {
    var lo = 0, hi = s.count
    while lo < hi { let m = (lo + hi) / 2; if s[m] <= v { lo = m + 1 } else { hi = m } }
    return lo
  }

  /// 0-based dense ranks (equal values share one rank, no gaps) and the number of distinct values.
  static func denseRanks(_ x: [Double]) -> (ranks: [Int], distinct: Int) {
    var u = x.sorted()
    var w = 0
    for i in u.indices where i == 0 || u[i] != u[w - 1] { u[w] = u[i]; w += 1 }
    u.removeLast(u.count - w)
    return (x.map { lowerBound(u, $0) }, w)
  }

  /// Pearson correlation; `nil` when n < 2 or either vector is constant.
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "pearson: lengths differ (\(x.count) vs \(y.count))")
    let n = Double(x.count)
    guard x.count >= 2 else { return nil }
    let mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for i in x.indices {
      let dx = x[i] - mx, dy = y[i] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return nil }
    return max(-1, min(1, sxy / (sxx * syy).squareRoot()))
  }

  /// Spearman ρ: Pearson correlation of the average ranks.
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "spearman: lengths differ (\(x.count) vs \(y.count))")
    return pearson(ranks(x), ranks(y))
  }

  /// Kendall τ-b with tie correction, in O(n log n) (Knight 1966, as SciPy):
  /// τ_b = (n₀ − n₁ − n₂ + n₃ − 2·swaps) / √((n₀ − n₁)(n₀ − n₂)), where n₀ = n(n−1)/2, n₁ / n₂ are
  /// the pairs tied in x / y, n₃ the pairs tied in both, and swaps the discordant pairs counted by a
  /// merge sort on y of the pairs sorted by (x, y). `nil` when either vector is constant.
  public static func kendallTauB(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "kendallTauB: lengths differ (\(x.count) vs \(y.count))")
    let n = x.count
    guard n >= 2 else { return nil }
    // Sort the pairs by (x, y) as one integer key per pair: dense rank of x · (distinct y) + rank of y.
    let (rx, _) = denseRanks(x), (ry, my) = denseRanks(y)
    var keys = zip(rx, ry).map { $0 * my + $1 }
    keys.sort()
    func tiedPairs(_ seq: [Int]) -> Int {
      var total = 0, run = 1
      for k in 1..<seq.count {
        if seq[k - 1] == seq[k] { run += 1 } else { total += run * (run - 1) / 2; run = 1 }
      }
      return total + run * (run - 1) / 2
    }
    let n0 = n * (n - 1) / 2
    let n1 = tiedPairs(keys.map { $0 / my })
    let n3 = tiedPairs(keys)
    // Merge sort the y ranks (in (x, y) order), counting inversions = discordant pairs.
    var ys = keys.map { $0 % my }
    var buf = ys
    var swaps = 0
    var width = 1
    while width < n {
      var lo = 0
      while lo < n {
        let mid = min(lo + width, n), hi = min(lo + 2 * width, n)
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
          if ys[i] <= ys[j] { buf[k] = ys[i]; i += 1 } else { buf[k] = ys[j]; swaps += mid - i; j += 1 }
          k += 1
        }
        while i < mid { buf[k] = ys[i]; i += 1; k += 1 }
        while j < hi { buf[k] = ys[j]; j += 1; k += 1 }
        lo = hi
      }
      swap(&ys, &buf)
      width *= 2
    }
    let n2 = tiedPairs(ys)
    let denom = (Double(n0 - n1) * Double(n0 - n2)).squareRoot()
    guard n0 - n1 > 0, n0 - n2 > 0 else { return nil }
    let num = Double(n0 - n1 - n2 + n3 - 2 * swaps)
    return max(-1, min(1, num / denom))
  }

  // MARK: - Top-k overlap

  /// Size of a top fraction of n items: `round(fraction · n)`, at least 1 and at most n.
  public static func topCount(n: Int, fraction: Double) -> Int {
    max(1, min(n, Int((fraction * Double(n)).rounded())))
  }

  /// Membership of each item in the top `k` of `v` (largest first): 1 above the cut, 0 below, and
  /// for the items tied at the cut value the share of the remaining places, (places left) / (tied),
  /// i.e. the probability of being chosen when the tie is broken at random. Sums to k.
  public static func topMembership(_ v: [Double], k: Int) -> [Double] {
    precondition(k >= 0 && k <= v.count, "topMembership: k = \(k) for \(v.count) items")
    var w = [Double](repeating: 0, count: v.count)
    guard k > 0 else { return w }
    let cut = v.sorted()[v.count - k]  // the k-th largest value
    var above = 0, tied = 0
    for x in v { if x > cut { above += 1 } else if x == cut { tied += 1 } }
    let share = Double(k - above) / Double(tied)
    for i in v.indices { w[i] = v[i] > cut ? 1 : v[i] == cut ? share : 0 }
    return w
  }

  /// Fraction of the true top-k (k = `topCount(n, fraction)`, default 10%) that is also in the
  /// proxy's top-k. 1 = the proxy finds every one of the best architectures; a random proxy
  /// scores about `fraction`. Ties at the cut (common for count proxies such as the number of
  /// layers) are not broken by record order: the value is the expected overlap when they are broken
  /// at random, Σᵢ wᵢ(truth)·wᵢ(proxy) / k with the memberships of `topMembership`. `nil` when n = 0.
  public static func topKOverlap(truth: [Double], proxy: [Double], fraction: Double = 0.1) -> Double? {
    precondition(truth.count == proxy.count, "topKOverlap: lengths differ (\(truth.count) vs \(proxy.count))")
    guard !truth.isEmpty else { return nil }
    let k = topCount(n: truth.count, fraction: fraction)
    let a = topMembership(truth, k: k), b = topMembership(proxy, k: k)
    return zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } / Double(k)
  }

  // MARK: - Bootstrap

  /// Linear-interpolation percentile of sorted values (`numpy.percentile`, method "linear").
  /// `q` in [0, 100].
  public static func percentile(sorted v: [Double], _ q: Double) -> Double {
    precondition(!v.isEmpty, "percentile of an empty array")
    let pos = q / 100 * Double(v.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(lo + 1, v.count - 1)
    return v[lo] + (pos - Double(lo)) * (v[hi] - v[lo])
  }

  /// A percentile bootstrap confidence interval.
  public struct Interval: Sendable, Equatable, Codable {
    public var lower: Double
    public var upper: Double
    /// Resamples on which the statistic was defined (others, e.g. constant resamples, are skipped).
    public var resamples: Int
  }

  /// Percentile bootstrap CI of `statistic(x, y)`: `resamples` draws of n pairs with replacement,
  /// from `SplitMix64(seed:)`, and the (1 − level)/2 and (1 + level)/2 percentiles of the values.
  /// The same seed gives the same interval. `nil` when the statistic is never defined.
  public static func bootstrapCI(_ x: [Double], _ y: [Double], resamples: Int = 1000, level: Double = 0.95,
                                 seed: UInt64 = 0,
                                 statistic: ([Double], [Double]) -> Double?) -> Interval? {
    precondition(x.count == y.count, "bootstrapCI: lengths differ (\(x.count) vs \(y.count))")
    let n = x.count
    guard n >= 2, resamples >= 1 else { return nil }
    var rng = SplitMix64(seed: seed)
    var values: [Double] = []
    values.reserveCapacity(resamples)
    var bx = [Double](repeating: 0, count: n), by = bx
    for _ in 0..<resamples {
      for i in 0..<n {
        let j = Int(rng.next() % UInt64(n))
        bx[i] = x[j]
        by[i] = y[j]
      }
      if let s = statistic(bx, by) { values.append(s) }
    }
    guard !values.isEmpty else { return nil }
    values.sort()
    let tail = (1 - level) / 2 * 100
    return Interval(lower: percentile(sorted: values, tail), upper: percentile(sorted: values, 100 - tail),
                    resamples: values.count)
  }
}
