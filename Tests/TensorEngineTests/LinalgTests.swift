import Foundation
import Testing
@testable import TensorEngine

/// Float64 symmetric eigensolver (own and LAPACK) and singular values, against known matrices.
/// Every check runs on each available backend; LAPACK checks are skipped when it cannot be loaded.
@Suite struct LinalgTests {
  static var backends: [EigenBackend] { LAPACK.shared == nil ? [.native] : [.native, .lapack] }

  /// A random symmetric n×n matrix with entries in [-1, 1) from a fixed LCG.
  static func randomSymmetric(_ n: Int, seed: UInt64) -> [Double] {
    var s = seed
    func next() -> Double {
      s = s &* 6364136223846793005 &+ 1442695040888963407
      return Double(s >> 11) * 0x1.0p-53 * 2 - 1
    }
    var a = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in i..<n { let v = next(); a[i * n + j] = v; a[j * n + i] = v } }
    return a
  }

  @Test(arguments: LinalgTests.backends) func diagonal(_ b: EigenBackend) throws {
    let d = [3.0, -1.0, 7.5, 0.0, 2.0]
    var a = [Double](repeating: 0, count: 25)
    for i in 0..<5 { a[i * 5 + i] = d[i] }
    let ev = try SymmetricEigen.eigenvalues(of: a, n: 5, backend: b)
    #expect(ev == d.sorted())
  }

  @Test(arguments: LinalgTests.backends) func twoByTwoClosedForm(_ b: EigenBackend) throws {
    // [[a, c], [c, d]]: λ = (a+d)/2 ∓ √(((a−d)/2)² + c²)
    let (p, c, q) = (2.0, 1.5, -0.5)
    let m = (p + q) / 2, r = (((p - q) / 2) * ((p - q) / 2) + c * c).squareRoot()
    let ev = try SymmetricEigen.eigenvalues(of: [p, c, c, q], n: 2, backend: b)
    #expect(abs(ev[0] - (m - r)) < 1e-14)
    #expect(abs(ev[1] - (m + r)) < 1e-14)
  }

  @Test(arguments: LinalgTests.backends) func randomSymmetricEigenpairs(_ b: EigenBackend) throws {
    let n = 37
    let a = Self.randomSymmetric(n, seed: 42)
    let (values, vectors) = try SymmetricEigen.eigen(of: a, n: n, backend: b)
    #expect(values.count == n)
    for i in 1..<n { #expect(values[i - 1] <= values[i]) }
    // trace = Σλ, ‖A‖_F² = Σλ²
    let trace = (0..<n).reduce(0.0) { $0 + a[$1 * n + $1] }
    #expect(abs(values.reduce(0, +) - trace) < 1e-12)
    #expect(abs(values.reduce(0) { $0 + $1 * $1 } - a.reduce(0) { $0 + $1 * $1 }) < 1e-11)
    // A·v = λ·v and ‖v‖ = 1 for every pair; eigenvectors orthogonal.
    for i in 0..<n {
      let v = Array(vectors[(i * n)..<((i + 1) * n)])
      var err = 0.0
      for r in 0..<n {
        var s = 0.0
        for c in 0..<n { s += a[r * n + c] * v[c] }
        err = max(err, abs(s - values[i] * v[r]))
      }
      #expect(err < 1e-12, "A·v − λv = \(err) for eigenvalue \(i)")
      #expect(abs(v.reduce(0) { $0 + $1 * $1 } - 1) < 1e-12)
      if i > 0 {
        let u = vectors[((i - 1) * n)..<(i * n)]
        #expect(abs(zip(u, v).reduce(0) { $0 + $1.0 * $1.1 }) < 1e-12)
      }
    }
  }

  @Test func backendsAgreeOnCorrelationLikeMatrix() throws {
    // A rank-deficient PSD matrix (Gram of 40 samples in 60 dims): many eigenvalues ≈ 0.
    let n = 60, s = 40
    let x = Self.randomSymmetric(max(n, s), seed: 7)
    var g = [Double](repeating: 0, count: n * n)
    for i in 0..<n { for j in 0..<n { var t = 0.0; for k in 0..<s { t += x[i * 60 + k] * x[j * 60 + k] }; g[i * n + j] = t } }
    let native = try SymmetricEigen.eigenvalues(of: g, n: n, backend: .native)
    #expect(native.count == n)
    #expect(native.prefix(n - s).allSatisfy { abs($0) < 1e-11 })
    if LAPACK.shared != nil {
      let lapack = try SymmetricEigen.eigenvalues(of: g, n: n, backend: .lapack)
      for (p, q) in zip(native, lapack) { #expect(abs(p - q) < 1e-10 * max(1, abs(q))) }
    }
  }

  @Test func singularValuesMatchKnownMatrix() throws {
    // diag(3, 2) padded to 4×2 and its transpose: singular values 3, 2.
    let a: [Double] = [3, 0, 0, 2, 0, 0, 0, 0]
    #expect(try SymmetricEigen.singularValues(of: a, rows: 4, cols: 2) == [3, 2])
    let at: [Double] = [3, 0, 0, 0, 0, 2, 0, 0]
    #expect(try SymmetricEigen.singularValues(of: at, rows: 2, cols: 4) == [3, 2])
    // [[1, 1], [0, 1]]: σ² = (3 ± √5)/2.
    let sv = try SymmetricEigen.singularValues(of: [1, 1, 0, 1], rows: 2, cols: 2)
    #expect(abs(sv[0] - ((3 + 5.0.squareRoot()) / 2).squareRoot()) < 1e-14)
    #expect(abs(sv[1] - ((3 - 5.0.squareRoot()) / 2).squareRoot()) < 1e-14)
    // Σσ² = ‖A‖_F² on a random 9×5 (both orientations).
    let r = Self.randomSymmetric(9, seed: 3)
    let m = Array(r.prefix(45))
    let s1 = try SymmetricEigen.singularValues(of: m, rows: 9, cols: 5)
    var mt = [Double](repeating: 0, count: 45)
    for i in 0..<9 { for j in 0..<5 { mt[j * 9 + i] = m[i * 5 + j] } }
    let s2 = try SymmetricEigen.singularValues(of: mt, rows: 5, cols: 9)
    #expect(s1.count == 5)
    #expect(abs(s1.reduce(0) { $0 + $1 * $1 } - m.reduce(0) { $0 + $1 * $1 }) < 1e-12)
    for (p, q) in zip(s1, s2) { #expect(abs(p - q) < 1e-12) }
  }

  @Test func badInputThrows() {
    #expect(throws: TensorError.self) { try SymmetricEigen.eigenvalues(of: [1, 2, 3], n: 2) }
    #expect(throws: TensorError.self) { try SymmetricEigen.eigenvalues(of: [1, .nan, .nan, 1], n: 2) }
    #expect(throws: TensorError.self) { try SymmetricEigen.singularValues(of: [1, 2, 3], rows: 2, cols: 2) }
  }

  @Test(arguments: LinalgTests.backends) func edgeSizes(_ b: EigenBackend) throws {
    #expect(try SymmetricEigen.eigenvalues(of: [], n: 0, backend: b) == [])
    #expect(try SymmetricEigen.eigenvalues(of: [4], n: 1, backend: b) == [4])
    // All-equal rows (rank 1): eigenvalues 0, 0, 3.
    let ev = try SymmetricEigen.eigenvalues(of: [Double](repeating: 1, count: 9), n: 3, backend: b)
    #expect(abs(ev[0]) < 1e-14 && abs(ev[1]) < 1e-14 && abs(ev[2] - 3) < 1e-14)
  }
  @Test func gramMatchesReferenceAcrossTileEdges() {
    // 53 features (not a multiple of 4 or 24), 300 samples (more than one 128-sample chunk).
    let (n, h) = (300, 53)
    let x = Self.randomSymmetric(300, seed: 9).prefix(n * h).map { $0 }
    let fast = Correlation.gram(x, samples: n, features: h)
    let ref = Correlation.gramReference(x, samples: n, features: h)
    for (p, q) in zip(fast, ref) { #expect(abs(p - q) <= 1e-12 * max(1, abs(q))) }
    let one = Correlation.gram(x, samples: n, features: h, threads: 1)
    #expect(one == fast)
  }

  @Test func pearsonMatchesTheDefinitionAndFlagsConstantFeatures() throws {
    // Feature 1 = 2·feature 0 + 1 (ρ = 1), feature 2 = −feature 0 (ρ = −1), feature 3 constant.
    let n = 7
    var x = [Float](repeating: 0, count: n * 5)
    let base: [Float] = [0.3, -1, 2, 0.5, 0, 1.5, -0.25]
    let other: [Float] = [1, 0, 0, 1, 1, 0, 1]
    for s in 0..<n { x[s * 5] = base[s]; x[s * 5 + 1] = 2 * base[s] + 1; x[s * 5 + 2] = -base[s]; x[s * 5 + 3] = 4; x[s * 5 + 4] = other[s] }
    let r = x.withUnsafeBufferPointer { Correlation.pearson($0.baseAddress!, samples: n, features: 5) }
    #expect(r.constantFeatures == [3] && r.nonFiniteFeatures.isEmpty)
    #expect(abs(r.matrix[0 * 5 + 1] - 1) < 1e-12 && abs(r.matrix[0 * 5 + 2] + 1) < 1e-12)
    #expect(r.matrix[3 * 5 + 3] == 0 && r.matrix[0 * 5 + 3] == 0)
    // ρ(0, 4) by the textbook formula.
    let mb = base.map(Double.init).reduce(0, +) / Double(n), mo = other.map(Double.init).reduce(0, +) / Double(n)
    var sxy = 0.0, sxx = 0.0, syy = 0.0
    for s in 0..<n { let a = Double(base[s]) - mb, b = Double(other[s]) - mo; sxy += a * b; sxx += a * a; syy += b * b }
    #expect(abs(r.matrix[0 * 5 + 4] - sxy / (sxx * syy).squareRoot()) < 1e-12)
    #expect(r.matrix[4 * 5 + 0] == r.matrix[0 * 5 + 4])
    var bad = x
    bad[2 * 5 + 4] = .infinity
    let rb = bad.withUnsafeBufferPointer { Correlation.pearson($0.baseAddress!, samples: n, features: 5) }
    #expect(rb.nonFiniteFeatures == [4])
  }
}
