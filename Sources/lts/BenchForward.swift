import ArgumentParser

struct BenchForward: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "forward", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts bench forward is not built yet") }
}
