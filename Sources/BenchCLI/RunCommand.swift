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

    @Option(name: .long, help: "Transports, comma-separated: short-polling, long-polling, sse, websocket, or all (all that carry the direction).")
    var transport = "all"

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(name: .long, help: "Folder for results.json, results.csv and report.md (created if missing).")
    var output: String?

    func validate() throws {
        do { _ = try plan() } catch { throw ValidationError(error.message) }
    }

    /// The transports to run: `all` means every implemented transport that carries the direction.
    private func kinds(for scenario: Scenario) throws(BenchError) -> [TransportKind] {
        if transport.lowercased() == "all" {
            return TransportCatalog.implemented.filter { TransportCatalog.directions(for: $0).contains(scenario.direction) }
        }
        return try TransportKind.parseList(transport, available: TransportCatalog.implemented)
    }

    private func plan() throws(BenchError) -> [Plan.Entry] {
        let scenario = try scenarioOptions.scenario(name: "custom")
        return try kinds(for: scenario).map { kind throws(BenchError) in
            Plan.Entry(scenario: scenario, client: try TransportCatalog.client(for: kind, scenario: scenario))
        }
    }

    func run() async throws {
        let scenario = try scenarioOptions.scenario(name: "custom")
        try await Plan(scenario: scenario, entries: try plan(), output: output.map { URL(fileURLWithPath: $0) }).execute()
    }
}
