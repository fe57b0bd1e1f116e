/// LiteSearch's own SGEMM. PLACEHOLDER: a simple loop (to be replaced by the packed, blocked,
/// SIMD register-tiled, multi-threaded kernel).
enum NativeGEMM {
  static func sgemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int) {
    for i in 0..<m {
      let crow = c + i * ldc
      if beta == 0 { crow.update(repeating: 0, count: n) } else if beta != 1 { for j in 0..<n { crow[j] *= beta } }
      for p in 0..<k {
        let av = alpha * (transA ? a[p * lda + i] : a[i * lda + p])
        if transB { for j in 0..<n { crow[j] += av * b[j * ldb + p] } }
        else { let brow = b + p * ldb; for j in 0..<n { crow[j] += av * brow[j] } }
      }
    }
  }
}
