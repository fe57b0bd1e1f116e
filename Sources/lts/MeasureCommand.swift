import ArgumentParser

struct MeasureCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "measure", abstract: "Not built yet.")
  func run() throws { throw ValidationError("lts measure is not built yet") }
}
