import ArgumentParser

/// `lts bench …`: speed figures printed beside their reference, as ratios.
struct Bench: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Speed benchmarks, each printed beside its reference (OpenBLAS, PyTorch) as a ratio.",
    subcommands: [BenchGEMM.self, BenchForward.self, BenchProxies.self])
}
