/// A 16×16 transpose of `Float`s in `SIMD16` registers: four rounds of two-source shuffles
/// (32-bit and 64-bit interleaves inside 128-bit lanes, then two rounds of 128-bit lane
/// selects), which LLVM lowers to `vunpck*ps` / `vshuff32x4` on AVX-512. Used by the packers
/// for the operands stored "along k" (op(A) = A, op(B) = Bᵀ).
enum GEMMTranspose {
  typealias V = SIMD16<Float>

  @inline(__always) static func lo32(_ a: V, _ b: V) -> V {
    V(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5], a[8], b[8], a[9], b[9], a[12], b[12], a[13], b[13])
  }
  @inline(__always) static func hi32(_ a: V, _ b: V) -> V {
    V(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7], a[10], b[10], a[11], b[11], a[14], b[14], a[15], b[15])
  }
  @inline(__always) static func lo64(_ a: V, _ b: V) -> V {
    V(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5], a[8], a[9], b[8], b[9], a[12], a[13], b[12], b[13])
  }
  @inline(__always) static func hi64(_ a: V, _ b: V) -> V {
    V(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7], a[10], a[11], b[10], b[11], a[14], a[15], b[14], b[15])
  }
  /// 128-bit lanes 0 and 2 of `a`, then lanes 0 and 2 of `b`.
  @inline(__always) static func lanes02(_ a: V, _ b: V) -> V {
    V(a[0], a[1], a[2], a[3], a[8], a[9], a[10], a[11], b[0], b[1], b[2], b[3], b[8], b[9], b[10], b[11])
  }
  /// 128-bit lanes 1 and 3 of `a`, then lanes 1 and 3 of `b`.
  @inline(__always) static func lanes13(_ a: V, _ b: V) -> V {
    V(a[4], a[5], a[6], a[7], a[12], a[13], a[14], a[15], b[4], b[5], b[6], b[7], b[12], b[13], b[14], b[15])
  }

  /// Reads the 16×16 block at `src` (row stride `ld`; rows ≥ `rows` read as zeros) and writes its
  /// transpose: column q of the block goes to `dst + q·dstStride` as 16 contiguous floats.
  /// `dstStride` is 12 (the MR of packed A) or ≥ 16. With 12, stores go in increasing q and each
  /// 16-float store's last 4 floats are overwritten by the next one; the last store writes exactly
  /// 12 floats, so nothing outside the 16 × 12 destination block is touched.
  @inline(__always)
  static func block16(_ src: UnsafePointer<Float>, ld: Int, rows: Int, _ dst: UnsafeMutablePointer<Float>,
                      dstStride: Int) {
    @inline(__always) func row(_ i: Int) -> V {
      i < rows ? UnsafeRawPointer(src + i * ld).loadUnaligned(as: V.self) : V()
    }
    let r0 = row(0)
    let r1 = row(1)
    let r2 = row(2)
    let r3 = row(3)
    let r4 = row(4)
    let r5 = row(5)
    let r6 = row(6)
    let r7 = row(7)
    let r8 = row(8)
    let r9 = row(9)
    let r10 = row(10)
    let r11 = row(11)
    let r12 = row(12)
    let r13 = row(13)
    let r14 = row(14)
    let r15 = row(15)
    // Rounds 1–2: within 128-bit lanes, group g of rows 4g…4g+3 gives v{g}{c}: lane L = column 4L + c.
    let u00 = lo32(r0, r1), u01 = hi32(r0, r1), u02 = lo32(r2, r3), u03 = hi32(r2, r3)
    let v00 = lo64(u00, u02), v01 = hi64(u00, u02), v02 = lo64(u01, u03), v03 = hi64(u01, u03)
    let u10 = lo32(r4, r5), u11 = hi32(r4, r5), u12 = lo32(r6, r7), u13 = hi32(r6, r7)
    let v10 = lo64(u10, u12), v11 = hi64(u10, u12), v12 = lo64(u11, u13), v13 = hi64(u11, u13)
    let u20 = lo32(r8, r9), u21 = hi32(r8, r9), u22 = lo32(r10, r11), u23 = hi32(r10, r11)
    let v20 = lo64(u20, u22), v21 = hi64(u20, u22), v22 = lo64(u21, u23), v23 = hi64(u21, u23)
    let u30 = lo32(r12, r13), u31 = hi32(r12, r13), u32 = lo32(r14, r15), u33 = hi32(r14, r15)
    let v30 = lo64(u30, u32), v31 = hi64(u30, u32), v32 = lo64(u31, u33), v33 = hi64(u31, u33)
    // Rounds 3–4: gather lane L of the four groups into column 4L + c.
    let raw = UnsafeMutableRawPointer(dst), step = dstStride * 4
    let s00 = lanes02(v00, v10), s10 = lanes13(v00, v10), s20 = lanes02(v20, v30), s30 = lanes13(v20, v30)
    let s01 = lanes02(v01, v11), s11 = lanes13(v01, v11), s21 = lanes02(v21, v31), s31 = lanes13(v21, v31)
    let s02 = lanes02(v02, v12), s12 = lanes13(v02, v12), s22 = lanes02(v22, v32), s32 = lanes13(v22, v32)
    let s03 = lanes02(v03, v13), s13 = lanes13(v03, v13), s23 = lanes02(v23, v33), s33 = lanes13(v23, v33)
    raw.storeBytes(of: lanes02(s00, s20), toByteOffset: 0 * step, as: V.self)
    raw.storeBytes(of: lanes02(s01, s21), toByteOffset: 1 * step, as: V.self)
    raw.storeBytes(of: lanes02(s02, s22), toByteOffset: 2 * step, as: V.self)
    raw.storeBytes(of: lanes02(s03, s23), toByteOffset: 3 * step, as: V.self)
    raw.storeBytes(of: lanes02(s10, s30), toByteOffset: 4 * step, as: V.self)
    raw.storeBytes(of: lanes02(s11, s31), toByteOffset: 5 * step, as: V.self)
    raw.storeBytes(of: lanes02(s12, s32), toByteOffset: 6 * step, as: V.self)
    raw.storeBytes(of: lanes02(s13, s33), toByteOffset: 7 * step, as: V.self)
    raw.storeBytes(of: lanes13(s00, s20), toByteOffset: 8 * step, as: V.self)
    raw.storeBytes(of: lanes13(s01, s21), toByteOffset: 9 * step, as: V.self)
    raw.storeBytes(of: lanes13(s02, s22), toByteOffset: 10 * step, as: V.self)
    raw.storeBytes(of: lanes13(s03, s23), toByteOffset: 11 * step, as: V.self)
    raw.storeBytes(of: lanes13(s10, s30), toByteOffset: 12 * step, as: V.self)
    raw.storeBytes(of: lanes13(s11, s31), toByteOffset: 13 * step, as: V.self)
    raw.storeBytes(of: lanes13(s12, s32), toByteOffset: 14 * step, as: V.self)
    let last = lanes13(s13, s33)
    if dstStride >= 16 {
      raw.storeBytes(of: last, toByteOffset: 15 * step, as: V.self)
    } else {
      assert(dstStride == 12, "GEMMTranspose.block16: dstStride \(dstStride) must be 12 or ≥ 16")
      raw.storeBytes(of: last.lowHalf, toByteOffset: 15 * step, as: SIMD8<Float>.self)
      raw.storeBytes(of: last.highHalf.lowHalf, toByteOffset: 15 * step + 32, as: SIMD4<Float>.self)
    }
  }
}
