import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import BenchTransports
import Foundation

/// `bench` with no arguments: every implemented transport on the default scenario.
struct SuiteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "suite",
        abstract: "Run the default suite: every implemented transport on one scenario (the default command)."
    )

    @Option(name: .long, help: "Folder for the reports.")
    var output = "Results/default"

    /// The suite's rows: each transport; polling both with a kept-alive connection and with a
    /// new connection per request (the study notes' assumption); short polling also over HTTP/2,
    /// to show what header compression does to a poll; gRPC server streaming.
    static func entries(for scenario: Scenario) throws(BenchError) -> [Plan.Entry] {
        var entries: [Plan.Entry] = []
        for kind in Transports.implemented {
            var variant = scenario
            variant.connectionMode = .keepAlive
            entries.append(Plan.Entry(scenario: variant, client: try Transports.client(for: kind, scenario: variant)))
            if kind == .shortPolling {
                var http2 = variant
                http2.httpVersion = .http2
                entries.append(Plan.Entry(scenario: http2, client: try Transports.client(for: kind, scenario: http2)))
            }
            if kind == .shortPolling || kind == .longPolling {
                variant.connectionMode = .perRequest
                entries.append(Plan.Entry(scenario: variant, client: try Transports.client(for: kind, scenario: variant)))
            }
        }
        return entries
    }

    func run() async throws {
        var scenario = Scenario.defaults
        scenario.name = "default"
        try await Plan(scenario: scenario, entries: try Self.entries(for: scenario), output: URL(fileURLWithPath: output)).execute()
    }
}
