import BenchCore
import Foundation
import Testing

@testable import BenchServer
@testable import BenchTransports

/// permessage-deflate with clients nobody here wrote, against an in-process server whose
/// compression tally the tests read: Python's `websockets` and a headless Chromium. Each is
/// skipped, with the reason, when its tool is not installed.
@Suite("permessage-deflate with outside clients", .serialized)
struct CompressionInteropTests {
    /// Whether Python can import `websockets`.
    static var hasPythonWebSockets: Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import websockets"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// A file of this repository, by its path from the root.
    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// Runs `arguments` through `/usr/bin/env`, waiting without blocking a thread, and returns its
    /// stdout; it is terminated after `timeout`.
    static func output(_ arguments: [String], timeout: Duration = .seconds(30)) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { process.terminate() }
        return String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }

    @Test("Python's websockets negotiates permessage-deflate with the policy's parameters and decodes every compressed event",
          .enabled(if: hasPythonWebSockets, "needs python3 with websockets"))
    func pythonWebSockets() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.compression = CompressionSettings(enabled: true, webSocketContextTakeover: false, webSocketMaxWindowBits: 10)
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let payloads = PayloadFactory(byteCount: 2048, seed: 5, content: .chat)
            for sequence in 1...300 as ClosedRange<UInt64> { server.hub.publish(payload: payloads.payload(for: sequence)) }
            let script = Self.repositoryFile("scripts/interop/websocket_push_client.py")
            let output = try await Self.output(["python3", script, "ws://127.0.0.1:\(server.port)/ws", "300"])
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any], "got '\(output)'")
            #expect(summary["received"] as? Int == 300)
            #expect(summary["first"] as? Int == 1)
            #expect(summary["contiguous"] as? Bool == true)
            // websockets offers `permessage-deflate; client_max_window_bits`, as Chromium does.
            #expect(summary["extensions"] as? String
                == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10")
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let tally = try #require(server.traffic.allTotals.compression)
            #expect(tally.messagesCompressed == 300)
            #expect(tally.compressedBytes < tally.plainBytes / 2)
        }
    }

    @Test("headless Chromium's WebSocket negotiates permessage-deflate and receives every event compressed",
          .enabled(if: chromium != nil, "needs chromium"))
    func headlessChromium() async throws {
        let results = BrowserResults()
        let routes = TransportRegistry.withoutGRPC.routes.merging(Routes(http: BrowserEndpoints.routes(results: results)))
        var configuration = ServerConfiguration.defaults
        configuration.compression = .on
        try await withLoopbackServer(configuration: configuration, routes: routes) { server in
            // 100 chat events a second of 2048 bytes each, above the 1024-byte threshold.
            let payloads = PayloadFactory(byteCount: 2048, seed: 7, content: .chat)
            let publisher = Task {
                var sequence: UInt64 = 0
                while !Task.isCancelled {
                    sequence += 1
                    server.hub.publish(payload: payloads.payload(for: sequence))
                    try? await Task.sleep(for: .milliseconds(10))
                }
            }
            defer { publisher.cancel() }
            let profile = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-chromium-deflate-\(getpid())")
            defer { try? FileManager.default.removeItem(at: profile) }
            let browser = Process()
            browser.executableURL = URL(fileURLWithPath: try #require(Self.chromium))
            browser.arguments = [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=\(profile.path)", "http://127.0.0.1:\(server.port)/browser?duration=2&interval=0.25",
            ]
            browser.standardOutput = FileHandle.nullDevice
            browser.standardError = FileHandle.nullDevice
            try browser.run()
            defer { browser.terminate() }
            let deadline = ContinuousClock.now + .seconds(40)
            while !results.all.contains(where: { $0.transport == "websocket" }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
            }
            let result = try #require(results.all.first { $0.transport == "websocket" }, "the page posted no WebSocket result")
            // 2 s at 100 events/s; fewer on a loaded machine, but none missing within what arrived.
            #expect(result.received >= 50)
            #expect(result.missing.isEmpty && result.duplicates == 0)
            #expect(result.userAgent.contains("Chrome"))
            // Every event the page received came compressed: the server compressed at least as many.
            // The WebSocket connections' counts alone: the page also polls, whose empty answers
            // (`[]`, under gzip's 20-byte minimum) go plain.
            let tally = try #require(server.traffic.totals(for: .webSocket).compression)
            #expect(tally.messagesCompressed >= result.received)
            #expect(tally.messagesSentPlain == 0)
            #expect(tally.compressedBytes < tally.plainBytes / 2)
        }
    }
}
