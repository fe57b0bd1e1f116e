import SearchSpaces

/// `decoder-params`: the LTS proxy. Parameters of the decoder blocks and final layer norm, i.e.
/// everything except token embeddings, positions and the output softmax, in closed form
/// (`GPT2Config.decoderParams`, DESIGN.md). It equals counting the instantiated model's decoder
/// (tested) and ranks trained GPT-2 perplexity almost perfectly (LTS, NeurIPS 2022).
///
/// GPT-2 only for now; other backbones throw `ProxyError.unsupportedBackbone`.
public struct DecoderParamsProxy: Proxy {
  public let name = "decoder-params"
  public let summary = "decoder (non-embedding) parameter count, closed form (LTS)"

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == GPT2Config.backbone }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let g = config as? GPT2Config else {
      throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone)
    }
    return ProxyResult(value: Double(g.decoderParams))
  }
}
