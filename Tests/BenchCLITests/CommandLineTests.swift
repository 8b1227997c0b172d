import ArgumentParser
import BenchCLI
import Foundation
import Testing

@Suite("bench command line", .serialized)
struct CommandLineTests {
    /// The `bench` executable built beside the test bundle.
    static var benchExecutable: URL {
        get throws {
            let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bench")
            if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
            let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let debug = packageRoot.appendingPathComponent(".build/debug/bench")
            try #require(FileManager.default.isExecutableFile(atPath: debug.path), "build the bench product first")
            return debug
        }
    }

    /// Runs `bench` and returns its status, stdout and stderr.
    static func runBench(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = try benchExecutable
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static let badArguments: [[String]] = [
        ["run", "--transport", "carrier-pigeon"],
        ["run", "--rate=-5"],
        ["run", "--rate", "-5"],
        ["run", "--clients", "0"],
        ["run", "--clients", "many"],
        ["run", "--duration", "0"],
        ["run", "--payload-bytes=-1"],
        ["run", "--poll-interval", "0"],
        ["run", "--arrival", "sometimes"],
        ["run", "--no-such-flag"],
        ["serve", "--port", "70000"],
        ["run", "--http-version", "3"],
        ["run", "--transport", "grpc", "--grpc-call", "bidi-streaming"],
        ["run", "--transport", "sse", "--direction", "echo"],
        ["run", "--deadline", "0"],
        ["serve", "--idle-timeout=-1"],
        ["serve", "--max-connections", "0"],
        ["run", "--time-scale", "0"],
        ["run", "--rate", "1000", "--time-scale", "10000"],
        ["sweep"],
        ["sweep", "--vary", "speed=1,2"],
        ["sweep", "--vary", "clients=1.5"],
        ["sweep", "--vary", "rate=1", "--vary", "rate=2"],
        ["claims", "--claims", "/no/such/claims"],
        ["baseline", "--round-trips", "5"],
        ["peer-client", "echo", "http://127.0.0.1:1/"],
        ["serve", "--preload", "1000000"],
    ]

    @Test("bad values give one line on stderr and exit status 2", arguments: badArguments)
    func badValues(arguments: [String]) throws {
        let (status, stdout, stderr) = try Self.runBench(arguments)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        let lines = stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(stderr.hasPrefix("bench: error: "))
    }

    @Test("an output folder that cannot be written is refused before anything runs")
    func unwritableOutput() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-not-a-folder-\(UUID().uuidString)")
        try Data("x".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        for output in [file.path, file.appendingPathComponent("inside").path] {
            let start = Date()
            let (status, _, stderr) = try Self.runBench(["run", "--output", output])
            #expect(status == 2)
            #expect(stderr.split(separator: "\n").count == 1)
            #expect(stderr.contains(output) || stderr.contains(file.path))
            #expect(Date().timeIntervalSince(start) < 5, "refused before running the 5 s default scenario")
        }
    }

    @Test("parsing rejects bad values in process too")
    func parseErrors() {
        #expect(throws: (any Error).self) { try Bench.parseAsRoot(["run", "--clients", "0"]) }
        #expect(throws: (any Error).self) { try Bench.parseAsRoot(["run", "--transport", "nope"]) }
        #expect(throws: Never.self) { try Bench.parseAsRoot(["run", "--transport", "long-polling", "--clients", "3"]) }
    }

    @Test("help exits 0 and names the subcommands")
    func help() throws {
        let (status, stdout, _) = try Self.runBench(["--help"])
        #expect(status == 0)
        #expect(stdout.contains("run") && stdout.contains("serve") && stdout.contains("suite"))
    }

    @Test("bench run writes results.json, results.csv and report.md with the stable fields")
    func runWritesReports() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, stdout, _) = try Self.runBench([
            "run", "--transport", "short-polling,long-polling", "--clients", "2", "--rate", "20", "--duration", "0.5",
            "--poll-interval", "0.1", "--output", output.path,
        ])
        #expect(status == 0)
        #expect(stdout.contains("| Short polling") && stdout.contains("| Long polling"))

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any]
        let document = try #require(json)
        #expect(document["environment"] is [String: Any])
        #expect(document["scenario"] is [String: Any])
        let results = try #require(document["results"] as? [[String: Any]])
        #expect(results.count == 2)
        let stableFields = [
            "transport", "encoding", "clients", "eventsPublished", "eventsDelivered", "eventsLost", "eventsDuplicated",
            "bytesUp", "bytesDown", "payloadBytes", "overheadBytes", "requests", "connections", "latencyP50Nanoseconds",
            "latencyP90Nanoseconds", "latencyP99Nanoseconds", "latencyP999Nanoseconds", "latencyMaxNanoseconds",
        ]
        for result in results {
            for field in stableFields { #expect(result[field] != nil, "results.json lacks \(field)") }
            #expect(result["eventsLost"] as? Int == 0)
            #expect(result["eventsDelivered"] as? Int == 2 * 10)
        }
        let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 3)
        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("## Environment") && markdown.contains("## Scenario"))
    }
}
