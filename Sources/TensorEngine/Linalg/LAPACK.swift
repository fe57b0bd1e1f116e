#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LAPACK loaded at run time with `dlopen` (never linked, never required): only `dsyevd_`, the
/// divide-and-conquer symmetric eigensolver. LP64 (32-bit integer) Fortran ABI, with the two
/// hidden character-length arguments gfortran appends.
public final class LAPACK: @unchecked Sendable {
  private typealias DsyevdFn = @convention(c) (
    UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafePointer<Int32>, UnsafeMutablePointer<Double>,
    UnsafePointer<Int32>, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>, UnsafePointer<Int32>,
    UnsafeMutablePointer<Int32>, UnsafePointer<Int32>, UnsafeMutablePointer<Int32>, Int, Int) -> Void

  private let handle: UnsafeMutableRawPointer
  private let dsyevd: DsyevdFn
  /// The library file that was loaded.
  public let path: String

  /// The loaded library, or nil when none provides `dsyevd_`.
  public static let shared: LAPACK? = LAPACK.load()

  /// Library names tried in order (OpenBLAS bundles LAPACK).
  public static let candidates = [
    "liblapack.so.3", "libopenblas.so.0", "liblapack.so", "libopenblas.so",
    "/System/Library/Frameworks/Accelerate.framework/Accelerate",
  ]

  private init(handle: UnsafeMutableRawPointer, dsyevd: DsyevdFn, path: String) {
    self.handle = handle
    self.dsyevd = dsyevd
    self.path = path
  }

  static func load() -> LAPACK? {
    for name in candidates {
      guard let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) else { continue }
      guard let sym = dlsym(h, "dsyevd_") else { dlclose(h); continue }
      return LAPACK(handle: h, dsyevd: unsafeBitCast(sym, to: DsyevdFn.self), path: name)
    }
    return nil
  }

  /// `dsyevd` on the symmetric n×n matrix `a` (row-major = column-major for a symmetric matrix;
  /// the lower triangle in LAPACK's terms is read). Returns ascending eigenvalues and, when
  /// `vectors`, the eigenvectors as rows of a row-major n×n array.
  func symmetricEigen(_ a: [Double], n: Int, vectors: Bool) throws -> (values: [Double], vectors: [Double]?) {
    if n == 0 { return ([], vectors ? [] : nil) }
    var m = a
    var w = [Double](repeating: 0, count: n)
    var nn = Int32(n), lda = Int32(n), info: Int32 = 0
    let jobz: CChar = vectors ? 86 : 78  // "V" / "N"
    let uplo: CChar = 76  // "L"
    var jz = jobz, ul = uplo
    // Workspace query.
    var wq = [Double](repeating: 0, count: 1)
    var iq = [Int32](repeating: 0, count: 1)
    var lwork: Int32 = -1, liwork: Int32 = -1
    dsyevd(&jz, &ul, &nn, &m, &lda, &w, &wq, &lwork, &iq, &liwork, &info, 1, 1)
    guard info == 0 else {
      throw TensorError.invalidArgument(op: "LAPACK dsyevd", detail: "workspace query failed (info \(info)) in \(path)")
    }
    lwork = Int32(max(wq[0].rounded(.up), 1))
    liwork = max(iq[0], 1)
    var work = [Double](repeating: 0, count: Int(lwork))
    var iwork = [Int32](repeating: 0, count: Int(liwork))
    dsyevd(&jz, &ul, &nn, &m, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
    guard info == 0 else {
      throw TensorError.invalidArgument(op: "LAPACK dsyevd",
                                        detail: info > 0 ? "did not converge (info \(info))" : "argument \(-info) invalid")
    }
    return (w, vectors ? m : nil)
  }
}
