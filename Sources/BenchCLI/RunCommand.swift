import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import BenchTransports
import Foundation

/// `bench run`: one scenario over the chosen transports.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario over one or more transports and report what each cost."
    )

    @Option(name: .long, help: "Transports, comma-separated: short-polling, long-polling, or all.")
    var transport = "all"

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(name: .long, help: "Folder for results.json, results.csv and report.md (created if missing).")
    var output: String?

    func validate() throws {
        do { _ = try TransportKind.parseList(transport, available: TransportCatalog.implemented) } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        let scenario = try scenarioOptions.scenario(name: "custom")
        let kinds = try TransportKind.parseList(transport, available: TransportCatalog.implemented)
        let plan = try kinds.map { kind throws(BenchError) in Plan.Entry(scenario: scenario, client: try TransportCatalog.client(for: kind, scenario: scenario)) }
        try await Plan(scenario: scenario, entries: plan, output: output.map { URL(fileURLWithPath: $0) }).execute()
    }
}
