import BenchCore
import BenchEngine
import BenchReports
import BenchTransports
import Foundation

/// A list of runs and where their reports go: what `bench run` and `bench` (the suite) execute.
struct Plan {
    var scenario: Scenario
    var runs: [PlannedRun]
    var output: URL?
    /// The transports the in-process server offers, and its port (0 lets the kernel choose).
    var runner = Runner(registry: .standard())
    /// `bench run --target`: the server is `bench serve` elsewhere, not one in this process.
    var target: RemoteTarget?

    /// Runs every row, prints the compact table, writes the reports; throws ``RunFailure`` with
    /// status 1 when anything was lost.
    func execute() async throws {
        if let output { try ReportWriter.prepare(output) }
        var results: [RunResult] = []
        for (index, run) in runs.enumerated() {
            results.append(try await measure(run, position: "[\(index + 1)/\(runs.count)]"))
        }
        let document = ResultsDocument(environment: .current(), scenario: scenario, results: results, command: Console.commandLine)
        print(MarkdownReport.table(results))  // MERGE: TerminalTable.render
        let problems = MarkdownReport.problems(results)
        if !problems.isEmpty {
            print("")
            for line in problems { print("- " + line) }
        }
        if let output {
            try ReportWriter.write(document, to: output)
            Console.status("reports written to \(output.path)/: \(ReportWriter.fileNames.joined(separator: ", ")) (report.md has the full tables)")
        }
        if !document.isClean { throw RunFailure(status: 1) }
    }

    /// Runs one row, with progress lines on stderr headed by `position`.
    func measure(_ run: PlannedRun, position: String) async throws -> RunResult {
        let scenario = run.scenario
        let scale = scenario.timeScale == 1 ? "" : " (time scale \(Format.significant(scenario.timeScale)): \(Format.significant(scenario.wallClock.durationSeconds)) s of wall time)"
        let cookie = scenario.headers.cookieBytes > 0 ? " with a \(scenario.headers.cookieBytes)-byte Cookie" : ""
        Console.status(
            "\(position) \(run.label): \(scenario.clients) clients, \(scenario.eventCount) events over \(Format.significant(scenario.durationSeconds)) s\(scale), "
                + "\(scenario.headers.name) headers\(cookie)")
        var runner = self.runner
        runner.onProgress = { progress in
            Console.status(
                "    \(progress.phase.rawValue): \(Int(progress.elapsedSeconds)) s of \(Int(progress.plannedSeconds.rounded())) s, "
                    + "\(progress.eventsPublished)/\(progress.eventsPlanned) events published, \(progress.deliveries)/\(progress.deliveriesExpected) delivered"
            )
        }
        let result = try await runner.run(run, target: target)
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
