import Foundation
import SearchSpaces

/// The optional PyTorch side of `lts bench proxies` for the recurrent-cell proxies: the same cells
/// (recipes, sizes, the first 70 × 50 batch) built as NAS-Bench-NLP's PyTorch code builds them — a
/// per-step interpreter of the recipe graph with one linear map per input of a `linear` node —
/// timed in the same run. `forward`: the untrained model's forward over the batch without
/// gradients (what the authors' notebook runs for hidden covariance); `backward`: forward with
/// gradients and `backward(ones)` into the embedding output (their `get_batch_jacobian`, the cost of
/// `jacob-cov`). Only the time is compared: PyTorch's generator is not ours, so the weights differ.
enum PyTorchRecurrentReference {
  /// Median seconds per cell of `mode` (`forward` | `backward`) for each config, or nil when no
  /// Python with torch is found or the script fails (the reason is returned instead).
  static func time(_ configs: [RecurrentConfig], vocabulary: Int, steps: Int, streams: Int, mode: String,
                   threads: Int, repeats: Int) -> (seconds: [Double]?, note: String) {
    guard let py = PyTorchReference.python() else { return (nil, "no Python with torch (set LTS_PYTHON)") }
    let spec: [String: Any] = [
      "cells": configs.map { c in c.recipe.mapValues { ["op": $0.op.rawValue, "input": $0.input] } },
      "emb": configs.map(\.embSize), "hidden": configs.map(\.hiddenSize), "layers": configs.map(\.nLayers),
      "vocab": vocabulary, "steps": steps, "streams": streams, "mode": mode, "threads": threads, "repeats": repeats,
    ]
    do {
      let file = FileManager.default.temporaryDirectory.appendingPathComponent("lts-rnn-\(UUID().uuidString).json")
      try JSONSerialization.data(withJSONObject: spec).write(to: file)
      defer { try? FileManager.default.removeItem(at: file) }
      let out = try PyTorchReference.run(py, ["-c", script, file.path])
      guard out.status == 0, let data = out.stdout.data(using: .utf8),
            let secs = try JSONSerialization.jsonObject(with: data) as? [Double] else {
        return (nil, "PyTorch reference failed: \(out.stderr.split(separator: "\n").last ?? "exit \(out.status)")")
      }
      return (secs, "PyTorch (\(py))")
    } catch {
      return (nil, "PyTorch reference failed: \(error)")
    }
  }

  static let script = #"""
import json, sys, time
import torch
import torch.nn.functional as F

spec = json.load(open(sys.argv[1]))
torch.set_num_threads(spec["threads"])
T, B, V = spec["steps"], spec["streams"], spec["vocab"]
ACT = {"activation_tanh": torch.tanh, "activation_sigm": torch.sigmoid,
       "activation_leaky_relu": lambda x: F.leaky_relu(x, 0.01)}

def topo(recipe):
    done, order = {"x"} | {k for r in recipe.values() for k in r["input"] if k.startswith("h_prev_")}, []
    while len(order) < len(recipe):
        for k, r in sorted(recipe.items()):
            if k not in done and all(i in done for i in r["input"]):
                done.add(k); order.append(k)
    return order

class Layer:
    def __init__(self, recipe, n_in, h):
        self.recipe, self.order, self.h = recipe, topo(recipe), h
        self.states = 1 + max(int(k[6:]) for k in recipe if k.startswith("h_new_") and k[6:].isdigit())
        b = 1.0 / h ** 0.5
        self.w = {k: ([torch.empty(n_in if i == "x" else h, h).uniform_(-b, b).requires_grad_() for i in r["input"]],
                      torch.empty(h).uniform_(-b, b).requires_grad_())
                  for k, r in recipe.items() if r["op"] == "linear"}

    def __call__(self, xs):
        hs = [torch.zeros(B, self.h) for _ in range(self.states)]
        out = []
        for x in xs:
            v = {"x": x}
            for i, s in enumerate(hs): v[f"h_prev_{i}"] = s
            for k in self.order:
                r = self.recipe[k]; a = [v[i] for i in r["input"]]; op = r["op"]
                if op == "linear":
                    ws, bias = self.w[k]
                    y = bias
                    for t, w in zip(a, ws): y = y + t @ w
                elif op == "blend": y = a[0] * a[1] + (1 - a[0]) * a[2]
                elif op == "elementwise_prod":
                    y = a[0]
                    for t in a[1:]: y = y * t
                elif op == "elementwise_sum":
                    y = a[0]
                    for t in a[1:]: y = y + t
                else: y = ACT[op](a[0])
                v[k] = y
            hs = [v[f"h_new_{i}"] for i in range(self.states)]
            out.append(hs[0])
        return out

def run(cell, e, h, n, ids, backward):
    emb_table = torch.empty(V, e).uniform_(-0.1, 0.1)
    layers = [Layer(cell, e if l == 0 else h, h) for l in range(n)]
    with torch.set_grad_enabled(backward):
        emb = emb_table[ids]
        if backward: emb.requires_grad_()
        xs = list(torch.unbind(emb, 0))
        for layer in layers: xs = layer(xs)
        if backward:
            torch.stack(xs).backward(torch.ones(T, B, h))
            return emb.grad
        return xs[0]

torch.manual_seed(0)
ids = torch.randint(0, V, (T, B))
backward = spec["mode"] == "backward"
res = []
for cell, e, h, n in zip(spec["cells"], spec["emb"], spec["hidden"], spec["layers"]):
    run(cell, e, h, n, ids, backward)  # warm-up
    ts = []
    for _ in range(spec["repeats"]):
        t0 = time.perf_counter(); run(cell, e, h, n, ids, backward); ts.append(time.perf_counter() - t0)
    res.append(sorted(ts)[len(ts) // 2])
print(json.dumps(res))
"""#
}
