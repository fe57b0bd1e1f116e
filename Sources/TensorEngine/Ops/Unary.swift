import RealModule

/// Elementwise arithmetic on one tensor: scale, add a constant, 1 − x, exp, log, sqrt, square.
/// Each op is a kernel struct run by `map` (Elementwise.swift); gradients are one fused
/// `zip` of the output gradient with the saved input or output.

// MARK: - Kernels

struct ScaleKernel: UnaryKernel {
  let s: Float
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x * s }
}

struct AddConstKernel: UnaryKernel {
  let c: Float
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x + c }
}

struct OneMinusKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { 1 - x }
}

struct ExpKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { vexp(x) }
}

struct LogKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 {
    var y = Vec16()
    for i in 0..<16 { y[i] = Float.log(x[i]) }
    return y
  }
}

struct SqrtKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x.squareRoot() }
}

struct SquareKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x * x }
}

/// a · b.
struct MulKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ a: Vec16, _ b: Vec16) -> Vec16 { a * b }
}

/// a / b.
struct DivKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ a: Vec16, _ b: Vec16) -> Vec16 { a / b }
}

/// g · 0.5 / y  (gradient of √x given y = √x).
struct SqrtGradKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ g: Vec16, _ y: Vec16) -> Vec16 { 0.5 * g / y }
}

/// 2 · g · x  (gradient of x²).
struct SquareGradKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ g: Vec16, _ x: Vec16) -> Vec16 { 2 * g * x }
}

// MARK: - Ops

extension Tensor {
  /// `s · x`.
  public func scaled(_ s: Float) throws -> Tensor {
    let out = map(ScaleKernel(s: s))
    if GradMode.shouldRecord(self) { out.record(Node(op: "scale", inputs: [self]) { g in [try g.scaled(s)] }) }
    return out
  }

  /// `x + c`.
  public func adding(_ c: Float) throws -> Tensor {
    let out = map(AddConstKernel(c: c))
    if GradMode.shouldRecord(self) { out.record(Node(op: "addConst", inputs: [self]) { g in [g] }) }
    return out
  }

  /// `1 − x`.
  public func oneMinus() throws -> Tensor {
    let out = map(OneMinusKernel())
    if GradMode.shouldRecord(self) { out.record(Node(op: "oneMinus", inputs: [self]) { g in [try g.scaled(-1)] }) }
    return out
  }

  /// `eˣ`.
  public func exp() throws -> Tensor {
    let out = map(ExpKernel(), cost: 4)
    if GradMode.shouldRecord(self) { out.record(Node(op: "exp", inputs: [self]) { [unowned out] g in [Tensor.zipMap(g, out, MulKernel())] }) }
    return out
  }

  /// Natural logarithm (NaN below 0, −inf at 0, like `Float.log`).
  public func log() throws -> Tensor {
    let out = map(LogKernel(), cost: 8)
    if GradMode.shouldRecord(self) { out.record(Node(op: "log", inputs: [self]) { g in [Tensor.zipMap(g, self, DivKernel())] }) }
    return out
  }

  /// `√x`.
  public func sqrt() throws -> Tensor {
    let out = map(SqrtKernel(), cost: 2)
    if GradMode.shouldRecord(self) { out.record(Node(op: "sqrt", inputs: [self]) { [unowned out] g in [Tensor.zipMap(g, out, SqrtGradKernel())] }) }
    return out
  }

  /// `x²`.
  public func square() throws -> Tensor {
    let out = map(SquareKernel())
    if GradMode.shouldRecord(self) { out.record(Node(op: "square", inputs: [self]) { g in [Tensor.zipMap(g, self, SquareGradKernel())] }) }
    return out
  }
}
