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
    /// Where progress goes: a rewriting line on a terminal, status lines elsewhere.
    var progress = Progress.standardError()
    /// `--strict`: a disturbed run makes the command exit 1 after its reports are written.
    var strict = false

    /// Runs every row, prints the compact table, writes the reports; throws ``RunFailure`` with
    /// status 1 when anything was lost.
    func execute() async throws {
        if let output { try ReportWriter.prepare(output) }
        var results: [RunResult] = []
        try await progress.run {
            for (index, run) in runs.enumerated() {
                results.append(try await measure(run, step: index + 1, of: runs.count))
            }
        }
        let document = ResultsDocument(environment: .current(), scenario: scenario, results: results, command: Console.commandLine)
        print(TerminalTable.render(results))
        let floor = FloorReport.terminalLines(results)
        if !floor.isEmpty { print("\n" + floor.joined(separator: "\n")) }
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
        try StrictOption.check(results, strict: strict)
    }

    /// Runs one row as step `index` of `total` (`context` says which point of a sweep or which
    /// claim it is), with its progress on stderr.
    func measure(_ run: PlannedRun, step index: Int, of total: Int, context: String = "") async throws -> RunResult {
        let scenario = run.scenario
        let scale = scenario.timeScale == 1 ? "" : " (time scale \(Format.significant(scenario.timeScale)): \(Format.significant(scenario.wallClock.durationSeconds)) s of wall time)"
        let cookie = scenario.headers.cookieBytes > 0 ? " with a \(scenario.headers.cookieBytes)-byte Cookie" : ""
        progress.step(
            index, of: total,
            "\(context)\(run.label): \(scenario.clients) clients, \(scenario.eventCount) events over \(Format.significant(scenario.durationSeconds)) s\(scale), "
                + "\(scenario.headers.name) headers\(cookie)")
        var runner = self.runner
        let progress = self.progress
        runner.onProgress = { state in
            progress.detail(
                "\(state.phase.rawValue): \(Int(state.elapsedSeconds)) s of \(Int(state.plannedSeconds.rounded())) s, "
                    + "\(state.eventsPublished)/\(state.eventsPlanned) events published, \(state.deliveries)/\(state.deliveriesExpected) delivered"
            )
        }
        let result = try await runner.run(run, target: target)
        if let clock = result.clock, let hosts = result.hosts {
            progress.detail("run \(result.runID ?? "?") on \(result.target ?? "?"), \(hosts) host\(hosts == 1 ? "" : "s"); clocks: \(Format.clock(clock))")
        }
        progress.detail("done: \(result.eventsDelivered)/\(result.deliveriesExpected) delivered, \(result.eventsLost) lost, \(result.bytesUp + result.bytesDown) wire bytes")
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
