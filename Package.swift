// swift-tools-version: 6.0
// LiteSearch: training-free, hardware-aware neural architecture search for language models.
import PackageDescription

/// Heavy numeric targets are built with `-Ounchecked` and tuned for the building CPU in release
/// (SIMD lowers to AVX-512 / AVX2 / NEON as available); debug builds still optimise them (and target
/// this CPU, so FMA is inlined) so that `swift test` runs real models quickly, but keep bounds checks.
let fast: [SwiftSetting] = [
  .unsafeFlags(["-Ounchecked", "-wmo", "-target-cpu", "native"], .when(configuration: .release)),
  .unsafeFlags(["-O", "-target-cpu", "native"], .when(configuration: .debug)),
]

let package = Package(
  name: "LiteSearch",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "lts", targets: ["lts"]),
    .library(name: "LiteSearch", targets: [
      "TensorEngine", "SearchSpaces", "Models", "Proxies", "Hardware", "Search", "Benchmarks", "Reports",
    ]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
  ],
  targets: [
    // Tensor storage, kernels (GEMM), threads, autograd, float64 linear algebra.
    .target(name: "TensorEngine", dependencies: ["SearchSpaces", .product(name: "Numerics", package: "swift-numerics")],
            swiftSettings: fast, linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
    // Architecture configs (Codable), validation, search spaces (sample / mutate / crossover).
    .target(name: "SearchSpaces", dependencies: ["Yams"]),
    // One readable file per backbone, built on TensorEngine.
    .target(name: "Models", dependencies: ["TensorEngine", "SearchSpaces"], swiftSettings: fast),
    // Training-free proxies behind one protocol and a registry.
    .target(name: "Proxies", dependencies: ["Models", "TensorEngine", "SearchSpaces"], swiftSettings: fast),
    // Real latency and peak-memory measurement, cost model.
    .target(name: "Hardware", dependencies: ["Models", "TensorEngine", "SearchSpaces"], swiftSettings: fast),
    // Pareto front, hypervolume, evolutionary / random search with checkpoints.
    .target(name: "Search", dependencies: ["SearchSpaces", .product(name: "Collections", package: "swift-collections")],
            swiftSettings: fast),
    // Public benchmarks of trained architectures and rank statistics.
    .target(name: "Benchmarks", dependencies: ["SearchSpaces", "Proxies", "Yams"], swiftSettings: fast),
    // HTML / SVG report and terminal tables.
    .target(name: "Reports", dependencies: ["Search", "SearchSpaces"]),
    .executableTarget(name: "lts", dependencies: [
      "TensorEngine", "SearchSpaces", "Models", "Proxies", "Hardware", "Search", "Benchmarks", "Reports",
      .product(name: "ArgumentParser", package: "swift-argument-parser"),
    ], swiftSettings: fast),

    .testTarget(name: "TensorEngineTests", dependencies: ["TensorEngine"]),
    .testTarget(name: "SearchSpacesTests", dependencies: ["SearchSpaces"]),
    .testTarget(name: "ModelsTests", dependencies: ["Models", "TensorEngine", "SearchSpaces"]),
    .testTarget(name: "ProxiesTests", dependencies: ["Proxies", "Models", "TensorEngine", "SearchSpaces"]),
    .testTarget(name: "HardwareTests", dependencies: ["Hardware", "Models", "TensorEngine", "SearchSpaces"]),
    .testTarget(name: "SearchTests", dependencies: ["Search", "SearchSpaces"]),
    .testTarget(name: "BenchmarksTests", dependencies: ["Benchmarks", "Proxies", "SearchSpaces"]),
    .testTarget(name: "ReportsTests", dependencies: ["Reports", "Search", "SearchSpaces"]),
    .testTarget(name: "CLITests", dependencies: ["lts"]),
  ]
)
