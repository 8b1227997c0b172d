import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import Foundation

/// `bench baseline`: the round-trip floor of this machine, and the harness against it.
struct BaselineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baseline",
        abstract: "Time echo round trips on loopback: raw TCP (the floor), a NIO echo server, and the harness's WebSocket echo (event-loop and async clients, and with --tls over TLS), from one run."
    )

    @Option(name: .customLong("round-trips"), help: "Timed round trips per row (after as many again untimed, to warm up).")
    var roundTrips = 20_000

    @Option(name: .customLong("message-bytes"), help: "Bytes per message.")
    var messageBytes = 64

    @Option(name: .long, help: "Folder for report.md and baseline.json.")
    var output: String?

    @OptionGroup var tlsOptions: TLSOptions

    func validate() throws {
        guard roundTrips >= 100 else { throw ValidationError("--round-trips must be at least 100 (got \(roundTrips))") }
        guard (1...1 << 20).contains(messageBytes) else { throw ValidationError("--message-bytes must be between 1 and 1048576 (got \(messageBytes))") }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
        do {
            if try tlsOptions.settings().resumption { throw BenchError.usage("--tls-resumption on: the baseline times one long-lived connection per row, which never resumes a session") }
        } catch { throw ValidationError(error.message) }
    }

    func run() async throws {
        let tls = try tlsOptions.settings()
        Console.status("timing \(roundTrips) round trips of \(messageBytes) bytes each way, \(tls.enabled ? "five ways (the last over \(tls.label))" : "four ways"), interleaved in 10 rounds")
        // Many short steps: on a terminal only.
        let progress = Progress.standardError(logsSteps: false)
        let rows = try await progress.run {
            try await Baseline.run(roundTrips: roundTrips, warmup: roundTrips, messageBytes: messageBytes, tls: tls) { step, steps, label in progress.step(step, of: steps, label) }
        }
        let report = BaselineReport(rows: rows)
        print(report.table)
        print("")
        print(report.verdict)
        if !report.tlsCost.isEmpty { print(report.tlsCost) }
        if let output {
            let directory = URL(fileURLWithPath: output)
            try report.write(environment: .current(), command: Console.commandLine, to: directory)
            Console.status("reports written to \(directory.path)/: report.md, baseline.json")
        }
    }
}
