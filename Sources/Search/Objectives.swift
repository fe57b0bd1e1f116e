/// One quantity a search optimises, e.g. `decoder_params` (maximise) or `latency_ms` (minimise).
///
/// Objectives are registered by name, not subclassed (archai's `SearchObjectives`): the evaluator
/// returns one value per objective, in the order of `SearchSettings.objectives`.
public struct Objective: Codable, Sendable, Hashable {
  public var name: String
  public var higherIsBetter: Bool

  public init(_ name: String, higherIsBetter: Bool) {
    self.name = name
    self.higherIsBetter = higherIsBetter
  }

  enum CodingKeys: String, CodingKey { case name, higherIsBetter = "higher_is_better" }

  /// `value` oriented for minimisation (negated when higher is better).
  @inline(__always) public func minimised(_ value: Double) -> Double { higherIsBetter ? -value : value }
}

/// A bound on one objective, e.g. latency ≤ 20 ms or memory ≤ 100 MB. A candidate outside any
/// bound is *infeasible*: recorded, but never on the front.
public struct ObjectiveConstraint: Codable, Sendable, Hashable {
  public var objective: String
  /// Largest allowed value (inclusive), if any.
  public var max: Double?
  /// Smallest allowed value (inclusive), if any.
  public var min: Double?

  public init(_ objective: String, max: Double? = nil, min: Double? = nil) {
    self.objective = objective
    self.max = max
    self.min = min
  }

  /// How far `value` is outside the bound, relative to the bound: (value − max) / |max| above a
  /// maximum, (min − value) / |min| below a minimum (divided by 1 when the bound is 0); 0 inside.
  /// Summed over constraints this is the *normalised violation* used to rank infeasible candidates.
  public func violation(_ value: Double) -> Double {
    guard value.isFinite else { return .infinity }
    var v = 0.0
    if let hi = max, value > hi { v += (value - hi) / (hi == 0 ? 1 : abs(hi)) }
    if let lo = min, value < lo { v += (lo - value) / (lo == 0 ? 1 : abs(lo)) }
    return v
  }
}

/// What an evaluator returns for one config: a value per objective (in settings order) and free
/// metadata recorded with the candidate (e.g. `"proxy_seconds": 0.12`, `"latency_spread_ms": 0.3`).
public struct Evaluation: Sendable {
  public var values: [Double]
  public var metadata: [String: JSONValue]

  public init(_ values: [Double], metadata: [String: JSONValue] = [:]) {
    self.values = values
    self.metadata = metadata
  }
}
