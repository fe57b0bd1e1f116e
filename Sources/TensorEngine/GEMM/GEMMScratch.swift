#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Aligned packing buffers for the native GEMM, reused across calls.
///
/// Each worker of a GEMM call checks a buffer out of a small free list, grows it when the call
/// needs more, and returns it when done, so steady-state GEMM calls allocate nothing. The memory
/// is raw (never a `Storage`), so `MemoryTracker` keeps counting tensor activations only.
final class GEMMScratch: @unchecked Sendable {
  /// Alignment of every buffer: one cache line, which is also `SIMD16<Float>`'s alignment.
  static let alignment = 64

  /// The float capacity of this buffer.
  private(set) var capacity: Int = 0
  /// Start of the buffer (64-byte aligned).
  private(set) var base: UnsafeMutablePointer<Float>

  private init() {
    base = UnsafeMutableRawPointer.allocate(byteCount: GEMMScratch.alignment, alignment: GEMMScratch.alignment)
      .bindMemory(to: Float.self, capacity: 1)
  }

  deinit { UnsafeMutableRawPointer(base).deallocate() }

  /// Makes room for at least `floats` floats (old contents are not kept).
  func reserve(_ floats: Int) {
    if floats <= capacity { return }
    UnsafeMutableRawPointer(base).deallocate()
    let cap = (floats + 1023) & ~1023
    base = UnsafeMutableRawPointer.allocate(byteCount: cap * MemoryLayout<Float>.stride,
                                            alignment: GEMMScratch.alignment)
      .bindMemory(to: Float.self, capacity: cap)
    capacity = cap
  }

  // MARK: free list

  nonisolated(unsafe) private static var free: [GEMMScratch] = []
  nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
    let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    pthread_mutex_init(m, nil)
    return m
  }()

  /// Takes a buffer with room for `floats` floats from the free list (the smallest that fits, else
  /// the largest, grown), or makes one.
  static func checkOut(_ floats: Int) -> GEMMScratch {
    pthread_mutex_lock(lock)
    var pick: Int? = nil
    for (i, buf) in free.enumerated() {
      guard let p = pick else { pick = i; continue }
      let best = free[p].capacity, cap = buf.capacity
      if cap >= floats ? (best < floats || cap < best) : (best < floats && cap > best) { pick = i }
    }
    let s = pick.map { free.remove(at: $0) }
    pthread_mutex_unlock(lock)
    let buf = s ?? GEMMScratch()
    buf.reserve(floats)
    return buf
  }

  /// Returns a buffer to the free list.
  static func checkIn(_ buf: GEMMScratch) {
    pthread_mutex_lock(lock)
    free.append(buf)
    pthread_mutex_unlock(lock)
  }
}
