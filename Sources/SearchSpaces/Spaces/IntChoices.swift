/// The allowed values of one integer gene: an arithmetic range or an explicit list.
///
/// In a space file a gene is written as a single integer (`vocab_size: 50257`), a list of choices
/// (`n_head: [2, 4, 8]`) or a range (`d_model: {min: 128, max: 1024, step: 64}`, step 1 when
/// omitted). A range holds `min, min + step, …` up to `max`; `max` itself is included only when
/// it is on the step grid.
public enum IntChoices: Sendable, Hashable, CustomStringConvertible {
  /// `min, min + step, … ≤ max` (step ≥ 1, min ≤ max).
  case range(min: Int, max: Int, step: Int)
  /// An explicit, non-empty list without duplicates; sampled uniformly.
  case values([Int])

  /// A single allowed value.
  public static func just(_ v: Int) -> IntChoices { .values([v]) }

  /// Number of allowed values.
  public var count: Int {
    switch self {
    case let .range(lo, hi, step): return hi < lo ? 0 : (hi - lo) / step + 1
    case let .values(v): return v.count
    }
  }

  /// The i-th allowed value (0-based, in range order or list order).
  public subscript(i: Int) -> Int {
    switch self {
    case let .range(lo, _, step): return lo + i * step
    case let .values(v): return v[i]
    }
  }

  /// All allowed values (enumerated; spaces cap ranges at `IntChoices.maxCount` values).
  public var all: [Int] { (0..<count).map { self[$0] } }

  /// Largest number of values a space accepts for one gene (keeps validation and repair cheap).
  public static let maxCount = 100_000

  public var minValue: Int {
    switch self {
    case let .range(lo, _, _): return lo
    case let .values(v): return v.min() ?? 0
    }
  }

  public var maxValue: Int {
    switch self {
    case let .range(lo, _, step): return lo + (count - 1) * step
    case let .values(v): return v.max() ?? 0
    }
  }

  public func contains(_ x: Int) -> Bool {
    switch self {
    case let .range(lo, hi, step): return x >= lo && x <= hi && (x - lo) % step == 0
    case let .values(v): return v.contains(x)
    }
  }

  /// A uniformly drawn value.
  public func sample(using rng: inout SplitMix64) -> Int { self[rng.nextIndex(count)] }

  /// A uniformly drawn value among those satisfying `allowed`, or `nil` when none does.
  public func sample(where allowed: (Int) -> Bool, using rng: inout SplitMix64) -> Int? {
    let ok = all.filter(allowed)
    return ok.isEmpty ? nil : ok[rng.nextIndex(ok.count)]
  }

  /// A uniformly drawn value ≥ `lower`, or `nil` when none is (no enumeration for ranges).
  public func sample(atLeast lower: Int, using rng: inout SplitMix64) -> Int? {
    switch self {
    case let .range(lo, _, step):
      let first = lower <= lo ? 0 : (lower - lo + step - 1) / step
      guard first < count else { return nil }
      return self[first + rng.nextIndex(count - first)]
    case .values:
      return sample(where: { $0 >= lower }, using: &rng)
    }
  }

  /// `128–4096 step 64`, or `{2, 4, 8}`.
  public var description: String {
    switch self {
    case let .range(lo, hi, step): return step == 1 ? "\(lo)–\(hi)" : "\(lo)–\(hi) step \(step)"
    case let .values(v): return v.count == 1 ? "\(v[0])" : "{" + v.map(String.init).joined(separator: ", ") + "}"
    }
  }

  /// The space-file form: an integer, a JSON list or `{min, max, step}`.
  public var fileForm: String {
    switch self {
    case let .range(lo, hi, step): return "{min: \(lo), max: \(hi), step: \(step)}"
    case let .values(v): return v.count == 1 ? "\(v[0])" : "[" + v.map(String.init).joined(separator: ", ") + "]"
    }
  }
}
