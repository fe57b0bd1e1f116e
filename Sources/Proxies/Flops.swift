import SearchSpaces

extension GPT2Config {
  /// Forward FLOPs of one sequence of `seqLen` tokens (batch 1), counted as 2 × the multiply-adds of
  /// every matrix product the model computes. T = seqLen, C = d_model, Fᵢ = d_inner[i], E_k / V_k =
  /// width / size of embedding cluster k, K = clusters:
  /// - per layer i: qkv 3·T·C², attention scores Q·Kᵀ T²·C and values P·V T²·C (dense: the causally
  ///   masked half is counted, as a dense kernel computes it), output projection T·C², FFN 2·T·C·Fᵢ;
  /// - input: the projection of the embedding to d_model when there is one, counted at the widest
  ///   cluster, T·E_0·C (embedding lookups are not products);
  /// - output layer: every cluster's logits for every token, Σ_k (T·C·E_k if cluster k is projected +
  ///   T·E_k·V_k), plus the adaptive cluster head T·E_0·(K − 1).
  /// Biases, layer norms, GELU and softmax (O(T·C) or O(T²) elementwise work) are not counted.
  public func forwardFLOPs(seqLen t: Int) -> Int {
    let c = dModel
    var macs = 0
    for f in activeInner {
      macs += 4 * t * c * c      // qkv + output projection
      macs += 2 * t * t * c      // scores + weighted values, all heads
      macs += 2 * t * c * f      // FFN up + down
    }
    let adaptive = divVal > 1
    let ends = clusterEnds
    var start = 0
    for (k, end) in ends.enumerated() {
      let w = clusterWidth(k)
      let projected = adaptive || w != c
      if projected { macs += t * c * w }       // output projection C → E_k
      if projected && k == 0 { macs += t * w * c }  // input projection E_0 → C
      macs += t * w * (end - start)            // logits of the cluster
      start = end
    }
    if adaptive { macs += t * embedWidth * (ends.count - 1) }  // cluster head
    return 2 * macs
  }
}

/// `flops`: forward FLOPs of one sequence of `context.seqLen` tokens (2 × multiply-adds of every
/// matrix product, attention and output layer included; see `GPT2Config.forwardFLOPs`). A cost,
/// not a quality signal: larger models have more FLOPs, so, like parameter counts, higher = better
/// when it is used to rank trained quality. GPT-2 only for now. Undefined when seqLen exceeds
/// n_positions (the model cannot run it).
public struct FlopsProxy: Proxy {
  public let name = "flops"
  public let summary = "forward FLOPs per sequence of seq-len tokens (2 × multiply-adds of all matmuls)"

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == GPT2Config.backbone }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let g = config as? GPT2Config else {
      throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone)
    }
    guard context.seqLen >= 1 else {
      throw ProxyError.invalidOption(proxy: name, option: "seq_len", detail: "must be ≥ 1 (got \(context.seqLen))")
    }
    guard context.seqLen <= g.nPositions else {
      return .undefined("seq_len \(context.seqLen) exceeds n_positions = \(g.nPositions)")
    }
    return ProxyResult(value: Double(g.forwardFLOPs(seqLen: context.seqLen)))
  }
}
