import Dispatch
import Testing
@testable import TensorEngine

/// The native SGEMM (and OpenBLAS, when it loads) against `GEMM.reference` on odd and
/// non-square sizes, all four transpose combinations, padded leading dimensions, alpha ≠ 1,
/// beta ∈ {0, 1, 0.5} (beta = 0 with NaN in C) and 1 or 2 threads.
struct GEMMTests {
  /// One GEMM problem with padded operands; `pad` floats beyond each row's width are filled with
  /// a sentinel so that reads or writes outside the logical matrices show up.
  struct Problem {
    let m, n, k: Int
    let transA, transB: Bool
    let lda, ldb, ldc: Int
    var a: [Float], b: [Float], c: [Float]

    init(m: Int, n: Int, k: Int, transA: Bool, transB: Bool, pad: Int, seed: UInt64) {
      self.m = m; self.n = n; self.k = k; self.transA = transA; self.transB = transB
      lda = (transA ? m : k) + pad
      ldb = (transB ? k : n) + pad
      ldc = n + pad
      var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
      func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
      }
      a = (0..<(transA ? k : m) * lda).map { _ in next() }
      b = (0..<(transB ? n : k) * ldb).map { _ in next() }
      c = (0..<m * ldc).map { _ in next() }
    }

    /// Runs `body` on copies of the operands and returns the resulting C buffer.
    func run(_ cInit: [Float],
             _ body: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> [Float] {
      var out = cInit
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          out.withUnsafeMutableBufferPointer { cp in body(ap.baseAddress!, bp.baseAddress!, cp.baseAddress!) }
        }
      }
      return out
    }
  }

  /// max |x − ref| / max |ref| over the logical m×n block.
  static func relativeError(_ x: [Float], _ ref: [Float], m: Int, n: Int, ldc: Int) -> Float {
    var diff: Float = 0, scale: Float = 0
    for i in 0..<m {
      for j in 0..<n {
        let r = ref[i * ldc + j], v = x[i * ldc + j]
        if !v.isFinite { return .infinity }
        diff = max(diff, abs(v - r)); scale = max(scale, abs(r))
      }
    }
    return scale == 0 ? diff : diff / scale
  }

  /// True when every padding float of C (columns n..<ldc) is unchanged from `cInit`.
  static func paddingIntact(_ x: [Float], _ cInit: [Float], m: Int, n: Int, ldc: Int) -> Bool {
    for i in 0..<m {
      for j in n..<ldc where x[i * ldc + j].bitPattern != cInit[i * ldc + j].bitPattern { return false }
    }
    return true
  }

  static let shapes: [(Int, Int, Int)] = [
    (1, 1, 1), (7, 7, 7), (63, 63, 63), (129, 129, 129), (257, 257, 257),
    (3, 1000, 17), (257, 129, 63), (1, 257, 129), (129, 7, 257), (13, 40, 900), (5, 300, 2),
    (1030, 33, 390),  // m > MC, k > KC, split along m, each thread packs its own B
    (600, 96, 400),   // split along m into more chunks than threads, shared packed B
    (128, 512, 256),  // split along n into more chunks than threads, shared packed A
    (100, 1400, 50),  // split along n, each thread packs its own A
    (100, 700, 50),   // no packing (GEMMDirect), split along n
  ]

  /// Shape × transposes × beta; each case checks 1 and 2 threads against one reference.
  static var cases: [(Int, Int, Int, Bool, Bool, Float)] {
    var out: [(Int, Int, Int, Bool, Bool, Float)] = []
    for (s, (m, n, k)) in shapes.enumerated() {
      for t in 0..<4 {
        // The largest shapes run three cases only (two transpose pairs), to keep the suite quick.
        let big = m * n * k > 4_000_000
        let betas: [Float] = !big ? [0, 1, 0.5] : (t == s % 4 ? [0, 0.5] : (t == (s + 1) % 4 ? [1] : []))
        for beta in betas { out.append((m, n, k, t & 1 != 0, t & 2 != 0, beta)) }
      }
    }
    return out
  }

  @Test("native sgemm matches the reference (≤ 1e-4 relative error)", arguments: cases)
  func nativeMatchesReference(_ cs: (Int, Int, Int, Bool, Bool, Float)) {
    let (m, n, k, transA, transB, beta) = cs
    let p = Problem(m: m, n: n, k: k, transA: transA, transB: transB, pad: 3, seed: UInt64(m * 131 + n * 7 + k))
    var cInit = p.c
    if beta == 0 { for i in 0..<m { for j in 0..<n { cInit[i * p.ldc + j] = .nan } } }
    let alpha: Float = 1.5
    let ref = p.run(cInit) { a, b, c in
      GEMM.reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: p.lda,
                     b: b, ldb: p.ldb, beta: beta, c: c, ldc: p.ldc)
    }
    for threads in [1, 2] {
      let out = p.run(cInit) { a, b, c in
        NativeGEMM.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: p.lda,
                         b: b, ldb: p.ldb, beta: beta, c: c, ldc: p.ldc, threads: threads)
      }
      let err = Self.relativeError(out, ref, m: m, n: n, ldc: p.ldc)
      #expect(err <= 1e-4, "m=\(m) n=\(n) k=\(k) tA=\(transA) tB=\(transB) beta=\(beta) threads=\(threads): \(err)")
      #expect(Self.paddingIntact(out, cInit, m: m, n: n, ldc: p.ldc), "C padding written, m=\(m) n=\(n) k=\(k)")
    }
  }

  @Test("public GEMM.sgemm entry runs and matches the reference")
  func publicEntry() {
    let p = Problem(m: 96, n: 200, k: 64, transA: false, transB: true, pad: 0, seed: 5)
    let ref = p.run(p.c) { a, b, c in
      GEMM.reference(transA: false, transB: true, m: 96, n: 200, k: 64, alpha: 1, a: a, lda: p.lda,
                     b: b, ldb: p.ldb, beta: 0, c: c, ldc: p.ldc)
    }
    let out = p.run(p.c) { a, b, c in
      GEMM.sgemm(transA: false, transB: true, m: 96, n: 200, k: 64, alpha: 1, a: a, lda: p.lda,
                 b: b, ldb: p.ldb, beta: 0, c: c, ldc: p.ldc)
    }
    #expect(Self.relativeError(out, ref, m: 96, n: 200, ldc: p.ldc) <= 1e-4)
  }

  @Test("k = 0 and alpha = 0 only scale C by beta (beta = 0 clears NaN)")
  func degenerate() {
    var c: [Float] = [.nan, 2, 3, 4, 5, 6]
    let a: [Float] = [1, 2, 3], b: [Float] = [1, 2, 3, 4, 5, 6]
    NativeGEMM.sgemm(transA: false, transB: false, m: 2, n: 3, k: 0, alpha: 1, a: a, lda: 1, b: b, ldb: 3,
                     beta: 0, c: &c, ldc: 3, threads: 1)
    #expect(c == [0, 0, 0, 0, 0, 0])
    c = [1, 2, 3, 4, 5, 6]
    NativeGEMM.sgemm(transA: false, transB: false, m: 2, n: 3, k: 1, alpha: 0, a: a, lda: 1, b: b, ldb: 3,
                     beta: 0.5, c: &c, ldc: 3, threads: 2)
    #expect(c == [0.5, 1, 1.5, 2, 2.5, 3])
  }

  @Test("empty products touch nothing; k = 0 accepts zero leading dimensions")
  func emptyShapes() {
    var c: [Float] = [7, 7, 7]
    let none: [Float] = [0]
    NativeGEMM.sgemm(transA: false, transB: false, m: 0, n: 3, k: 4, alpha: 1, a: none, lda: 0, b: none, ldb: 0,
                     beta: 0, c: &c, ldc: 0, threads: 2)
    NativeGEMM.sgemm(transA: true, transB: true, m: 3, n: 0, k: 4, alpha: 1, a: none, lda: 0, b: none, ldb: 0,
                     beta: 0, c: &c, ldc: 0, threads: 2)
    #expect(c == [7, 7, 7])
    NativeGEMM.sgemm(transA: false, transB: false, m: 1, n: 3, k: 0, alpha: 1, a: none, lda: 0, b: none, ldb: 3,
                     beta: 2, c: &c, ldc: 3, threads: 1)
    #expect(c == [14, 14, 14])
  }

  @Test("a known 2×3·3×2 product, exact")
  func knownProduct() {
    let a: [Float] = [1, 2, 3, 4, 5, 6]          // 2×3
    let b: [Float] = [7, 8, 9, 10, 11, 12]       // 3×2
    var c: [Float] = [1, 1, 1, 1]
    NativeGEMM.sgemm(transA: false, transB: false, m: 2, n: 2, k: 3, alpha: 2, a: a, lda: 3, b: b, ldb: 2,
                     beta: 1, c: &c, ldc: 2, threads: 1)
    #expect(c == [117, 129, 279, 309])          // 2·[[58, 64], [139, 154]] + 1
  }

  @Test("micro-kernels in both forms (FMA and multiply + add), full and edge tiles", arguments: [true, false])
  func kernelForms(_ fused: Bool) {
    // A read in place (row stride 70), B with k-step stride 40: every kernel shape.
    let k = 37
    let p = Problem(m: 12, n: 32, k: k, transA: false, transB: false, pad: 0, seed: 9)
    let a = p.a + [Float](repeating: 0, count: 12 * 70), b = p.b + [Float](repeating: 0, count: 40 * k)
    for (rows, cols) in [(12, 32), (12, 16), (8, 32), (8, 16), (4, 32), (4, 16), (11, 20), (3, 5)] {
      var ref = [Float](repeating: 0, count: 12 * 32)
      for r in 0..<rows { for j in 0..<cols { for q in 0..<k { ref[r * 32 + j] += a[r * 70 + q] * b[q * 40 + j] } } }
      var tile = [Float](repeating: 0, count: 12 * 32)
      a.withUnsafeBufferPointer { ap in
        b.withUnsafeBufferPointer { bp in
          tile.withUnsafeMutableBufferPointer { tp in
            if rows == 12 && cols == 32 {
              GEMMKernel.tileDirect(kc: k, a: ap.baseAddress!, aRow: 70, aStep: 1, b: bp.baseAddress!, bStep: 40,
                                    c: tp.baseAddress!, ldc: 32, alpha: 1, beta: 0, store: .overwrite, fused: fused)
            } else {
              GEMMKernel.tileEdge(rows: rows, cols: cols, kc: k, a: ap.baseAddress!, aRow: 70, aStep: 1,
                                  b: bp.baseAddress!, bStep: 40, tile: tp.baseAddress!, fused: fused)
            }
          }
        }
      }
      var err: Float = 0
      for r in 0..<rows { for j in 0..<cols { err = max(err, abs(tile[r * 32 + j] - ref[r * 32 + j])) } }
      #expect(err <= 1e-4, "rows=\(rows) cols=\(cols) fused=\(fused): \(err)")
    }
  }

  @Test("concurrent calls from several threads share the scratch pool safely")
  func concurrentCalls() {
    let shapes = [(96, 200, 64), (257, 129, 63), (40, 2800, 50), (130, 70, 600)]
    let problems = shapes.enumerated().map { i, s in
      Problem(m: s.0, n: s.1, k: s.2, transA: i % 2 == 1, transB: i >= 2, pad: 1, seed: UInt64(40 + i))
    }
    let refs = problems.map { p in
      p.run(p.c) { a, b, c in
        GEMM.reference(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, alpha: 1, a: a, lda: p.lda,
                       b: b, ldb: p.ldb, beta: 0, c: c, ldc: p.ldc)
      }
    }
    // Each of 4 threads runs every problem twice (threads: 2 inside, so some calls find
    // the pool busy and run their chunks serially).
    nonisolated(unsafe) let errors = UnsafeMutablePointer<Float>.allocate(capacity: 4)
    defer { errors.deallocate() }
    DispatchQueue.concurrentPerform(iterations: 4) { t in
      var worst: Float = 0
      for round in 0..<2 {
        for (i, p) in problems.enumerated() {
          let out = p.run(p.c) { a, b, c in
            NativeGEMM.sgemm(transA: p.transA, transB: p.transB, m: p.m, n: p.n, k: p.k, alpha: 1, a: a, lda: p.lda,
                             b: b, ldb: p.ldb, beta: 0, c: c, ldc: p.ldc, threads: (t + round) % 2 + 1)
          }
          worst = max(worst, Self.relativeError(out, refs[i], m: p.m, n: p.n, ldc: p.ldc))
        }
      }
      errors[t] = worst
    }
    for t in 0..<4 { #expect(errors[t] <= 1e-4, "thread \(t): \(errors[t])") }
  }

  @Test("OpenBLAS (dlopen) matches the reference and takes a thread count",
        .enabled(if: BLAS.shared != nil, "OpenBLAS not installed: skipped"))
  func openBLASMatchesReference() throws {
    let blas = try #require(BLAS.shared)
    blas.setThreadCount(1)
    if blas.hasThreadControl { #expect(blas.threadCount == 1) }
    for (m, n, k) in [(1, 1, 1), (63, 129, 7), (257, 129, 63)] {
      for t in 0..<4 {
        let (transA, transB) = (t & 1 != 0, t & 2 != 0)
        let p = Problem(m: m, n: n, k: k, transA: transA, transB: transB, pad: 2, seed: UInt64(t + m))
        let ref = p.run(p.c) { a, b, c in
          GEMM.reference(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: p.lda,
                         b: b, ldb: p.ldb, beta: 0.5, c: c, ldc: p.ldc)
        }
        let out = p.run(p.c) { a, b, c in
          blas.sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.75, a: a, lda: p.lda,
                     b: b, ldb: p.ldb, beta: 0.5, c: c, ldc: p.ldc)
        }
        #expect(Self.relativeError(out, ref, m: m, n: n, ldc: p.ldc) <= 1e-4, "m=\(m) n=\(n) k=\(k) t=\(t)")
      }
    }
    // k = 0 with zero leading dimensions scales C by beta, like the native kernel.
    var c: [Float] = [1, 2, 3]
    let none: [Float] = [0]
    blas.sgemm(transA: false, transB: false, m: 1, n: 3, k: 0, alpha: 1, a: none, lda: 0, b: none, ldb: 3,
               beta: 2, c: &c, ldc: 3)
    #expect(c == [2, 4, 6])
    blas.setThreadCount(Engine.threads)
  }
}
