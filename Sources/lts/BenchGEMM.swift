import ArgumentParser

struct BenchGEMM: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "gemm", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts bench gemm is not built yet") }
}
