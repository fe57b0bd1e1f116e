import Foundation
import Testing
@testable import TensorEngine

/// Packed-weight panels kept across calls (`Engine.withFrozenWeights`) and the storage pool.
@Suite(.serialized) struct PackedWeightsTests {
  static func values(_ n: Int, seed: Int) -> [Float] {
    (0..<n).map { Float(($0 &* 7919 &+ seed &* 104729) % 997) / 997 - 0.5 }
  }

  /// x · W (+ b) and x · Vᵀ with W, V parameters, unfrozen vs frozen (hit and miss), threads 1 and 2.
  /// Odd sizes (edge tiles, several NC blocks), split along m (n = 700: 3 NC blocks) and along n
  /// (n = 2100: 9 blocks) on 2 threads.
  @Test("frozen GEMMs equal unfrozen ones; panels are reused; mutation is seen",
        arguments: [(1, 37, 300, 700), (2, 37, 300, 700), (2, 50, 100, 2100)])
  func frozenMatchesAndInvalidates(threads: Int, m: Int, k: Int, n: Int) throws {
    let saved = Engine.threads
    Engine.threads = threads
    defer { Engine.threads = saved }
    let x = try Tensor(shape: [m, k], values: Self.values(m * k, seed: 1))
    let w = try Tensor(shape: [k, n], values: Self.values(k * n, seed: 2), requiresGrad: true)
    let bias = try Tensor(shape: [n], values: Self.values(n, seed: 3), requiresGrad: true)
    let v = try Tensor(shape: [n, k], values: Self.values(n * k, seed: 4), requiresGrad: true)
    func run() throws -> ([Float], [Float]) {
      try withNoGrad { (try x.linear(weight: w, bias: bias).values, try x.matmul(v.transposed()).values) }
    }
    let (l0, o0) = try run()
    let before = PackedWeights.packs
    let (l1, o1) = try Engine.withFrozenWeights { try run() }     // packs w and vᵀ
    let (l2, o2) = try Engine.withFrozenWeights { try run() }     // reuses them
    let packs = PackedWeights.packs - before
    #expect(packs == 2)
    #expect(l1 == l0 && l2 == l0 && o1 == o0 && o2 == o0)
    #expect(w.storage.hasPackedPanels && v.storage.hasPackedPanels)

    // A write through Tensor.pointer outside the scope drops the panels: the next result changes.
    w.pointer[5 * n + 3] += 1
    v.pointer[11 * k + 7] -= 2
    #expect(!w.storage.hasPackedPanels && !v.storage.hasPackedPanels)
    let (l3, o3) = try Engine.withFrozenWeights { try run() }
    let (l4, o4) = try run()
    #expect(l3 == l4 && o3 == o4)
    #expect(l3 != l0 && o3 != o0)
    #expect(abs(l3[2 * n + 3] - l0[2 * n + 3] - x.values[2 * k + 5]) < 1e-4)

    // A pointer held across the scope needs markModified().
    let p = w.pointer
    _ = try Engine.withFrozenWeights { try run() }
    p[0] += 1
    w.storage.markModified()
    let (l5, _) = try Engine.withFrozenWeights { try run() }
    #expect(l5 == (try run()).0)
    #expect(l5 != l3)
  }

  @Test("the frozen scope is per thread: a write from another thread still invalidates")
  func scopeIsPerThread() throws {
    // k > 512: the blocked (packing) path, not the unpacked small ones.
    let x = try Tensor(shape: [40, 600], values: Self.values(40 * 600, seed: 7))
    let w = try Tensor(shape: [600, 96], values: Self.values(600 * 96, seed: 8), requiresGrad: true)
    try Engine.withFrozenWeights {
      _ = try withNoGrad { try x.linear(weight: w, bias: nil) }
      #expect(w.storage.hasPackedPanels)
      _ = w.pointer                                   // this thread is frozen: kept
      #expect(w.storage.hasPackedPanels)
      let done = DispatchSemaphore(value: 0)
      let t = Thread { w.pointer[3] += 1; done.signal() }
      t.start()
      done.wait()
      #expect(!w.storage.hasPackedPanels)
    }
  }

  @Test("activations (non-parameters) are never cached")
  func activationsAreNotCached() throws {
    let x = try Tensor(shape: [40, 600], values: Self.values(40 * 600, seed: 5))
    let y = try Tensor(shape: [600, 96], values: Self.values(600 * 96, seed: 6))
    let before = PackedWeights.packs
    _ = try Engine.withFrozenWeights { try withNoGrad { try x.matmul(y) } }
    #expect(PackedWeights.packs == before)
    #expect(!y.storage.hasPackedPanels)
  }

  @Test("pooled storages keep live and peak bytes exact, and are reused")
  func poolKeepsAccountingExact() throws {
    let n = 300_001                                   // ≥ the pool minimum, not a size class
    let bytes = n * MemoryLayout<Float>.stride
    try MemoryTracker.withScope { scope in
      var a: Tensor? = Tensor(uninitializedShape: [n])
      let first = a!.storage.base
      #expect(scope.liveBytes == bytes && scope.peakBytes == bytes)
      a = nil
      #expect(scope.liveBytes == 0 && scope.peakBytes == bytes)
      let b = Tensor.zeros([n - 5])                   // same size class: reuses the buffer
      #expect(b.storage.base == first)
      #expect(scope.liveBytes == (n - 5) * 4 && scope.peakBytes == bytes)
      #expect(b.values.allSatisfy { $0 == 0 })
      let c = Tensor.full([n], 2)
      #expect(scope.liveBytes == (2 * n - 5) * 4 && scope.peakBytes == (2 * n - 5) * 4)
      withExtendedLifetime((b, c)) {}
    }
    #expect(StoragePool.sizeClass(300_001) >= 300_001 && StoragePool.sizeClass(300_001) <= 300_001 * 9 / 8)
    #expect(StoragePool.sizeClass(1 << 20) == 1 << 20)
    #expect(StoragePool.pooledBytes <= StoragePool.capacityBytes)
  }
}
