import Foundation
import Testing
import SearchSpaces
@testable import TensorEngine

/// The two normal samplers: moments, repeatability from a seed, and independence of the thread
/// count (randn's blocks) or of nothing but the stream (randnPolar).
struct RandomTests {
  func moments(_ t: Tensor) -> (mean: Double, std: Double) {
    let v = t.values.map(Double.init)
    let m = v.reduce(0, +) / Double(v.count)
    return (m, (v.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(v.count - 1)).squareRoot())
  }

  @Test(arguments: [false, true]) func normalMomentsAndRepeatability(_ polar: Bool) throws {
    func draw(_ seed: UInt64) -> Tensor {
      var r = SplitMix64(seed: seed)
      return polar ? Tensor.randnPolar([200_001], std: 0.02, using: &r) : Tensor.randn([200_001], std: 0.02, using: &r)
    }
    let a = draw(7)
    let (m, s) = moments(a)
    #expect(abs(m) < 0.02 * 0.01)                   // 200k samples: sd of the mean ≈ 0.0022·std
    #expect(abs(s / 0.02 - 1) < 0.01)
    let within3 = a.values.filter { abs($0) < 0.06 }.count
    #expect(abs(Double(within3) / Double(a.count) - 0.9973) < 0.001)
    #expect(draw(7).values == a.values)             // same seed → same values
    #expect(draw(8).values != a.values)
    #expect(a.values.last! != 0)                    // an odd count fills its last element
  }

  @Test func randnDoesNotDependOnTheThreadCount() {
    let saved = Engine.threads
    defer { Engine.threads = saved }
    var r1 = SplitMix64(seed: 3), r2 = SplitMix64(seed: 3)
    Engine.threads = 1
    let one = Tensor.randn([100_000], using: &r1)
    Engine.threads = 2
    let two = Tensor.randn([100_000], using: &r2)
    #expect(one.values == two.values)
  }
}
