import Testing
import SearchSpaces
@testable import Search

/// Pareto dominance, fronts, sorting and hypervolume on hand-made points with known answers.
@Suite struct ParetoTests {
  @Test func frontWithMixedDirections() {
    // maximise x, minimise y
    let pts: [[Double]] = [[1, 1], [2, 2], [2, 1], [0, 0], [3, 5], [2, 1]]
    let f = Pareto.front(pts, higherIsBetter: [true, false])
    #expect(f == [2, 3, 4, 5])   // [2,1] twice (equal points do not dominate), [0,0], [3,5]
    #expect(Pareto.dominates([2, 1], [1, 1], higherIsBetter: [true, false]))
    #expect(!Pareto.dominates([2, 1], [2, 1], higherIsBetter: [true, false]))
  }

  @Test func front3D() {
    let pts: [[Double]] = [[1, 1, 1], [0, 0, 2], [2, 2, 2], [1, 1, 0.5], [0.5, 3, 0]]
    #expect(Pareto.front(pts, higherIsBetter: [false, false, false]) == [1, 3, 4])
    #expect(Pareto.front(pts, higherIsBetter: [true, true, true]) == [2, 4])   // [2,2,2] dominates [0,0,2]
  }

  @Test func nonDominatedSortAndCrowding() {
    let pts: [[Double]] = [[1, 4], [2, 3], [3, 2], [4, 1], [2, 4], [3, 3], [4, 4]]
    let fronts = Pareto.nonDominatedSort(pts, higherIsBetter: [false, false])
    #expect(fronts == [[0, 1, 2, 3], [4, 5], [6]])
    let d = Pareto.crowdingDistance(fronts[0].map { pts[$0] })
    #expect(d[0] == .infinity && d[3] == .infinity)
    #expect(abs(d[1] - (2.0 / 3 + 2.0 / 3)) < 1e-12)
    #expect(abs(d[2] - 4.0 / 3) < 1e-12)
  }

  @Test func hypervolume2D() {
    let pts: [[Double]] = [[1, 3], [2, 2], [3, 1]]
    #expect(Hypervolume.of(pts, reference: [4, 4], higherIsBetter: [false, false]) == 6)
    // Dominated and out-of-reference points add nothing.
    #expect(Hypervolume.of(pts + [[3, 3], [5, 0]], reference: [4, 4], higherIsBetter: [false, false]) == 6)
    // Maximising both: mirror image.
    #expect(Hypervolume.of(pts.map { $0.map { -$0 } }, reference: [-4, -4], higherIsBetter: [true, true]) == 6)
  }

  @Test func hypervolume3D() {
    #expect(Hypervolume.of([[0, 0, 0]], reference: [1, 2, 3], higherIsBetter: [false, false, false]) == 6)
    // Two boxes 2·2·1 and 1·1·2 overlapping in a unit cube: 4 + 2 − 1.
    #expect(Hypervolume.of([[0, 0, 1], [1, 1, 0]], reference: [2, 2, 2], higherIsBetter: [false, false, false]) == 5)
    // LTS-like mix: params ↑, latency ↓, memory ↓.
    let pts: [[Double]] = [[10, 1, 1], [20, 2, 1]]
    // Boxes [10→0]·[1→3]·[1→2] = 10·2·1 = 20 and 20·1·1 = 20, overlap 10·1·1 = 10.
    #expect(Hypervolume.of(pts, reference: [0, 3, 2], higherIsBetter: [true, false, false]) == 30)
  }

  /// Exact union volume by inclusion–exclusion, for checking the slicing algorithm.
  func bruteForce(_ pts: [[Double]], _ ref: [Double]) -> Double {
    let n = pts.count, m = ref.count
    var total = 0.0
    for mask in 1..<(1 << n) {
      var corner = [Double](repeating: -.infinity, count: m)
      var bits = 0
      for i in 0..<n where mask & (1 << i) != 0 {
        bits += 1
        for j in 0..<m { corner[j] = max(corner[j], pts[i][j]) }
      }
      let v = (0..<m).reduce(1.0) { $0 * max(0, ref[$1] - corner[$1]) }
      total += bits % 2 == 1 ? v : -v
    }
    return total
  }

  @Test(arguments: [2, 3, 4])
  func hypervolumeMatchesInclusionExclusion(dims: Int) {
    var rng = SplitMix64(seed: UInt64(dims))
    for _ in 0..<30 {
      let pts = (0..<7).map { _ in (0..<dims).map { _ in Double(rng.nextIndex(10)) / 2 } }
      let ref = [Double](repeating: 5, count: dims)
      let hv = Hypervolume.of(pts, reference: ref, higherIsBetter: [Bool](repeating: false, count: dims))
      #expect(abs(hv - bruteForce(pts, ref)) < 1e-9)
    }
  }

  @Test func referencePointRule() {
    let pts: [[Double]] = [[10, 1], [20, 3]]
    // max x: worst 10 − 10% of 10; min y: worst 3 + 10% of 2.
    #expect(Hypervolume.referencePoint(pts, higherIsBetter: [true, false]) == [9, 3.2])
    // All equal: 10% of |worst|.
    #expect(Hypervolume.referencePoint([[5, 0]], higherIsBetter: [true, false]) == [4.5, 0.1])
    #expect(Hypervolume.boxVolume(pts, reference: [9, 3.2], higherIsBetter: [true, false]) == 11 * 2.2)
  }

  @Test func constraintViolationIsRelative() {
    let c = ObjectiveConstraint("latency", max: 20)
    #expect(c.violation(10) == 0)
    #expect(c.violation(25) == 0.25)
    #expect(ObjectiveConstraint("p", min: 100).violation(50) == 0.5)
    #expect(ObjectiveConstraint("p", max: 0).violation(2) == 2)
    #expect(c.violation(.nan) == .infinity)
  }
}
