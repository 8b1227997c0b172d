import BenchCore
import BenchEngine
import BenchReports
import BenchServer
import BenchTransports
import Foundation

/// A list of runs and where their reports go: what `bench run` and `bench` (the suite) execute.
struct Plan {
    struct Entry {
        var scenario: Scenario
        var client: any TransportClient
    }

    var scenario: Scenario
    var entries: [Entry]
    var output: URL?
    /// The loopback server's port for every run; 0 lets the kernel choose.
    var port = 0
    /// The server halves, gRPC's included.
    var routes = Transports.routes()
    /// `bench run --target`: the server is `bench serve` elsewhere, not one in this process.
    var target: RemoteTarget?

    /// Runs every entry, prints the table, writes the reports; throws ``RunFailure`` with
    /// status 1 when anything was lost.
    func execute() async throws {
        if let output { try ReportWriter.prepare(output) }
        var results: [RunResult] = []
        for (index, entry) in entries.enumerated() {
            results.append(try await measure(entry, position: "[\(index + 1)/\(entries.count)]"))
        }
        let document = ResultsDocument(environment: .current(), scenario: scenario, results: results, command: Console.commandLine)
        print(MarkdownReport.table(results))
        let problems = MarkdownReport.problems(results)
        if !problems.isEmpty {
            print("")
            for line in problems { print("- " + line) }
        }
        if let output {
            try ReportWriter.write(document, to: output)
            Console.status("reports written to \(output.path)/: \(ReportWriter.fileNames.joined(separator: ", "))")
        }
        if !document.isClean { throw RunFailure(status: 1) }
    }
}

extension Plan {
    /// Runs one entry on a fresh loopback server, with progress lines on stderr headed by `position`.
    func measure(_ entry: Entry, position: String) async throws -> RunResult {
        let http = entry.client.kind.hasHTTPVersionChoice ? ", HTTP/\(entry.scenario.httpVersion.rawValue)" : ""
        let label = "\(entry.client.kind.rawValue) (\(entry.client.variant)\(http))"
        let scale = entry.scenario.timeScale == 1 ? "" : " (time scale \(Format.significant(entry.scenario.timeScale)): \(Format.significant(entry.scenario.wallClock.durationSeconds)) s of wall time)"
        Console.status("\(position) \(label): \(entry.scenario.clients) clients, \(entry.scenario.eventCount) events over \(Format.significant(entry.scenario.durationSeconds)) s\(scale)")
        let runner = Runner(port: port, routes: routes) { progress in
            Console.status(
                "    \(progress.phase.rawValue): \(Int(progress.elapsedSeconds)) s of \(Int(progress.plannedSeconds.rounded())) s, "
                    + "\(progress.eventsPublished)/\(progress.eventsPlanned) events published, \(progress.deliveries)/\(progress.deliveriesExpected) delivered"
            )
        }
        let result = if let target {
            try await runner.run(entry.scenario, client: entry.client, target: target)
        } else {
            try await runner.run(entry.scenario, client: entry.client)
        }
        if let clock = result.clock, let hosts = result.hosts {
            Console.status("    run \(result.runID ?? "?") on \(result.target ?? "?"), \(hosts) host\(hosts == 1 ? "" : "s"); clocks: \(Format.clock(clock))")
        }
        Console.status("    done: \(result.eventsDelivered)/\(result.deliveriesExpected) delivered, \(result.eventsLost) lost, \(result.bytesUp + result.bytesDown) wire bytes")
        return result
    }
}

/// Progress and status lines go to stderr, so stdout carries only the table.
enum Console {
    static func status(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// The invocation, for reports: `bench` plus its arguments, quoted where needed.
    static var commandLine: String {
        (["bench"] + CommandLine.arguments.dropFirst().map { argument in
            argument.contains(where: { $0 == " " || $0 == "'" || $0 == "\"" }) ? "'\(argument.replacingOccurrences(of: "'", with: "'\\''"))'" : argument
        }).joined(separator: " ")
    }
}
