import Synchronization

/// Process-wide accounting of live tensor bytes and their high-water mark.
///
/// Every `Storage` adds its size when allocated and subtracts it when freed, so the peak memory of
/// a forward pass is exact and repeatable: reset the peak, run, read `peakBytes`.
public enum MemoryTracker {
  private static let state = Mutex<(live: Int, peak: Int, allocations: Int)>((0, 0, 0))

  /// Bytes held by tensor storages right now.
  public static var liveBytes: Int { state.withLock { $0.live } }
  /// Largest value `liveBytes` has reached since the last `resetPeak()`.
  public static var peakBytes: Int { state.withLock { $0.peak } }
  /// Number of storage allocations since process start (a cheap allocation counter for benches).
  public static var allocationCount: Int { state.withLock { $0.allocations } }

  /// Sets the high-water mark to the current live bytes.
  public static func resetPeak() { state.withLock { $0.peak = $0.live } }

  static func allocated(_ bytes: Int) {
    state.withLock {
      $0.live += bytes
      $0.allocations += 1
      if $0.live > $0.peak { $0.peak = $0.live }
    }
  }

  static func freed(_ bytes: Int) { state.withLock { $0.live -= bytes } }

  /// The innermost measurement scope of the current task or thread (see `measurePeak`).
  @TaskLocal static var scope: MemoryScope?

  /// Runs `body` and returns its result with the peak of live bytes, counting only the storages
  /// allocated while `body` runs on this task / thread (minus those of them it has freed).
  ///
  /// Scoped counting makes the figure exact and repeatable even while other threads allocate
  /// (parallel tests, a UI): tensors that existed before (weights, inputs) are not counted, and
  /// nested scopes also count towards their parents.
  public static func measurePeak<R>(_ body: () throws -> R) rethrows -> (result: R, peakBytes: Int) {
    let s = MemoryScope(parent: scope)
    let r = try $scope.withValue(s) { try body() }
    return (r, s.peakBytes)
  }

  /// Runs `body` inside a fresh scope and returns its result and the scope (to read live and peak
  /// bytes afterwards, e.g. in tests).
  public static func withScope<R>(_ body: (MemoryScope) throws -> R) rethrows -> R {
    let s = MemoryScope(parent: scope)
    return try $scope.withValue(s) { try body(s) }
  }
}

/// Live and peak bytes of the storages allocated inside one `MemoryTracker` scope.
public final class MemoryScope: Sendable {
  private let state = Mutex<(live: Int, peak: Int)>((0, 0))
  let parent: MemoryScope?

  init(parent: MemoryScope?) { self.parent = parent }

  /// Bytes of this scope's storages still alive.
  public var liveBytes: Int { state.withLock { $0.live } }
  /// High-water mark of `liveBytes`.
  public var peakBytes: Int { state.withLock { $0.peak } }

  func add(_ bytes: Int) {
    state.withLock {
      $0.live += bytes
      if $0.live > $0.peak { $0.peak = $0.live }
    }
    parent?.add(bytes)
  }
}

/// A 64-byte aligned, reference-counted buffer of `Float`s. Accounted in `MemoryTracker`.
///
/// A storage may carry derived data (GEMM panels packed from a weight, see
/// `Engine.withFrozenWeights`), which is dropped whenever the contents may change: any access to
/// `pointer` (or `Tensor.pointer`) outside a frozen-weights scope, or `markModified()`.
public final class Storage: @unchecked Sendable {
  /// Start of the buffer, without the invalidation check of `pointer` (engine-internal reads).
  let base: UnsafeMutablePointer<Float>
  public let count: Int
  /// The accounting scope that was current when this storage was allocated.
  private let scope: MemoryScope?
  /// True when the storage belongs to a leaf tensor created with `requiresGrad` (a parameter):
  /// only those get packed-panel caches.
  let isParameter = Atomic<Bool>(false)
  /// True while `derived` holds something (checked without the lock on every `pointer` access).
  let hasDerived = Atomic<Bool>(false)
  /// Derived data of the current contents (guarded by `Storage.derivedLock`).
  var derived: [AnyObject] = []
  static let derivedLock = Mutex<Void>(())

  /// The buffer. Taking it outside a frozen-weights scope counts as a (possible) write: derived
  /// data (packed panels) is dropped.
  public var pointer: UnsafeMutablePointer<Float> {
    @inline(__always) get {
      if hasDerived.load(ordering: .relaxed) && !Engine.weightsFrozen { markModified() }
      return base
    }
  }

  /// True while packed GEMM panels of the current contents are kept.
  var hasPackedPanels: Bool { hasDerived.load(ordering: .relaxed) }

  /// Drops derived data (packed GEMM panels). Call after writing through a pointer taken earlier
  /// (e.g. inside a frozen-weights scope, or held across one).
  public func markModified() {
    if !hasDerived.load(ordering: .relaxed) { return }
    let old: [AnyObject] = Storage.derivedLock.withLock { _ in
      let d = derived
      derived = []
      hasDerived.store(false, ordering: .relaxed)
      return d
    }
    _ = old   // released outside the lock
  }

  /// Allocates `count` floats. Contents are uninitialised unless `zeroed`.
  public init(count: Int, zeroed: Bool = false) {
    precondition(count >= 0, "Storage: negative count \(count)")
    self.count = count
    base = StoragePool.allocate(count)
    if zeroed { base.initialize(repeating: 0, count: count) }
    scope = MemoryTracker.scope
    MemoryTracker.allocated(count * MemoryLayout<Float>.stride)
    scope?.add(count * MemoryLayout<Float>.stride)
  }

  deinit {
    MemoryTracker.freed(count * MemoryLayout<Float>.stride)
    scope?.add(-count * MemoryLayout<Float>.stride)
    StoragePool.release(base, count)
  }
}

/// Reuse of large freed storage buffers, so that the activations of repeated forward passes
/// (e.g. 38 MB of logits) do not page-fault fresh memory every time.
///
/// Buffers of at least `minimumFloats` are kept in size classes (eight per power of two, so a
/// buffer is at most 12.5% larger than asked) up to `capacityBytes` in all. The pool sits below
/// `MemoryTracker`, which counts each `Storage`'s own size from init to deinit as before.
enum StoragePool {
  /// Smallest pooled buffer (floats): 256 KiB. Smaller ones come from malloc's own free lists.
  static let minimumFloats = 64 << 10
  /// Most bytes the pool holds while unused; beyond that, freed buffers go back to the system.
  static let capacityBytes = 256 << 20

  private struct State {
    var free: [Int: [UInt]] = [:]   // size class (floats) → buffer addresses
    var bytes = 0
  }
  private static let state = Mutex<State>(State())

  /// The size class of a request of `floats` (≥ `minimumFloats`): rounded up to 1/8 of its
  /// power of two.
  static func sizeClass(_ floats: Int) -> Int {
    let step = 1 << max(0, (Int.bitWidth - 1 - floats.leadingZeroBitCount) - 3)
    return (floats + step - 1) / step * step
  }

  static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
    let n = max(count, 1)
    if n < minimumFloats {
      return UnsafeMutableRawPointer.allocate(byteCount: n * MemoryLayout<Float>.stride, alignment: 64)
        .bindMemory(to: Float.self, capacity: n)
    }
    let cls = sizeClass(n)
    let reused: UInt? = state.withLock { s in
      guard let p = s.free[cls]?.popLast() else { return nil }
      s.bytes -= cls * MemoryLayout<Float>.stride
      return p
    }
    let raw = reused.flatMap { UnsafeMutableRawPointer(bitPattern: $0) } ?? UnsafeMutableRawPointer.allocate(byteCount: cls * MemoryLayout<Float>.stride, alignment: 64)
    return raw.bindMemory(to: Float.self, capacity: cls)
  }

  static func release(_ p: UnsafeMutablePointer<Float>, _ count: Int) {
    let n = max(count, 1)
    let raw = UnsafeMutableRawPointer(p)
    if n < minimumFloats { raw.deallocate(); return }
    let cls = sizeClass(n), bytes = cls * MemoryLayout<Float>.stride
    let kept = state.withLock { s -> Bool in
      if s.bytes + bytes > capacityBytes { return false }
      s.free[cls, default: []].append(UInt(bitPattern: raw))
      s.bytes += bytes
      return true
    }
    if !kept { raw.deallocate() }
  }

  /// Bytes held by the pool (unused buffers), for tests.
  static var pooledBytes: Int { state.withLock { $0.bytes } }

  /// Returns every pooled buffer to the system.
  static func drain() {
    let all = state.withLock { s -> [UInt] in
      let a = s.free.values.flatMap { $0 }
      s.free = [:]; s.bytes = 0
      return a
    }
    for p in all { UnsafeMutableRawPointer(bitPattern: p)?.deallocate() }
  }
}
