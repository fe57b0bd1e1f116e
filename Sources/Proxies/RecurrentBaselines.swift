import Models
import SearchSpaces

/// `params`: the parameter count of a recurrent model in closed form (`RecurrentConfig.parameterCount`,
/// which reproduces NAS-Bench-NLP's `num_params`): embedding tied with the decoder, decoder bias,
/// and every `linear` node's weights and bias. Vocabulary: `vocab_size`, else the corpus named by
/// the `corpus` option (PTB 10,000 / WikiText-2 33,278), else 33,278. A simple baseline.
public struct RecurrentParamsProxy: Proxy {
  public let name = "params"
  public let summary = "parameter count of the recurrent model (closed form = NAS-Bench-NLP num_params)"

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == RecurrentConfig.backbone }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let c = config as? RecurrentConfig else { throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone) }
    let vocab: Int? = switch context.options["corpus"] {
    case "ptb": 10_000
    case "wikitext-2": 33_278
    default: nil
    }
    return ProxyResult(value: Double(c.parameterCount(vocabulary: vocab)))
  }
}

/// `linear-nodes`: the number of `linear` nodes of the recipe cell (the only nodes with weights).
public struct LinearNodesProxy: Proxy {
  public let name = "linear-nodes"
  public let summary = "number of linear nodes of the recurrent cell"

  public init() {}

  public func supports(backbone: String) -> Bool { backbone == RecurrentConfig.backbone }

  public func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult {
    guard let c = config as? RecurrentConfig else { throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone) }
    return ProxyResult(value: Double(c.linearNodeCount))
  }
}

/// `total-params` of a recurrent config without building it: the model `ModelRegistry` builds uses
/// `vocab_size` or 33,278, as `parameterCount()` does (equality tested in RecurrentTests).
extension RecurrentConfig: ClosedFormParameterCount {
  public var totalParams: Int { parameterCount() }
}
