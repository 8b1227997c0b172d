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
        ["run", "--compression", "sometimes"],
        ["run", "--tls-version", "1.1"],
        ["run", "--tls-key", "rsa2048"],
        ["run", "--tls", "--tls-key", "dsa"],
        ["run", "--tls", "--cert", "/no/such/cert.pem", "--key", "/no/such/key.pem"],
        ["run", "--tls", "--cert", "/etc/hostname"],
        ["run", "--tls", "--cert", "/etc/hostname", "--key", "/etc/hostname"],
        ["run", "--tls", "--tls-resumption", "on", "--transport", "short-polling"],
        ["serve", "--cert-out", "/tmp/cert.pem"],
        ["suite", "--tls-version", "1.2"],
        ["run", "--compression", "on", "--ws-max-window-bits", "7"],
        ["run", "--compression", "on", "--ws-max-window-bits", "16"],
        ["run", "--ws-compress-threshold=-1"],
        ["run", "--gzip-min-length=-1"],
        ["run", "--grpc-compression", "brotli"],
        ["run", "--payload-content", "poetry"],
        ["serve", "--compression", "both"],
        ["scale", "--ws-max-window-bits", "20"],
        ["run", "--delay-ms=-1"],
        ["run", "--delay-ms", "10", "--jitter-ms", "20"],
        ["run", "--bandwidth-down", "fast"],
        ["serve", "--bandwidth-up", "1bit"],
        ["sweep", "--vary", "rate=1,2", "--bandwidth-up", "0kbit"],
        ["scale", "--transport", "short-polling"],
        ["scale", "--clients", "0"],
        ["scale", "--events", "0"],
        ["run", "--hosts", "2"],
        ["run", "--target", "ftp://127.0.0.1:1"],
        ["run", "--target", "http://127.0.0.1:1", "--hosts", "2"],
        ["run", "--target", "http://127.0.0.1:1", "--port", "8080"],
        ["run", "--target", "http://127.0.0.1:1", "--transport", "websocket", "--direction", "upload"],
        ["run", "--target", "http://127.0.0.1:1", "--tls", "--cert", "cert.pem", "--key", "key.pem"],
        ["scale", "--tls", "--tls-resumption", "on"],
        ["scale", "--tls-version", "1.2"],
        ["baseline", "--tls", "--tls-resumption", "on"],
        ["baseline", "--tls-key", "rsa2048"],
        ["merge", "/no/such/results"],
        ["merge", "only-one"],
    ]

    @Test("over an emulated 30 ms link every transport's p50 sits at or above its model, and the report names the link and its model")
    func emulatedLink() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-link-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, _, stderr) = try Self.runBench([
            "run", "--transport", "websocket,short-polling,long-polling,grpc", "--clients", "2", "--rate", "5", "--duration", "2",
            "--poll-interval", "0.2", "--delay-ms", "30", "--output", output.path,
        ])
        #expect(status == 0, "\(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any]
        let results = try #require(json?["results"] as? [[String: Any]])
        // Models by hand: push d = 30 ms; short polling I/2 + d = 130 ms; long polling with
        // 200 ms between events > 2d: d.
        let models = ["websocket": 30_000_000, "short-polling": 130_000_000, "long-polling": 30_000_000, "grpc": 30_000_000]
        for result in results {
            let transport = try #require(result["transport"] as? String)
            #expect(result["eventsLost"] as? Int == 0)
            #expect(result["modelLatencyP50Nanoseconds"] as? Int == models[transport], "\(transport)")
            let p50 = try #require(result["latencyP50Nanoseconds"] as? Int)
            // No event can arrive sooner than the link's one-way delay.
            #expect(p50 >= 30_000_000, "\(transport): p50 \(p50) ns below the one-way delay")
            if transport != "short-polling" { #expect(p50 < 30_000_000 + 25_000_000, "\(transport): p50 \(p50) ns") }
            #expect((result["processUserCPUSeconds"] as? Double ?? -1) >= 0)
            #expect((result["processPeakResidentBytes"] as? Int ?? 0) > 1 << 20)
        }
        let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(markdown.contains("behind an emulated link (one-way delay 30 ms)"))
        #expect(markdown.contains("| Link") && markdown.contains("Model p50 (ms)") && markdown.contains("Peak RSS (MiB)"))
    }

    @Test("bench scale holds its connections to a separate bench serve process and delivers every event to each")
    func scale() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-scale-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, stdout, stderr) = try Self.runBench(["scale", "--transport", "sse,websocket", "--clients", "200", "--events", "3", "--output", output.path])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("| SSE") && stdout.contains("| WebSocket"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("scale.json"))) as? [String: Any]
        let rows = try #require(json?["rows"] as? [[String: Any]])
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["connections"] as? Int == 200)
            #expect(row["deliveries"] as? Int == 600 && row["deliveriesExpected"] as? Int == 600)
            // Every connection costs the server memory: its resident size grew.
            #expect((row["residentBytesConnected"] as? Int ?? 0) > (row["residentBytesIdle"] as? Int ?? 0))
            #expect((row["fanOutSeconds"] as? Double ?? 0) > 0)
        }
    }

    @Test("bench scale --tls holds TLS connections to a bench serve --tls process: every event delivered, and its rows and report say under which TLS")
    func scaleOverTLS() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-scale-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, stdout, stderr) = try Self.runBench([
            "scale", "--transport", "sse,websocket,grpc", "--clients", "3", "--events", "2", "--tls", "--output", output.path,
        ])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("| WebSocket | off | TLS 1.3, P-256 | 3 |"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("scale.json"))) as? [String: Any]
        let rows = try #require(json?["rows"] as? [[String: Any]])
        #expect(rows.map { $0["transport"] as? String } == ["sse", "websocket", "grpc"])
        for row in rows {
            let transport = row["transport"] as? String ?? "?"
            #expect(row["tls"] as? String == "TLS 1.3, P-256", "\(transport)")
            // Clients that did not trust the server's certificate, or spoke cleartext to it, would deliver nothing.
            #expect(row["deliveries"] as? Int == 6 && row["deliveriesExpected"] as? Int == 6, "\(transport)")
            #expect((row["residentBytesIdle"] as? Int ?? 0) > 0 && (row["residentBytesConnected"] as? Int ?? 0) > 0, "\(transport)")
            #expect((row["connectSeconds"] as? Double ?? 0) > 0, "\(transport)")
            #expect((row["serverConnectUserCPUSeconds"] as? Double ?? -1) >= 0 && (row["serverConnectSystemCPUSeconds"] as? Double ?? -1) >= 0, "\(transport)")
        }
        let report = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("- **TLS**: rows over `TLS 1.3, P-256`"))
        #expect(report.contains("| TLS | Connections | Connect (s) | CPU / connection (µs) |"))
    }

    @Test("bench baseline --tls adds the WebSocket echo over TLS to its table, its JSON and what TLS adds at p50")
    func baselineOverTLS() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-baseline-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, stdout, stderr) = try Self.runBench(["baseline", "--tls", "--round-trips", "200", "--output", output.path])
        #expect(status == 0, "\(stderr)")
        #expect(stdout.contains("| harness WebSocket echo over TLS (wss) |"))
        #expect(stdout.contains("TLS (TLS 1.3, P-256) adds "))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("baseline.json"))) as? [String: Any]
        let rows = try #require(json?["rows"] as? [[String: Any]])
        #expect(rows.count == 5)
        #expect(rows.last?["name"] as? String == "harness WebSocket echo over TLS (wss)" && rows.last?["tls"] as? String == "TLS 1.3, P-256")
        #expect(rows.last?["roundTrips"] as? Int == 200)
    }

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
        // The compact table names each row by its transport's display name.
        #expect(stdout.contains("Short polling keep-alive") && stdout.contains("Long polling keep-alive"))

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
