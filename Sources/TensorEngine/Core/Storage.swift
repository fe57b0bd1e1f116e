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

  /// Runs `body` and returns its result with the peak of live bytes reached during it, measured
  /// above what was live before it started.
  public static func measurePeak<R>(_ body: () throws -> R) rethrows -> (result: R, peakBytes: Int) {
    let base = state.withLock { s -> Int in s.peak = s.live; return s.live }
    let r = try body()
    return (r, peakBytes - base)
  }
}

/// A 64-byte aligned, reference-counted buffer of `Float`s. Accounted in `MemoryTracker`.
public final class Storage: @unchecked Sendable {
  public let pointer: UnsafeMutablePointer<Float>
  public let count: Int

  /// Allocates `count` floats. Contents are uninitialised unless `zeroed`.
  public init(count: Int, zeroed: Bool = false) {
    precondition(count >= 0, "Storage: negative count \(count)")
    self.count = count
    let bytes = max(count, 1) * MemoryLayout<Float>.stride
    let raw = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    if zeroed { pointer.initialize(repeating: 0, count: count) }
    MemoryTracker.allocated(count * MemoryLayout<Float>.stride)
  }

  deinit {
    MemoryTracker.freed(count * MemoryLayout<Float>.stride)
    UnsafeMutableRawPointer(pointer).deallocate()
  }
}
