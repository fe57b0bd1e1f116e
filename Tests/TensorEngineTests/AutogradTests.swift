import Foundation
import Testing
@testable import TensorEngine

/// The tape itself: accumulation over shared inputs, no-grad mode, and its errors.
@Suite struct AutogradTests {
  @Test func gradientsAccumulateOverReuseAndCalls() throws {
    let x = try Tensor(shape: [2], values: [3, -1], requiresGrad: true)
    try (x * x + x).sum().backward()          // d/dx (x² + x) = 2x + 1
    #expect(x.grad?.values == [7, -1])
    try x.sum().backward()                    // accumulates onto the stored gradient
    #expect(x.grad?.values == [8, 0])
    x.zeroGrad()
    #expect(x.grad == nil)
  }

  @Test func noGradRecordsNothingAndIsPerThread() throws {
    let w = Tensor.full([3], 2, requiresGrad: true)
    let y = try withNoGrad { try w.scaled(3) }
    #expect(!y.requiresGrad && y.isLeaf)
    // Another thread inside withNoGrad does not switch recording off here.
    let inside = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
    let t = Thread {
      withNoGrad {
        inside.signal()
        release.wait()
      }
    }
    t.start()
    inside.wait()
    let z = try w.scaled(3)
    release.signal()
    #expect(z.requiresGrad && !z.isLeaf)
  }

  @Test func backwardErrors() throws {
    let w = Tensor.full([3], 2, requiresGrad: true)
    #expect(throws: TensorError.self) { try w.scaled(2).backward() }           // not a scalar
    #expect(throws: TensorError.self) { try Tensor.full([3], 1).sum().backward() }  // nothing needs grad
    #expect(throws: TensorError.self) { try w.scaled(2).backward(seed: Tensor.zeros([2])) }
  }
}
