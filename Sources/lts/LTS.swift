import ArgumentParser
import TensorEngine

@main
struct LTS: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lts",
    abstract: "LiteSearch: training-free, hardware-aware architecture search for language models.",
    version: "0.1.0",
    subcommands: [SearchCommand.self, MeasureCommand.self, ScoreCommand.self, RankCommand.self, Bench.self],
    defaultSubcommand: nil)
}
