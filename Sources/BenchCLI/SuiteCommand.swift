import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import Foundation

/// `bench` with no arguments: every implemented transport on the default scenario.
struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run the default suite: every implemented transport on one scenario (the default command); --tls runs it over TLS."
    )

    @Option(name: .long, help: "Folder for the reports.")
    var output = "Results/default"

    @OptionGroup var tlsOptions: TLSOptions

    @OptionGroup var strictOption: StrictOption

    func validate() throws {
        do { _ = try tlsOptions.settings() } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        var scenario = Scenario.defaults
        scenario.name = "default"
        scenario.headers = .browser
        scenario.tls = try tlsOptions.settings()
        try await Plan(scenario: scenario, runs: try Planner.suite(scenario, registry: .standard()), output: URL(fileURLWithPath: output), strict: strictOption.strict).execute()
    }
}
