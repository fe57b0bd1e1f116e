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

  /// Ops whose backward needs their own output (tanh, sigmoid, exp, sqrt, softmax, log-softmax)
  /// must not keep their graph alive: every storage made in the scope is freed once the results
  /// are dropped, whether or not `backward` ran, and a backward frees the graph it walked.
  @Test func graphsAreFreedWithOrWithoutBackward() throws {
    let x = try Tensor(shape: [6, 5], values: (0..<30).map { Float($0 % 7) * 0.3 - 0.9 }, requiresGrad: true)
    func chain() throws -> Tensor {
      let a = try x.tanh().sigmoid().exp()
      let b = try x.square().adding(1).sqrt()
      return try (a * b).softmax(axis: -1).logSoftmax(axis: 0).sum()
    }
    try MemoryTracker.withScope { scope in
      do { _ = try chain() }                       // built, never back-propagated
      #expect(scope.liveBytes == 0)
      do {
        let loss = try chain()
        try loss.backward()
        #expect(loss.isLeaf)                        // its node was released by backward
      }
      #expect(x.grad != nil)
      let held = x.grad!.count * 4
      #expect(scope.liveBytes == held)              // only the leaf's gradient survives
    }
  }

  @Test func backwardErrors() throws {
    let w = Tensor.full([3], 2, requiresGrad: true)
    #expect(throws: TensorError.self) { try w.scaled(2).backward() }           // not a scalar
    #expect(throws: TensorError.self) { try Tensor.full([3], 1).sum().backward() }  // nothing needs grad
    #expect(throws: TensorError.self) { try w.scaled(2).backward(seed: Tensor.zeros([2])) }
  }
}
