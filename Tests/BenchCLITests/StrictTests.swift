import BenchCore
import BenchTestSupport
import Foundation
import Testing

@testable import BenchCLI

@Suite("--strict and disturbed runs", .serialized)
struct StrictTests {
    @Test("--strict is a flag of run, suite, sweep and claims, off unless given")
    func parses() throws {
        func strict<Command>(_ arguments: [String], as type: Command.Type, _ flag: (Command) -> Bool) throws -> Bool {
            flag(try #require(try Bench.parseAsRoot(arguments) as? Command))
        }
        #expect(try strict(["run", "--strict"], as: RunCommand.self) { $0.strictOption.strict })
        #expect(try !strict(["run"], as: RunCommand.self) { $0.strictOption.strict })
        #expect(try strict(["suite", "--strict"], as: SuiteCommand.self) { $0.strictOption.strict })
        #expect(try strict(["sweep", "--vary", "rate=1,2", "--strict"], as: SweepCommand.self) { $0.strictOption.strict })
        #expect(try strict(["claims", "--strict"], as: ClaimsCommand.self) { $0.strictOption.strict })
    }

    /// results.json's rows.
    struct Document: Decodable {
        var results: [RunResult]
    }

    /// `bench run` of one WebSocket client for a second into `output`, beside busy threads on
    /// every CPU and one more; its exit status and results.
    func runBesideHog(_ extra: [String], output: URL) async throws -> (status: Int32, document: Document, report: String) {
        let cores = try #require(ProcStat.read()?.cores)
        let hog = CPUHog(threads: cores + 1, seconds: 30)
        defer { hog.end() }
        let status = await Bench.main(arguments: [
            "run", "--transport", "websocket", "--clients", "1", "--rate", "50", "--duration", "1", "--output", output.path,
        ] + extra)
        hog.end()
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: output.appendingPathComponent("results.json")))
        return (status, document, try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8))
    }

    @Test("a run beside a CPU hog is reported as disturbed and exits 0; with --strict it exits 1, after writing the same reports")
    func strictFailsDisturbedRun() async throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-strict-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let lenient = try await runBesideHog([], output: output.appendingPathComponent("lenient"))
        #expect(lenient.status == 0)
        #expect(lenient.document.results.allSatisfy { $0.isDisturbed })
        #expect(lenient.report.contains("### Against the in-run floor") && lenient.report.contains("- **Disturbed**: WebSocket"))

        let strict = try await runBesideHog(["--strict"], output: output.appendingPathComponent("strict"))
        #expect(strict.status == 1)
        let row = try #require(strict.document.results.first)
        #expect(row.isDisturbed && row.eventsLost == 0)
        #expect(row.disturbances?.contains { $0.contains("tasks were runnable on average") } == true)
        #expect(strict.report.contains("- **Disturbed**: WebSocket"))
    }
}
