import ArgumentParser

struct ScoreCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "score", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts score is not built yet") }
}
