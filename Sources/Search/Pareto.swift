/// Pareto dominance, fronts, non-dominated sorting and crowding distance on N-D points with any
/// mix of maximised and minimised objectives.
///
/// A point is `[Double]` with one value per objective. `a` dominates `b` when it is at least as
/// good in every objective and strictly better in one. Equal points do not dominate each other,
/// so duplicates are all on the front.
public enum Pareto {
  /// Whether `a` dominates `b` (`higherIsBetter[j]` per objective).
  public static func dominates(_ a: [Double], _ b: [Double], higherIsBetter: [Bool]) -> Bool {
    var strictly = false
    for j in 0..<a.count {
      let x = higherIsBetter[j] ? a[j] : -a[j]
      let y = higherIsBetter[j] ? b[j] : -b[j]
      if x < y { return false }
      if x > y { strictly = true }
    }
    return strictly
  }

  /// Indices of the non-dominated points, in input order.
  public static func front(_ points: [[Double]], higherIsBetter: [Bool]) -> [Int] {
    // Sort by the first objective (best first) so a dominated point's dominators come earlier
    // than or tied with it; then one pass against the current front suffices.
    let order = points.indices.sorted { a, b in
      let x = higherIsBetter[0] ? -points[a][0] : points[a][0]
      let y = higherIsBetter[0] ? -points[b][0] : points[b][0]
      return x != y ? x < y : a < b
    }
    var kept: [Int] = []
    for i in order {
      if kept.contains(where: { dominates(points[$0], points[i], higherIsBetter: higherIsBetter) }) { continue }
      kept.removeAll { dominates(points[i], points[$0], higherIsBetter: higherIsBetter) }
      kept.append(i)
    }
    return kept.sorted()
  }

  /// Fronts of non-dominated sorting (NSGA-II): front 0 is the Pareto front, front 1 the front of
  /// the rest, and so on. Each front lists indices in input order.
  public static func nonDominatedSort(_ points: [[Double]], higherIsBetter: [Bool]) -> [[Int]] {
    let n = points.count
    var dominatedBy = [[Int]](repeating: [], count: n)
    var count = [Int](repeating: 0, count: n)
    for i in 0..<n {
      for j in (i + 1)..<max(n, i + 1) {
        if dominates(points[i], points[j], higherIsBetter: higherIsBetter) {
          dominatedBy[i].append(j); count[j] += 1
        } else if dominates(points[j], points[i], higherIsBetter: higherIsBetter) {
          dominatedBy[j].append(i); count[i] += 1
        }
      }
    }
    var fronts: [[Int]] = []
    var current = (0..<n).filter { count[$0] == 0 }
    while !current.isEmpty {
      fronts.append(current)
      var next: [Int] = []
      for i in current {
        for j in dominatedBy[i] {
          count[j] -= 1
          if count[j] == 0 { next.append(j) }
        }
      }
      current = next.sorted()
    }
    return fronts
  }

  /// NSGA-II crowding distance of each point of one front (same order as `points`): the sum over
  /// objectives of the normalised gap between its neighbours; boundary points get +∞.
  public static func crowdingDistance(_ points: [[Double]]) -> [Double] {
    let n = points.count
    guard n > 2 else { return [Double](repeating: .infinity, count: n) }
    var d = [Double](repeating: 0, count: n)
    for j in 0..<points[0].count {
      let order = (0..<n).sorted { points[$0][j] != points[$1][j] ? points[$0][j] < points[$1][j] : $0 < $1 }
      let lo = points[order[0]][j], hi = points[order[n - 1]][j]
      d[order[0]] = .infinity
      d[order[n - 1]] = .infinity
      guard hi > lo else { continue }
      for k in 1..<(n - 1) { d[order[k]] += (points[order[k + 1]][j] - points[order[k - 1]][j]) / (hi - lo) }
    }
    return d
  }
}
