import ArgumentParser

struct BenchProxies: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "proxies", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts bench proxies is not built yet") }
}
