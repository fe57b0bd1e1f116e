/// Reverse-mode automatic differentiation.
///
/// Each differentiable op, when grad mode is on and an input requires grad, attaches a `Node` to its
/// output: the inputs and a closure mapping the output's gradient to one gradient per input (nil
/// for inputs that need none). `Tensor.backward()` walks the graph from a scalar in reverse
/// topological order (the tape), accumulates gradients and stores them in `grad` of the leaves.
/// Backward closures are written with the same tensor ops, run with recording off.

/// A recorded op: its inputs and its vector–Jacobian product.
public final class Node {
  public let op: String
  public let inputs: [Tensor]
  let vjp: (Tensor) throws -> [Tensor?]

  public init(op: String, inputs: [Tensor], vjp: @escaping (Tensor) throws -> [Tensor?]) {
    self.op = op
    self.inputs = inputs
    self.vjp = vjp
  }
}

/// Whether ops record autograd nodes. Off inside `withNoGrad` and during `backward()`.
///
/// The mode is task-local (per thread outside Swift concurrency), so inference on one thread never
/// switches recording off for another (parallel tests, a latency measurement beside a proxy).
public enum GradMode {
  @TaskLocal static var enabled = true

  public static var isEnabled: Bool { enabled }

  /// True when an op on `inputs` must record a node (checks the inputs first: inference on
  /// tensors that need no grad never reads the task-local flag).
  @inline(__always)
  public static func shouldRecord(_ inputs: Tensor...) -> Bool {
    for t in inputs where t.requiresGrad { return enabled }
    return false
  }

  @inline(__always)
  public static func shouldRecord(_ inputs: [Tensor]) -> Bool {
    for t in inputs where t.requiresGrad { return enabled }
    return false
  }
}

/// Runs `body` with autograd recording off (inference) on this task / thread.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
  try GradMode.$enabled.withValue(false) { try body() }
}

/// Runs `body` with autograd recording on (e.g. a gradient proxy called from inference code).
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
  try GradMode.$enabled.withValue(true) { try body() }
}

extension Tensor {
  /// Attaches the op that produced this tensor; marks it as requiring grad.
  public func record(_ node: Node) {
    self.node = node
    self.requiresGrad = true
  }

  /// Whether this tensor is a leaf (not produced by a recorded op).
  public var isLeaf: Bool { node == nil }

  /// Back-propagates from this scalar: `grad` of every leaf that requires grad receives
  /// d(self)/d(leaf), accumulated onto any gradient already there. The graph is released on the
  /// way (intermediate tensors keep `requiresGrad` but lose their node), so a second `backward`
  /// through the same intermediates reaches no leaf: build the graph again for that.
  public func backward() throws {
    guard count == 1 else {
      throw TensorError.invalidArgument(op: "backward", detail: "needs a scalar (one element), got shape \(shape)")
    }
    guard requiresGrad else {
      throw TensorError.invalidArgument(op: "backward", detail: "tensor does not require grad (no parameter contributed to it)")
    }
    try backward(seed: Tensor.full(shape, 1))
  }

  /// Back-propagates a given output gradient `seed` (same shape as self).
  public func backward(seed: Tensor) throws {
    guard seed.shape == shape else {
      throw TensorError.shapeMismatch(op: "backward", shapes: [shape, seed.shape], reason: "seed must match the output")
    }
    // Topological order by iterative DFS.
    var order: [Tensor] = []
    var visited = Set<ObjectIdentifier>()
    var stack: [(Tensor, Int)] = [(self, 0)]
    visited.insert(ObjectIdentifier(self))
    while let (t, i) = stack.popLast() {
      if let n = t.node, i < n.inputs.count {
        stack.append((t, i + 1))
        let c = n.inputs[i]
        if c.requiresGrad, visited.insert(ObjectIdentifier(c)).inserted { stack.append((c, 0)) }
      } else {
        order.append(t)
      }
    }
    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(self): seed]
    try withNoGrad {
      for t in order.reversed() {
        guard let g = grads.removeValue(forKey: ObjectIdentifier(t)) else { continue }
        guard let n = t.node else {
          if let old = t.grad { t.grad = try old + g } else { t.grad = g.detached() }
          continue
        }
        let gi = try n.vjp(g)
        // The graph is freed as it is used (PyTorch's default, no retain_graph): a node whose
        // closure needs its own output (tanh, softmax, …) would otherwise keep the whole tape alive.
        t.node = nil
        precondition(gi.count == n.inputs.count, "autograd: op \(n.op) returned \(gi.count) grads for \(n.inputs.count) inputs")
        for (inp, gOpt) in zip(n.inputs, gi) {
          guard inp.requiresGrad, let gIn = gOpt else { continue }
          precondition(gIn.shape == inp.shape, "autograd: op \(n.op) gave grad \(gIn.shape) for input \(inp.shape)")
          let k = ObjectIdentifier(inp)
          if let acc = grads[k] { grads[k] = try acc + gIn } else { grads[k] = gIn }
        }
      }
    }
  }

  /// Clears the stored gradient.
  public func zeroGrad() { grad = nil }
}
