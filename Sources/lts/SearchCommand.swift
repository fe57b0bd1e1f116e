import ArgumentParser

struct SearchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "search", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts search is not built yet") }
}
