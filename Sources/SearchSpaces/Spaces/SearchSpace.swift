/// A set of architectures that can be sampled: the base capability every searcher needs.
///
/// Capabilities are layered as in archai (`DiscreteSearchSpace` → `EvolutionarySearchSpace`) and
/// expressed as generic constraints: a searcher that breeds requires `Space: EvolutionarySpace`,
/// so using a space without `mutate` / `crossover` with it is a compile error, not a runtime check.
/// All randomness comes from the one `SplitMix64` passed `inout`.
public protocol SearchSpace: Sendable {
  /// The config type this space produces.
  associatedtype Config: ArchitectureConfig

  /// A uniformly drawn member of the space (per gene, within the space's rules).
  func sample(using rng: inout SplitMix64) -> Config

  /// The deduplication key of a config: two configs with the same key are the same candidate.
  /// Defaults to the config's own `canonicalKey` (active genes only).
  func canonicalKey(of config: Config) -> String

  /// `nil` when `config` lies in the space, otherwise an error naming the first field that is
  /// outside and the rule it breaks.
  func violation(of config: Config) -> ConfigError?

  /// A deterministic description of the space itself, stored in search checkpoints so that a
  /// search is never resumed with a different space.
  var spaceKey: String { get }
}

extension SearchSpace {
  public func canonicalKey(of config: Config) -> String { config.canonicalKey }

  /// Whether `config` lies in the space (see `violation(of:)` for the reason when it does not).
  public func contains(_ config: Config) -> Bool { violation(of: config) == nil }

  /// The archid of a config under this space's key: FNV-1a of `canonicalKey(of:)`.
  public func archID(of config: Config) -> String { stableHash(canonicalKey(of: config)) }
}

/// A space that can breed: per-gene mutation and crossover (LTS / archai `EvolutionarySearchSpace`).
public protocol EvolutionarySpace: SearchSpace {
  /// A copy of `config` where each gene is resampled from the space with `probability`; genes
  /// that a change makes invalid (e.g. a head count that no longer divides d_model) are repaired
  /// by resampling them among the allowed values. The result always lies in the space.
  func mutate(_ config: Config, probability: Double, using rng: inout SplitMix64) -> Config

  /// A child taking each gene from `second` with `probability`, otherwise from `first`, then
  /// repaired as in `mutate`. The result always lies in the space.
  func crossover(_ first: Config, _ second: Config, probability: Double, using rng: inout SplitMix64) -> Config
}
