/// Activation functions: ReLU, GELU (tanh form, as GPT-2), tanh, sigmoid, leaky ReLU.
///
/// Forward kernels are SIMD (`vgelu`, `vtanh`, `vsigmoid` in VectorMath.swift); each gradient is
/// one fused pass over (output gradient, saved input or output).

// MARK: - Kernels

struct ReluKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x.replacing(with: 0, where: x .< 0) }
}

struct LeakyReluKernel: UnaryKernel {
  let slope: Float
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { x.replacing(with: x * slope, where: x .< 0) }
}

struct GeluKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { vgelu(x) }
}

struct TanhKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { vtanh(x) }
}

struct SigmoidKernel: UnaryKernel {
  @inline(__always) func callAsFunction(_ x: Vec16) -> Vec16 { vsigmoid(x) }
}

/// g where x > 0, else g · slope (slope 0 is ReLU).
struct LeakyReluGradKernel: BinaryKernel {
  let slope: Float
  @inline(__always) func callAsFunction(_ g: Vec16, _ x: Vec16) -> Vec16 {
    g.replacing(with: g * slope, where: x .<= 0)
  }
}

struct GeluGradKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ g: Vec16, _ x: Vec16) -> Vec16 { g * vgeluGrad(x) }
}

/// g · (1 − y²) for y = tanh x.
struct TanhGradKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ g: Vec16, _ y: Vec16) -> Vec16 { g * (1 - y * y) }
}

/// g · y · (1 − y) for y = σ(x).
struct SigmoidGradKernel: BinaryKernel {
  @inline(__always) func callAsFunction(_ g: Vec16, _ y: Vec16) -> Vec16 { g * y * (1 - y) }
}

// MARK: - Ops

extension Tensor {
  /// max(x, 0).
  public func relu() throws -> Tensor {
    let out = map(ReluKernel())
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "relu", inputs: [self]) { g in [Tensor.zipMap(g, self, LeakyReluGradKernel(slope: 0))] })
    }
    return out
  }

  /// x for x > 0, slope · x otherwise.
  public func leakyRelu(slope: Float = 0.01) throws -> Tensor {
    let out = map(LeakyReluKernel(slope: slope))
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "leakyRelu", inputs: [self]) { g in [Tensor.zipMap(g, self, LeakyReluGradKernel(slope: slope))] })
    }
    return out
  }

  /// GELU, tanh approximation: 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))).
  public func gelu() throws -> Tensor {
    let out = map(GeluKernel(), cost: 6)
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "gelu", inputs: [self]) { g in [Tensor.zipMap(g, self, GeluGradKernel(), cost: 6)] })
    }
    return out
  }

  /// Hyperbolic tangent.
  public func tanh() throws -> Tensor {
    let out = map(TanhKernel(), cost: 5)
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "tanh", inputs: [self]) { [unowned out] g in [Tensor.zipMap(g, out, TanhGradKernel())] })
    }
    return out
  }

  /// Logistic sigmoid 1 / (1 + e^{−x}).
  public func sigmoid() throws -> Tensor {
    let out = map(SigmoidKernel(), cost: 5)
    if GradMode.shouldRecord(self) {
      out.record(Node(op: "sigmoid", inputs: [self]) { [unowned out] g in [Tensor.zipMap(g, out, SigmoidGradKernel())] })
    }
    return out
  }
}
