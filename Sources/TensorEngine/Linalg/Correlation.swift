/// Float64 covariance / Pearson correlation of the columns of a samples × features matrix, as
/// NumPy's `np.corrcoef(X.T)` computes it: centre each feature on its float64 mean, form
/// C = XcᵀXc, divide by √(Cᵢᵢ·Cⱼⱼ), clip to [−1, 1].
///
/// The Gram product is a blocked, SIMD (8 doubles), two-thread kernel over the upper triangle:
/// samples in chunks that stay in L2, a 4 × 24 register tile of outer-product updates (4 broadcasts
/// and 3 loads per 12 FMAs), then the lower triangle mirrored. `gramReference` is the naive loop it
/// is checked against.
public enum Correlation {
  /// Samples per cache chunk (128 × 600 doubles ≈ 600 KB).
  static let chunk = 128

  /// The result of `pearson`.
  public struct Result: Sendable {
    /// Row-major features × features correlation matrix. Rows / columns of constant features
    /// are 0 (NumPy would give NaN there); check `constantFeatures`.
    public var matrix: [Double]
    /// Features whose samples are all equal (zero variance), ascending.
    public var constantFeatures: [Int]
    /// Features with a NaN or infinite sample, ascending (their rows are 0 as well).
    public var nonFiniteFeatures: [Int]
  }

  /// Pearson correlation of the `features` columns of the row-major float32 `x` [samples, features].
  public static func pearson(_ x: UnsafePointer<Float>, samples n: Int, features h: Int, threads: Int? = nil) -> Result {
    precondition(n >= 0 && h >= 0, "Correlation.pearson: negative size")
    // Means and centred copy in float64: xc [n, h].
    var mean = [Double](repeating: 0, count: h)
    var nonFinite = Set<Int>()
    for s in 0..<n {
      let row = x + s * h
      for j in 0..<h { mean[j] += Double(row[j]) }
    }
    for j in 0..<h {
      if !mean[j].isFinite { nonFinite.insert(j) }
      mean[j] /= Double(max(n, 1))
    }
    var xc = [Double](repeating: 0, count: n * h)
    xc.withUnsafeMutableBufferPointer { xp in
      let xc = xp.baseAddress!
      for s in 0..<n {
        let row = x + s * h, out = xc + s * h
        for j in 0..<h { out[j] = Double(row[j]) - mean[j] }
      }
    }
    var c = gram(xc, samples: n, features: h, threads: threads)
    var d = [Double](repeating: 0, count: h)
    var constant: [Int] = []
    for j in 0..<h {
      let v = c[j * h + j]
      if !v.isFinite { nonFinite.insert(j) }
      if v == 0 && !nonFinite.contains(j) { constant.append(j) }
      d[j] = v > 0 && v.isFinite ? v.squareRoot() : 0
    }
    for i in 0..<h {
      for j in 0..<h {
        let p = d[i] * d[j]
        c[i * h + j] = p > 0 ? min(1, max(-1, c[i * h + j] / d[i] / d[j])) : 0
      }
    }
    return Result(matrix: c, constantFeatures: constant, nonFiniteFeatures: nonFinite.sorted())
  }

  /// C = XᵀX (features × features, full symmetric) of the row-major float64 `x` [samples, features].
  public static func gram(_ x: [Double], samples n: Int, features h: Int, threads: Int? = nil) -> [Double] {
    precondition(x.count == n * h, "Correlation.gram: \(x.count) values for \(n) × \(h)")
    var c = [Double](repeating: 0, count: h * h)
    let rowBlocks = (h + 3) / 4
    x.withUnsafeBufferPointer { xp in
      c.withUnsafeMutableBufferPointer { cp in
        let X = xp.baseAddress!, C = CorrelationSendable(cp.baseAddress!)
        let XS = CorrelationSendable(UnsafeMutablePointer(mutating: X))
        var s0 = 0
        while s0 < n {
          let s1 = min(n, s0 + chunk)
          let lo = s0
          // Row blocks in order of decreasing work; the pool hands them out dynamically.
          ThreadPool.shared.parallelFor(rowBlocks, threads: threads ?? Engine.threads) { blk in
            let i0 = blk * 4
            gramRows(XS.value, C.value, h: h, i0: i0, rows: min(4, h - i0), s0: lo, s1: s1)
          }
          s0 = s1
        }
        let Cm = C.value
        for i in 0..<h { for j in 0..<i { Cm[i * h + j] = Cm[j * h + i] } }
      }
    }
    return c
  }

  /// Adds Σ_{s0 ≤ s < s1} x[s][i]·x[s][j] to C[i][j] for rows i0 ..< i0+rows and columns j ≥ i0.
  @inline(__always)
  static func gramRows(_ x: UnsafeMutablePointer<Double>, _ c: UnsafeMutablePointer<Double>, h: Int, i0: Int, rows: Int,
                       s0: Int, s1: Int) {
    typealias V = SIMD8<Double>
    var j = i0
    if rows == 4 {
      while j + 24 <= h {
        var a00 = V(), a01 = V(), a02 = V(), a10 = V(), a11 = V(), a12 = V()
        var a20 = V(), a21 = V(), a22 = V(), a30 = V(), a31 = V(), a32 = V()
        for s in s0..<s1 {
          let row = x + s * h
          let b0 = UnsafeRawPointer(row + j).loadUnaligned(as: V.self)
          let b1 = UnsafeRawPointer(row + j + 8).loadUnaligned(as: V.self)
          let b2 = UnsafeRawPointer(row + j + 16).loadUnaligned(as: V.self)
          let r0 = V(repeating: row[i0]), r1 = V(repeating: row[i0 + 1])
          let r2 = V(repeating: row[i0 + 2]), r3 = V(repeating: row[i0 + 3])
          a00.addProduct(r0, b0); a01.addProduct(r0, b1); a02.addProduct(r0, b2)
          a10.addProduct(r1, b0); a11.addProduct(r1, b1); a12.addProduct(r1, b2)
          a20.addProduct(r2, b0); a21.addProduct(r2, b1); a22.addProduct(r2, b2)
          a30.addProduct(r3, b0); a31.addProduct(r3, b1); a32.addProduct(r3, b2)
        }
        func add(_ r: Int, _ off: Int, _ v: V) {
          let p = UnsafeMutableRawPointer(c + (i0 + r) * h + j + off)
          p.storeBytes(of: p.loadUnaligned(as: V.self) + v, as: V.self)
        }
        add(0, 0, a00); add(0, 8, a01); add(0, 16, a02)
        add(1, 0, a10); add(1, 8, a11); add(1, 16, a12)
        add(2, 0, a20); add(2, 8, a21); add(2, 16, a22)
        add(3, 0, a30); add(3, 8, a31); add(3, 16, a32)
        j += 24
      }
    }
    // Remaining columns (and short row blocks): scalar.
    for r in 0..<rows {
      let i = i0 + r
      for jj in max(j, i)..<h {
        var acc = 0.0
        for s in s0..<s1 { let row = x + s * h; acc += row[i] * row[jj] }
        c[i * h + jj] += acc
      }
    }
  }

  /// The naive triple loop C = XᵀX: the reference `gram` is tested against.
  public static func gramReference(_ x: [Double], samples n: Int, features h: Int) -> [Double] {
    var c = [Double](repeating: 0, count: h * h)
    for i in 0..<h { for j in 0..<h { var s = 0.0; for k in 0..<n { s += x[k * h + i] * x[k * h + j] }; c[i * h + j] = s } }
    return c
  }
}

/// Wraps a pointer for use inside a `@Sendable` work item whose accesses are disjoint by design.
private struct CorrelationSendable<T>: @unchecked Sendable {
  let value: T
  init(_ v: T) { value = v }
}
