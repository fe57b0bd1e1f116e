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
public final class Storage: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int
  /// The accounting scope that was current when this storage was allocated.
  private let scope: MemoryScope?

  /// Allocates `count` floats. Contents are uninitialised unless `zeroed`.
  public init(count: Int, zeroed: Bool = false) {
    precondition(count >= 0, "Storage: negative count \(count)")
    self.count = count
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    if zeroed { pointer.initialize(repeating: 0, count: count) }
    scope = MemoryTracker.scope
    MemoryTracker.allocated(count * MemoryLayout<Float>.stride)
    scope?.add(count * MemoryLayout<Float>.stride)
  }

  deinit {
    MemoryTracker.freed(count * MemoryLayout<Float>.stride)
    scope?.add(-count * MemoryLayout<Float>.stride)
    UnsafeMutableRawPointer(pointer).deallocate()
  }
}
