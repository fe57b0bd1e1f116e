/// Exact hypervolume of a set of points against a reference point, for any number of objectives
/// (2-D staircase; 3-D sweep with an incremental staircase, O(n²); ≥ 4-D recursive slicing).
///
/// The hypervolume is the measure of the region dominated by the points and bounded by the
/// reference point: for minimised objectives, ∪ᵢ [pᵢ, ref]. Points that are not strictly better
/// than the reference in every objective add nothing.
///
/// **Reference point.** `Hypervolume.referencePoint(_:higherIsBetter:margin:)` takes the worst value
/// seen per objective and moves it 10% of the observed range further out (10% of |worst|, or 1,
/// when all values are equal), so that every point, including the extremes of the front, adds
/// volume. A search uses that rule over all its feasible candidates unless the user gives
/// `SearchSettings.referencePoint`; the per-iteration hypervolumes of one result share one
/// reference, so they are comparable.
public enum Hypervolume {
  /// The hypervolume of `points` (any mix of directions) against `reference`.
  public static func of(_ points: [[Double]], reference: [Double], higherIsBetter: [Bool]) -> Double {
    let m = reference.count
    // Orient everything for minimisation.
    let ref = (0..<m).map { higherIsBetter[$0] ? -reference[$0] : reference[$0] }
    let pts = points.map { p in (0..<m).map { higherIsBetter[$0] ? -p[$0] : p[$0] } }
      .filter { p in (0..<m).allSatisfy { p[$0] < ref[$0] } }
    return minimised(pts, ref)
  }

  /// Hypervolume of minimisation points all strictly better than `ref`.
  static func minimised(_ pts: [[Double]], _ ref: [Double]) -> Double {
    let m = ref.count
    if pts.isEmpty { return 0 }
    if m == 1 { return ref[0] - pts.map { $0[0] }.min()! }
    if m == 2 { return area2D(pts.sorted { $0[0] != $1[0] ? $0[0] < $1[0] : $0[1] < $1[1] }, ref) }
    if m == 3 { return volume3D(pts, ref) }
    // Slice along the last objective: between consecutive values, the cross-section is the
    // (m−1)-D hypervolume of the points at or below that value.
    let s = pts.sorted { $0[m - 1] < $1[m - 1] }
    var vol = 0.0
    var active: [[Double]] = []
    for (k, p) in s.enumerated() {
      active.append(Array(p.prefix(m - 1)))
      let top = k + 1 < s.count ? s[k + 1][m - 1] : ref[m - 1]
      let h = top - p[m - 1]
      if h > 0 { vol += h * minimised(active, Array(ref.prefix(m - 1))) }
    }
    return vol
  }

  /// 3-D sweep in O(n²): points by increasing z; a 2-D staircase of the points seen so far
  /// (x ascending, y descending) gives the cross-section area of each z slab.
  static func volume3D(_ pts: [[Double]], _ ref: [Double]) -> Double {
    let s = pts.sorted { $0[2] < $1[2] }
    var stair: [(x: Double, y: Double)] = []
    var area = 0.0, vol = 0.0
    for (k, p) in s.enumerated() {
      let x = p[0], y = p[1]
      // First step with a larger x (binary search).
      var lo = 0, hi = stair.count
      while lo < hi {
        let mid = (lo + hi) / 2
        if stair[mid].x <= x { lo = mid + 1 } else { hi = mid }
      }
      let i = lo
      if !(i > 0 && stair[i - 1].y <= y) {  // not dominated by a step at or left of x
        var a = i
        while a > 0 && stair[a - 1].x == x { a -= 1 }  // same x, larger y: dominated by p
        var b = i
        while b < stair.count && stair[b].y >= y { b += 1 }  // right of x, not lower: dominated
        stair.replaceSubrange(a..<b, with: [(x, y)])
        area = 0
        for (j, st) in stair.enumerated() {
          let xEnd = j + 1 < stair.count ? stair[j + 1].x : ref[0]
          area += (xEnd - st.x) * (ref[1] - st.y)
        }
      }
      let top = k + 1 < s.count ? s[k + 1][2] : ref[2]
      vol += (top - p[2]) * area
    }
    return vol
  }

  /// 2-D area dominated by minimisation points sorted by x (then y).
  static func area2D(_ s: [[Double]], _ ref: [Double]) -> Double {
    // Staircase: walking x ascending, each new best y starts a step that runs to the next step's x.
    var steps: [(x: Double, y: Double)] = []
    var bestY = ref[1]
    for p in s where p[1] < bestY {
      steps.append((p[0], p[1]))
      bestY = p[1]
    }
    var area = 0.0
    for (k, st) in steps.enumerated() {
      let xEnd = k + 1 < steps.count ? steps[k + 1].x : ref[0]
      area += (xEnd - st.x) * (ref[1] - st.y)
    }
    return area
  }

  /// The default reference point: per objective the worst value of `points` moved out by
  /// `margin` × (worst − best), or `margin` × |worst| (1 when worst is 0) if all values are equal.
  public static func referencePoint(_ points: [[Double]], higherIsBetter: [Bool], margin: Double = 0.1) -> [Double] {
    guard let first = points.first else { return [] }
    return (0..<first.count).map { j in
      let col = points.map { $0[j] }
      let lo = col.min()!, hi = col.max()!
      let worst = higherIsBetter[j] ? lo : hi
      var gap = (hi - lo) * margin
      if gap == 0 { gap = worst == 0 ? margin : abs(worst) * margin }
      return higherIsBetter[j] ? worst - gap : worst + gap
    }
  }

  /// The box volume between the ideal point (best per objective) and `reference`: the largest
  /// possible hypervolume of `points`, used to report a hypervolume normalised to [0, 1].
  public static func boxVolume(_ points: [[Double]], reference: [Double], higherIsBetter: [Bool]) -> Double {
    guard let first = points.first else { return 0 }
    var v = 1.0
    for j in 0..<first.count {
      let col = points.map { $0[j] }
      let ideal = higherIsBetter[j] ? col.max()! : col.min()!
      v *= abs(reference[j] - ideal)
    }
    return v
  }
}
