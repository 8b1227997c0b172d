import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import Foundation

/// `bench` with no arguments: every implemented transport on the default scenario.
struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run the default suite: every implemented transport on one scenario (the default command)."
    )

    @Option(name: .long, help: "Folder for the reports.")
    var output = "Results/default"

    func run() async throws {
        var scenario = Scenario.defaults
        scenario.name = "default"
        scenario.headers = .browser
        try await Plan(scenario: scenario, runs: try Planner.suite(scenario, registry: .standard()), output: URL(fileURLWithPath: output)).execute()
    }
}
