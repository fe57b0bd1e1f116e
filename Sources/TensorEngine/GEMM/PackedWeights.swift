#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Packed-weight panels kept across GEMM calls while weights are declared constant.
///
/// The blocked GEMM packs op(B) into NR-column panels on every call. When B is a weight (a leaf
/// tensor created with `requiresGrad`) and the caller runs inside `Engine.withFrozenWeights`,
/// the whole packed op(B) is kept on the weight's `Storage` and reused by later calls (the
/// output layer h·Wteᵀ alone re-packed 25.7 M floats per forward).
///
/// Invalidation: the panels belong to the storage's current contents. They are dropped when
/// the storage's `pointer` (or any `Tensor.pointer` on it) is taken on a thread outside a frozen
/// scope, on `Storage.markModified()`, and they die with the storage. Inside a frozen scope the weights
/// must not be written (results would use the old panels); pointers held across a scope and
/// written later need `markModified()`.
extension Engine {
  /// Per-thread flag (non-nil while the thread runs inside `withFrozenWeights`); pool workers
  /// inherit it for the items of a `parallelFor` started inside the scope.
  private static let frozenKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  /// True while this thread runs inside `withFrozenWeights`.
  @inline(__always) static var weightsFrozen: Bool { pthread_getspecific(frozenKey) != nil }

  /// Runs `body` with parameter tensors declared constant: GEMMs that read a parameter as their
  /// B operand pack it once and keep the panels for later calls (see `PackedWeights`). Only for
  /// inference (e.g. latency measurement); the results equal the unfrozen ones exactly. The
  /// scope is per thread: other threads writing weights meanwhile still invalidate panels.
  public static func withFrozenWeights<R>(_ body: () throws -> R) rethrows -> R {
    let previous = pthread_getspecific(frozenKey)
    pthread_setspecific(frozenKey, UnsafeRawPointer(bitPattern: 1))
    defer { pthread_setspecific(frozenKey, previous) }
    return try body()
  }
}

/// The whole of op(B) packed in the layout `NativeGEMM.blocked(packedB:)` reads, for one use of
/// a weight (layout flag, leading dimension, offset of B in the storage, k, n).
final class PackedWeights: @unchecked Sendable {
  let transB: Bool, ldb: Int, offset: Int, k: Int, n: Int
  let panels: UnsafeMutablePointer<Float>

  private init(transB: Bool, ldb: Int, offset: Int, k: Int, n: Int, b: UnsafePointer<Float>) {
    self.transB = transB; self.ldb = ldb; self.offset = offset; self.k = k; self.n = n
    let floats = NativeGEMM.roundUp(n, GEMMKernel.nr) * k
    panels = UnsafeMutableRawPointer.allocate(byteCount: max(floats, 1) * MemoryLayout<Float>.stride,
                                              alignment: GEMMScratch.alignment)
      .bindMemory(to: Float.self, capacity: max(floats, 1))
    NativeGEMM.prepackB(transB: transB, b: b, ldb: ldb, n: n, k: k, dst: panels, part: 0, parts: 1)
  }

  deinit { UnsafeMutableRawPointer(panels).deallocate() }

  /// False when `LTS_PACKED_WEIGHTS=0`: no panels are kept (saves a packed copy of every weight,
  /// i.e. about the parameter bytes again in RSS, at the cost of re-packing on every call).
  static let enabled = ProcessInfo.processInfo.environment["LTS_PACKED_WEIGHTS"] != "0"

  /// Number of packings done (for tests).
  static let packCount = Atomic<Int>(0)
  static var packs: Int { packCount.load(ordering: .relaxed) }

  /// The packed panels of op(B) = `b` (inside `owner`), made on first use, when weights are
  /// frozen and `owner` is a parameter's storage; nil otherwise (the caller packs as usual).
  static func lookup(owner: Storage, transB: Bool, b: UnsafePointer<Float>, ldb: Int, k: Int, n: Int) -> PackedWeights? {
    guard enabled, Engine.weightsFrozen, owner.isParameter.load(ordering: .relaxed) else { return nil }
    let offset = b - UnsafePointer(owner.base)
    guard offset >= 0, offset < max(owner.count, 1) else { return nil }
    func match(_ o: AnyObject) -> PackedWeights? {
      guard let p = o as? PackedWeights, p.transB == transB, p.ldb == ldb, p.offset == offset, p.k == k, p.n == n
      else { return nil }
      return p
    }
    if let hit = Storage.derivedLock.withLock({ _ in owner.derived.lazy.compactMap(match).first }) { return hit }
    // Pack outside the lock; if another thread packed the same meanwhile, keep the first one.
    let fresh = PackedWeights(transB: transB, ldb: ldb, offset: offset, k: k, n: n, b: b)
    packCount.add(1, ordering: .relaxed)
    return Storage.derivedLock.withLock { _ in
      if let hit = owner.derived.lazy.compactMap(match).first { return hit }
      if owner.derived.count >= 4 { owner.derived.removeFirst() }
      owner.derived.append(fresh)
      owner.hasDerived.store(true, ordering: .relaxed)
      return fresh
    }
  }
}
