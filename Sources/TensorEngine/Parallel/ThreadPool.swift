#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// The engine's thread settings. `threads` defaults to `LTS_THREADS` or all cores.
public enum Engine {
  nonisolated(unsafe) private static var _threads: Int = {
    if let s = ProcessInfo.processInfo.environment["LTS_THREADS"], let n = Int(s), n > 0 { return n }
    return ProcessInfo.processInfo.activeProcessorCount
  }()

  /// Number of threads kernels may use (≥ 1).
  public static var threads: Int {
    get { _threads }
    set { _threads = max(1, newValue); ThreadPool.shared.resize(_threads) }
  }

  /// Number of cores the OS reports.
  public static var coreCount: Int { ProcessInfo.processInfo.activeProcessorCount }
}

/// A small fixed pool of worker threads for fork–join loops (`parallelFor`).
///
/// The calling thread takes part, so a pool of `n` threads starts `n − 1` workers. Work items are
/// claimed from an atomic-like counter under a mutex; the pool is meant for a few coarse chunks
/// (GEMM panels, attention heads), not fine-grained tasks.
public final class ThreadPool: @unchecked Sendable {
  public static let shared = ThreadPool(threads: Engine.threads)

  private let cond = NSCondition()
  private var workers: [Thread] = []
  private var generation = 0
  private var task: ((Int) -> Void)?
  private var nextItem = 0
  private var itemCount = 0
  private var pending = 0
  private var activeWorkers = 0
  private var busy = false
  /// Mirrors of `generation` and `pending` that workers and the caller poll briefly before
  /// sleeping on the condition (a sleeping vCPU takes far longer to wake than a GEMM call lasts).
  private let generationMirror = Atomic<Int>(0)
  private let pendingMirror = Atomic<Int>(0)
  /// Polls before blocking (≈ 0.3–1 ms).
  static let spinLimit = 1_000_000
  public private(set) var threadCount: Int

  init(threads: Int) {
    threadCount = max(1, threads)
    spawn(threadCount - 1)
  }

  private func spawn(_ n: Int) {
    for _ in 0..<n {
      let t = Thread { [unowned self] in self.workerLoop() }
      t.stackSize = 1 << 20
      t.start()
      workers.append(t)
    }
    activeWorkers = workers.count
  }

  func resize(_ n: Int) {
    cond.lock()
    threadCount = max(1, n)
    let want = threadCount - 1
    let have = workers.count
    cond.unlock()
    if want > have { spawn(want - have) }
    cond.lock(); activeWorkers = min(want, workers.count); cond.unlock()
  }

  private func workerLoop() {
    var seen = 0
    while true {
      var spins = 0
      while generationMirror.load(ordering: .acquiring) == seen && spins < Self.spinLimit { spins += 1 }
      cond.lock()
      while generation == seen { cond.wait() }
      seen = generation
      cond.unlock()
      runItems()
    }
  }

  private func runItems() {
    while true {
      var body: ((Int) -> Void)? = nil
      var item = -1
      cond.lock()
      if let t = task, nextItem < itemCount {
        body = t
        item = nextItem
        nextItem += 1
      }
      cond.unlock()
      guard item >= 0 else { return }
      body!(item)
      // Drop this thread's reference before signalling completion: the caller may be inside
      // `withoutActuallyEscaping` and must see the closure released when `pending` reaches 0.
      body = nil
      cond.lock()
      pending -= 1
      pendingMirror.store(pending, ordering: .releasing)
      if pending == 0 { cond.broadcast() }
      cond.unlock()
    }
  }

  /// Runs `body(i)` for i in 0..<n on up to `threads` threads (default: the pool size) and waits.
  /// Nested or concurrent calls run serially on the calling thread.
  public func parallelFor(_ n: Int, threads: Int? = nil, _ body: @escaping (Int) -> Void) {
    let t = min(threads ?? threadCount, threadCount, n)
    if n <= 0 { return }
    cond.lock()
    if t <= 1 || busy || activeWorkers == 0 {
      cond.unlock()
      for i in 0..<n { body(i) }
      return
    }
    busy = true
    // Workers run the items inside the caller's frozen-weights scope, if any (see PackedWeights).
    task = Engine.weightsFrozen ? { i in Engine.withFrozenWeights { body(i) } } : body
    nextItem = 0
    itemCount = n
    pending = n
    pendingMirror.store(n, ordering: .releasing)
    generation += 1
    generationMirror.store(generation, ordering: .releasing)
    cond.broadcast()
    cond.unlock()
    runItems()
    var spins = 0
    while pendingMirror.load(ordering: .acquiring) > 0 && spins < Self.spinLimit { spins += 1 }
    cond.lock()
    while pending > 0 { cond.wait() }
    task = nil
    busy = false
    cond.unlock()
  }
}

/// Splits 0..<n into `parts` contiguous ranges of near-equal size.
@inline(__always)
public func chunkRange(_ n: Int, parts: Int, index: Int) -> Range<Int> {
  let base = n / parts, extra = n % parts
  let lo = index * base + min(index, extra)
  return lo..<(lo + base + (index < extra ? 1 : 0))
}
