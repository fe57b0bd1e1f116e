import Foundation

/// LiteSearch's own float64 symmetric eigensolver: Householder reduction to tridiagonal form
/// followed by the implicit QL algorithm with Wilkinson-type shifts (the EISPACK `tred2` / `tql2`
/// pair, in the form popularised by JAMA).
///
/// Storage convention: the working matrix `w` is the *transpose* of the textbook `V` (row-major
/// `w[j·n + k] = V[k][j]`). For a symmetric input that is the same matrix, and it turns every inner
/// loop of the reduction and of the rotations into a contiguous, vectorisable loop. At the end row
/// `i` of `w` is the eigenvector of eigenvalue `i`.
enum NativeSymmetricEigen {
  /// Eigen-decomposition of the symmetric n×n row-major `a` (only its upper triangle is read).
  /// Returns ascending eigenvalues and, when `vectors`, the eigenvectors as rows (row-major n×n).
  static func decompose(_ a: [Double], n: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]?) {
    if n == 0 { return ([], vectors ? [] : nil) }
    if n == 1 { return ([a[0]], vectors ? [1] : nil) }
    var w = a
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: n)
    w.withUnsafeMutableBufferPointer { wp in
      d.withUnsafeMutableBufferPointer { dp in
        e.withUnsafeMutableBufferPointer { ep in
          tridiagonalize(wp.baseAddress!, n: n, d: dp.baseAddress!, e: ep.baseAddress!, accumulate: vectors)
        }
      }
    }
    try w.withUnsafeMutableBufferPointer { wp in
      try d.withUnsafeMutableBufferPointer { dp in
        try e.withUnsafeMutableBufferPointer { ep in
          try diagonalize(vectors ? wp.baseAddress! : nil, n: n, d: dp.baseAddress!, e: ep.baseAddress!)
        }
      }
    }
    // Sort ascending (QL leaves them nearly sorted; a stable index sort keeps vectors paired).
    let order = (0..<n).sorted { d[$0] < d[$1] }
    let values = order.map { d[$0] }
    guard vectors else { return (values, nil) }
    var v = [Double](repeating: 0, count: n * n)
    for (r, src) in order.enumerated() {
      for k in 0..<n { v[r * n + k] = w[src * n + k] }
    }
    return (values, v)
  }

  /// Householder reduction (tred2) of the symmetric matrix in `w` to tridiagonal form: diagonal in
  /// `d`, sub-diagonal in `e[1..<n]` (`e[0] = 0`). With `accumulate`, `w` ends holding the
  /// orthogonal transformation (rows = basis vectors); otherwise `w` is scratch.
  static func tridiagonalize(_ w: UnsafeMutablePointer<Double>, n: Int, d: UnsafeMutablePointer<Double>,
                             e: UnsafeMutablePointer<Double>, accumulate: Bool) {
    for j in 0..<n { d[j] = w[j * n + n - 1] }
    for i in stride(from: n - 1, to: 0, by: -1) {
      var scale = 0.0, h = 0.0
      for k in 0..<i { scale += abs(d[k]) }
      if scale == 0 {
        e[i] = d[i - 1]
        for j in 0..<i {
          d[j] = w[j * n + i - 1]
          w[j * n + i] = 0
          w[i * n + j] = 0
        }
      } else {
        for k in 0..<i { d[k] /= scale; h += d[k] * d[k] }
        var f = d[i - 1]
        var g = h.squareRoot()
        if f > 0 { g = -g }
        e[i] = scale * g
        h -= f * g
        d[i - 1] = f - g
        for j in 0..<i { e[j] = 0 }
        // e = A·d over the leading i×i block (upper rows of w), fused dot + axpy per row.
        for j in 0..<i {
          let row = w + j * n
          f = d[j]
          w[i * n + j] = f  // the Householder vector is kept in row i (V[j][i] in textbook terms)
          g = e[j] + row[j] * f
          var k = j + 1
          while k < i {
            g += row[k] * d[k]
            e[k] += row[k] * f
            k += 1
          }
          e[j] = g
        }
        f = 0
        for j in 0..<i { e[j] /= h; f += e[j] * d[j] }
        let hh = f / (h + h)
        for j in 0..<i { e[j] -= hh * d[j] }
        // Rank-2 update of the leading block: A -= d·eᵀ + e·dᵀ (upper triangle rows).
        for j in 0..<i {
          let row = w + j * n
          let fj = d[j], gj = e[j]
          var k = j
          while k < i {
            row[k] -= fj * e[k] + gj * d[k]
            k += 1
          }
          d[j] = w[j * n + i - 1]
          row[i] = 0
        }
      }
      d[i] = h
    }
    if !accumulate {
      for j in 0..<n { d[j] = w[j * n + j] }
      e[0] = 0
      return
    }
    // Accumulate the transformations.
    for i in 0..<(n - 1) {
      w[i * n + n - 1] = w[i * n + i]
      w[i * n + i] = 1
      let h = d[i + 1]
      let next = w + (i + 1) * n
      if h != 0 {
        for k in 0...i { d[k] = next[k] / h }
        for j in 0...i {
          let row = w + j * n
          var g = 0.0
          for k in 0...i { g += next[k] * row[k] }
          for k in 0...i { row[k] -= g * d[k] }
        }
      }
      for k in 0...i { next[k] = 0 }
    }
    for j in 0..<n {
      d[j] = w[j * n + n - 1]
      w[j * n + n - 1] = 0
    }
    w[(n - 1) * n + n - 1] = 1
    e[0] = 0
  }

  /// Implicit symmetric QL (tql2) on the tridiagonal (d, e): eigenvalues into `d`; with `w`, the
  /// rotations are applied to its rows so that they become eigenvectors.
  static func diagonalize(_ w: UnsafeMutablePointer<Double>?, n: Int, d: UnsafeMutablePointer<Double>,
                          e: UnsafeMutablePointer<Double>) throws {
    for i in 1..<n { e[i - 1] = e[i] }
    e[n - 1] = 0
    var f = 0.0, tst1 = 0.0
    let eps = Double.ulpOfOne
    for l in 0..<n {
      tst1 = max(tst1, abs(d[l]) + abs(e[l]))
      var m = l
      while m < n - 1 {
        if abs(e[m]) <= eps * tst1 { break }
        m += 1
      }
      if m > l {
        var iterations = 0
        repeat {
          iterations += 1
          if iterations > 100 {
            throw TensorError.invalidArgument(op: "SymmetricEigen",
                                              detail: "QL iteration did not converge for eigenvalue \(l) of \(n)")
          }
          var g = d[l]
          var p = (d[l + 1] - g) / (2 * e[l])
          var r = (p * p + 1).squareRoot()
          if p < 0 { r = -r }
          d[l] = e[l] / (p + r)
          d[l + 1] = e[l] * (p + r)
          let dl1 = d[l + 1]
          var h = g - d[l]
          if l + 2 < n { for i in (l + 2)..<n { d[i] -= h } }
          f += h
          p = d[m]
          var c = 1.0, c2 = 1.0, c3 = 1.0, s = 0.0, s2 = 0.0
          let el1 = e[l + 1]
          for i in stride(from: m - 1, through: l, by: -1) {
            c3 = c2
            c2 = c
            s2 = s
            g = c * e[i]
            h = c * p
            r = hypot(p, e[i])
            e[i + 1] = s * r
            s = e[i] / r
            c = p / r
            p = c * d[i] - s * g
            d[i + 1] = h + s * (c * g + s * d[i])
            if let w {
              let ri = w + i * n, ri1 = w + (i + 1) * n
              for k in 0..<n {
                let hk = ri1[k]
                ri1[k] = s * ri[k] + c * hk
                ri[k] = c * ri[k] - s * hk
              }
            }
          }
          p = -s * s2 * c3 * el1 * e[l] / dl1
          e[l] = s * p
          d[l] = c * p
        } while abs(e[l]) > eps * tst1
      }
      d[l] += f
      e[l] = 0
    }
  }
}
