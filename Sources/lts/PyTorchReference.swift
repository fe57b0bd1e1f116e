import Foundation

/// The optional PyTorch side of `lts bench forward`: the same GPT-2 (same config, same weights) run by
/// PyTorch in the same process tree, when a Python with `torch` is available (`LTS_PYTHON`, else
/// `.venv/bin/python3`, else `python3`). Never required.
enum PyTorchReference {
  /// The first interpreter that can `import torch`, or nil.
  static func python() -> String? {
    var candidates: [String] = []
    if let p = ProcessInfo.processInfo.environment["LTS_PYTHON"], !p.isEmpty { candidates.append(p) }
    candidates += [".venv/bin/python3", "python3"]
    for c in candidates {
      if (try? run(c, ["-c", "import torch"]))?.status == 0 { return c }
    }
    return nil
  }

  struct Output { var status: Int32; var stdout: String; var stderr: String }

  static func run(_ exe: String, _ args: [String]) throws -> Output {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = [exe] + args
    let o = Pipe(), e = Pipe()
    p.standardOutput = o
    p.standardError = e
    try p.run()
    let od = o.fileHandleForReading.readDataToEndOfFile(), ed = e.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Output(status: p.terminationStatus, stdout: String(decoding: od, as: UTF8.self), stderr: String(decoding: ed, as: UTF8.self))
  }

  /// Builds the GPT-2 of `config.json` from `weights.bin` + `manifest.json` (our parameter names, shapes and
  /// float offsets), times its forward pass on `ids.json`, and compares its logits with `logits.bin`.
  static let script = #"""
import json, sys, time, math
import torch
import torch.nn.functional as F

d = sys.argv[1]
threads, warmups, repeats = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
cfg = json.load(open(f"{d}/config.json"))
man = json.load(open(f"{d}/manifest.json"))
raw = open(f"{d}/weights.bin", "rb").read()
W = {}
for e in man:
    n = math.prod(e["shape"]) if e["shape"] else 1
    W[e["name"]] = torch.frombuffer(bytearray(raw[4 * e["offset"]: 4 * (e["offset"] + n)]), dtype=torch.float32).reshape(e["shape"])
ids = torch.tensor(json.load(open(f"{d}/ids.json")), dtype=torch.long)
L, C = cfg["n_layer"], cfg["d_model"]
heads = cfg["n_head"]
T = ids.numel()

def forward(ids):
    x = W["wte.0.weight"][ids]
    if "wte.0.proj" in W:
        x = x @ W["wte.0.proj"]
    x = x + W["wpe.weight"][:T]
    for i in range(L):
        p = f"h.{i}."
        H = heads[i]; D = C // H
        h = F.layer_norm(x, (C,), W[p + "ln_1.weight"], W[p + "ln_1.bias"], 1e-5)
        qkv = torch.addmm(W[p + "attn.c_attn.bias"], h, W[p + "attn.c_attn.weight"])
        q, k, v = (t.reshape(1, T, H, D).transpose(1, 2) for t in qkv.split(C, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True).transpose(1, 2).reshape(T, C)
        x = x + torch.addmm(W[p + "attn.c_proj.bias"], y, W[p + "attn.c_proj.weight"])
        h = F.layer_norm(x, (C,), W[p + "ln_2.weight"], W[p + "ln_2.bias"], 1e-5)
        f = F.gelu(torch.addmm(W[p + "mlp.c_fc.bias"], h, W[p + "mlp.c_fc.weight"]), approximate="tanh")
        x = x + torch.addmm(W[p + "mlp.c_proj.bias"], f, W[p + "mlp.c_proj.weight"])
    x = F.layer_norm(x, (C,), W["ln_f.weight"], W["ln_f.bias"], 1e-5)
    if "wte.0.proj" in W:
        x = x @ W["wte.0.proj"].t()
    return x @ W["wte.0.weight"].t()

with torch.inference_mode():
    for _ in range(warmups):
        out = forward(ids)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); out = forward(ids); times.append((time.perf_counter() - t0) * 1e3)
ours = torch.frombuffer(bytearray(open(f"{d}/logits.bin", "rb").read()), dtype=torch.float32).reshape(out.shape)
times.sort()
print(json.dumps({"latency_ms": times[len(times) // 2], "max_abs_diff": float((out - ours).abs().max()),
                  "max_abs": float(out.abs().max()), "torch": torch.__version__, "threads": torch.get_num_threads()}))
"""#
}
