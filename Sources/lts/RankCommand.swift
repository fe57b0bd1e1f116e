import ArgumentParser

struct RankCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "rank", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts rank is not built yet") }
}
