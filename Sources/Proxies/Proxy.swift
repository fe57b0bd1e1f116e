import Foundation
import SearchSpaces

/// Settings shared by every proxy evaluation. Proxies read what they need and ignore the rest.
public struct ProxyContext: Sendable {
  /// Seed for weight initialisation and sampling (same seed → same value).
  public var seed: UInt64 = 0
  /// Sequence length / batch for proxies that run the model on inputs.
  public var seqLen: Int = 192
  public var batch: Int = 1
  /// Directory holding corpora (`ptb/`, `wikitext-2/`), for proxies that need data.
  public var dataRoot: String? = nil
  /// Free-form per-proxy options (e.g. `layer=2`, `corpus=ptb`, `alpha=0.5`).
  public var options: [String: String] = [:]
  /// The architectures being ranked together (configs only, never their scores), for proxies that
  /// calibrate on the space they come from (zerolm's α). `lts rank` sets it to the benchmark's
  /// records; empty elsewhere.
  public var population: [any ArchitectureConfig] = []

  public init(seed: UInt64 = 0) { self.seed = seed }
}

extension ProxyContext {
  /// Option `key` read as one of `E`'s raw values (`fallback` when absent); an unknown value is a
  /// `ProxyError.invalidOption` naming `proxy`, the option and the allowed values.
  public func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E, proxy: String) throws -> E
  where E.RawValue == String {
    guard let s = options[key] else { return fallback }
    guard let v = E(rawValue: s) else {
      throw ProxyError.invalidOption(proxy: proxy, option: key,
                                     detail: "'\(s)' is not one of \(E.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    return v
  }
}

/// What a proxy returned for one architecture.
public struct ProxyResult: Sendable, Codable, Equatable {
  /// The value as published (`nil` when undefined).
  public var value: Double?
  /// Why the value is undefined (e.g. a cell whose states are constant).
  public var undefinedReason: String?
  /// Wall time of this evaluation in seconds.
  public var seconds: Double

  public init(value: Double?, undefinedReason: String? = nil, seconds: Double = 0) {
    self.value = value
    self.undefinedReason = undefinedReason
    self.seconds = seconds
  }

  public static func undefined(_ reason: String) -> ProxyResult { ProxyResult(value: nil, undefinedReason: reason) }
}

/// Errors a proxy raises for configs it cannot score.
public enum ProxyError: Error, CustomStringConvertible {
  case unsupportedBackbone(proxy: String, backbone: String)
  case unknownProxy(String, known: [String])
  case invalidOption(proxy: String, option: String, detail: String)

  public var description: String {
    switch self {
    case let .unsupportedBackbone(p, b): return "proxy \(p) does not support backbone \(b)"
    case let .unknownProxy(p, known): return "unknown proxy '\(p)'; known: \(known.joined(separator: ", "))"
    case let .invalidOption(p, o, d): return "proxy \(p): option \(o): \(d)"
    }
  }
}

extension Proxy {
  /// `error` as a message that names this proxy once (`ProxyError`s already name it).
  public func describe(_ error: Error) -> String {
    error is ProxyError ? "\(error)" : "proxy \(name): \(error)"
  }
}

/// A training-free score of an architecture. One file per proxy plus one line in `ProxyRegistry`.
public protocol Proxy: Sendable {
  /// Registry name, e.g. `decoder-params`.
  var name: String { get }
  /// One-line description for `--help` and reports.
  var summary: String { get }
  /// Whether a larger value predicts a better (lower-loss) model.
  var higherIsBetter: Bool { get }
  /// Whether the proxy reads real data (a corpus).
  var needsData: Bool { get }
  /// Whether the proxy back-propagates.
  var needsGradients: Bool { get }
  /// Whether the value depends only on the config and `context.seed`.
  var isDeterministic: Bool { get }
  /// Whether this proxy can score configs of this backbone.
  func supports(backbone: String) -> Bool
  /// The raw value (timing is added by `score`).
  func evaluate(_ config: any ArchitectureConfig, context: ProxyContext) throws -> ProxyResult
}

extension Proxy {
  public var needsData: Bool { false }
  public var needsGradients: Bool { false }
  public var isDeterministic: Bool { true }
  public var higherIsBetter: Bool { true }

  /// Evaluates with wall-time measurement; throws `unsupportedBackbone` for foreign configs.
  public func score(_ config: any ArchitectureConfig, context: ProxyContext = ProxyContext()) throws -> ProxyResult {
    guard supports(backbone: config.backbone) else {
      throw ProxyError.unsupportedBackbone(proxy: name, backbone: config.backbone)
    }
    let t0 = DispatchTime.now().uptimeNanoseconds
    var r = try evaluate(config, context: context)
    r.seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
    if let v = r.value, !v.isFinite {
      r = ProxyResult(value: nil, undefinedReason: "non-finite value \(v)", seconds: r.seconds)
    }
    return r
  }
}

/// All proxies by name: the plug-in point.
public enum ProxyRegistry {
  nonisolated(unsafe) public static var all: [String: any Proxy] = {
    var d: [String: any Proxy] = [:]
    for p in builtins { d[p.name] = p }
    return d
  }()

  /// Built-in proxies: one line each.
  static let builtins: [any Proxy] = [
    DecoderParamsProxy(),
    TotalParamsProxy(),
    FlopsProxy(),
    ZeroLM(),
    NLayersProxy(),
    LayersXHiddenProxy(),
    NonEmbeddingParamsProxy(),
    HiddenCovProxy(),
    JacobCovProxy(),
    RecurrentParamsProxy(),
    LinearNodesProxy(),
  ]

  public static func register(_ p: any Proxy) { all[p.name] = p }

  public static func get(_ name: String) throws -> any Proxy {
    guard let p = all[name] else { throw ProxyError.unknownProxy(name, known: all.keys.sorted()) }
    return p
  }

  /// Parses a comma-separated list of proxy names.
  public static func parse(_ list: String) throws -> [any Proxy] {
    try list.split(separator: ",").map { try get($0.trimmingCharacters(in: .whitespaces)) }
  }
}
