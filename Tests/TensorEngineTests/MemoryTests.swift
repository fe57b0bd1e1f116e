import Foundation
import Testing
@testable import TensorEngine

/// Allocation accounting: exact live bytes and high-water marks of known op sequences.
@Suite struct MemoryTests {
  @Test func highWaterMarkOfAllocations() throws {
    MemoryTracker.withScope { scope in
      let a = Tensor.zeros([10])           // 40 B
      var b: Tensor? = Tensor.zeros([20])  // 80 B
      let c = Tensor.zeros([30])           // 120 B
      #expect(scope.liveBytes == 240 && scope.peakBytes == 240)
      b = nil
      #expect(b == nil)
      #expect(scope.liveBytes == 160 && scope.peakBytes == 240)
      let d = Tensor.zeros([5])            // 20 B
      #expect(scope.liveBytes == 180 && scope.peakBytes == 240)
      withExtendedLifetime((a, c, d)) {}
    }
  }

  @Test func peakOfAKnownOpSequence() throws {
    let x = randn([4, 8], seed: 1)               // allocated outside: not counted
    let w = randn([8, 16], seed: 2), bias = randn([16], seed: 3)
    let (_, peak) = try MemoryTracker.measurePeak { () -> Float in
      let h = try x.linear(weight: w, bias: bias)    // [4, 16]: 256 B
      let g = try h.gelu()                           // 256 B
      let r = try g + h                              // 256 B (views and inputs stay alive)
      return try r.sum().item                        // sum: zeros [1, 1] 4 B → reshape view
    }
    #expect(peak == 256 * 3 + 4)
    // Views allocate nothing; reshaping a strided view copies it once ([4, 4] = 64 B).
    let (_, viewPeak) = try MemoryTracker.measurePeak { try x.transposed().slice(axis: 0, range: 0..<4).rank }
    #expect(viewPeak == 0)
    let (_, copyPeak) = try MemoryTracker.measurePeak { try x.transposed().slice(axis: 0, range: 0..<4).reshaped([-1]).rank }
    #expect(copyPeak == 64)
  }

  @Test func scopeIgnoresOtherThreads() throws {
    let done = DispatchSemaphore(value: 0)
    let (_, peak) = MemoryTracker.measurePeak { () -> Int in
      let t = Thread {
        for _ in 0..<50 { _ = Tensor.zeros([1000]) }
        done.signal()
      }
      t.start()
      let mine = Tensor.zeros([25])
      done.wait()
      return mine.count
    }
    #expect(peak == 100)
  }
}
