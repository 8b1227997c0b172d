import Foundation
import Testing

/// `bench serve` with clients nobody here wrote: curl (HTTP/1.1 and HTTP/2), Python's
/// `websockets` and `grpcio`, and a headless Chromium running the browser page.
@Suite("bench serve with outside clients", .serialized)
struct ServeTests {
    static var curl: String? {
        ["/usr/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs `curl` with `arguments` and returns its output.
    static func runCurl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(curl))
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether Python can import `modules`.
    static func python(has modules: String) -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import \(modules)"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }

    /// Runs `scripts/interop/NAME URL COUNT` against a fresh `bench serve` endpoint (started with
    /// `serveArguments` too) and checks its summary: COUNT events from sequence 1, contiguous.
    /// Returns the summary.
    @discardableResult
    static func runInteropClient(_ name: String, endpoint: String, count: Int, serveArguments: [String] = []) throws -> [String: Any] {
        let (serve, endpoints) = try startServe(["--rate", "200", "--duration", "5"] + serveArguments)
        defer { serve.terminate() }
        let url = try #require(endpoints[endpoint])
        let data = Data(try output(of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", repositoryFile("scripts/interop/\(name)"), url, "\(count)"]).utf8)
        let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(summary["received"] as? Int == count)
        #expect(summary["first"] as? Int == 1)
        #expect(summary["contiguous"] as? Bool == true)
        return summary
    }

    /// Starts `bench serve` and returns it with its endpoints by name (and any other `NAME VALUE`
    /// line it printed up to and including the `lastLine` one).
    static func startServe(_ arguments: [String], lastLine: String = "control") throws -> (Process, [String: String]) {
        let process = Process()
        process.executableURL = try CommandLineTests.benchExecutable
        process.arguments = ["serve"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        // The control line comes last (with --tls, the certificate's lines follow it).
        while !(text.contains("\n\(lastLine) ") && text.hasSuffix("\n")) {
            let chunk = stdout.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
        }
        var endpoints: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2 { endpoints[String(parts[0])] = String(parts[1]) }
        }
        return (process, endpoints)
    }

    @Test("Python's websockets library receives every event from bench serve, in order", .enabled(if: python(has: "websockets")))
    func pythonWebSocketClient() throws {
        try Self.runInteropClient("websocket_push_client.py", endpoint: "websocket", count: 300)
    }

    @Test("bench serve --compression on --ws-no-context-takeover --ws-max-window-bits 10: Python's websockets gets those parameters in the 101 and decodes every compressed event",
          .enabled(if: python(has: "websockets")))
    func pythonWebSocketCompression() throws {
        let summary = try Self.runInteropClient(
            "websocket_push_client.py", endpoint: "websocket", count: 300,
            serveArguments: ["--compression", "on", "--ws-no-context-takeover", "--ws-max-window-bits", "10", "--payload-content", "chat", "--payload-bytes", "2048"])
        #expect(summary["extensions"] as? String
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=10")
        // Without --compression on the same offer is declined.
        let plain = try Self.runInteropClient("websocket_push_client.py", endpoint: "websocket", count: 10)
        #expect(plain["extensions"] is NSNull)
    }

    @Test("Python's grpcio subscribes to bench serve's server-streaming call and receives every event, in order", .enabled(if: python(has: "grpc, grpc_tools")))
    func pythonGRPCClient() throws {
        try Self.runInteropClient("grpc_subscribe_client.py", endpoint: "grpc", count: 300)
    }

    /// A file of this repository, by its path from the root.
    static func repositoryFile(_ path: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(path).path
    }

    /// Runs `executable arguments` and returns its stdout; the test fails if it exits non-zero.
    static func output(of executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let stdout = Pipe()
        process.standardOutput = stdout
        try process.run()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        #expect(process.terminationStatus == 0, "\(arguments): \(text)")
        return text
    }

    @Test("bench peer-client counts every preloaded event bench serve pushes, and times echo round trips; so does Node's ws client (scripts/peers)", .enabled(if: node != nil))
    func peerClients() throws {
        let (serve, endpoints) = try Self.startServe(["--rate", "0.00001", "--preload", "2000", "--payload-bytes", "48"])
        defer { serve.terminate() }
        let base = try #require(endpoints["websocket"]).components(separatedBy: "/ws")[0]
        let push = base + "/ws?mode=push&encoding=protobuf&after=0"
        let echo = base + "/ws?mode=echo&encoding=protobuf&client=0"
        let bench = try CommandLineTests.benchExecutable
        func json(_ text: String) throws -> [String: Double] {
            try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Double], "one JSON line, got '\(text)'")
        }
        // Exactly the 2000 preloaded events: asking for 2001 would wait for the next publish (in a day).
        #expect(try json(Self.output(of: bench, ["peer-client", "push", push, "--messages", "2000"]))["per_second"]! > 0)
        let ours = try json(Self.output(of: bench, ["peer-client", "echo", echo, "--messages", "200", "--message-bytes", "64"]))
        #expect(ours["p50_us"]! > 0 && ours["p50_us"]! <= ours["p99_us"]!)
        let script = Self.repositoryFile("scripts/peers/peer.js")
        let environment = ["NODE_PATH": "/usr/share/nodejs"]
        let node = try json(Self.output(of: URL(fileURLWithPath: Self.node!), [script, "client", "echo", echo, "200", "64"], environment: environment))
        #expect(node["p50_us"]! > 0)
        #expect(try json(Self.output(of: URL(fileURLWithPath: Self.node!), [script, "client", "push", push, "2000"], environment: environment))["per_second"]! > 0)
    }

    static var node: String? {
        ["/usr/bin/node", "/usr/bin/nodejs"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(
        "headless Chromium runs the browser page: fetch polling, long polling, EventSource and WebSocket each receive every event (with --auth jwt, the token from the page's URL)",
        .enabled(if: chromium != nil), arguments: [[String](), ["--auth", "jwt"]])
    func browserPage(serveArguments: [String]) throws {
        let (serve, endpoints) = try Self.startServe(["--rate", "100", "--duration", "30"] + serveArguments)
        defer { serve.terminate() }
        // With --auth jwt the browser line carries ?access_token=…; results live beside the page.
        let printed = try #require(endpoints["browser"])
        let page = String(printed.prefix { $0 != "?" })
        let pageQuery = printed.contains("?") ? String(printed.drop { $0 != "?" }) + "&" : "?"
        let results = try Self.runBrowserPage(page + pageQuery + "duration=1.5&interval=0.25", results: page + "/results") {
            try Self.runCurl($0)
        }
        for result in results {
            #expect((result["userAgent"] as? String)?.contains("Chrome") == true)
        }
    }

    @Test("serve prints one NAME URL line per endpoint, and curl polls and streams from it", .enabled(if: curl != nil))
    func curlAgainstServe() throws {
        let (process, endpoints) = try Self.startServe(["--rate", "100", "--duration", "3"])
        defer { process.terminate() }
        #expect(Set(endpoints.keys) == ["short-polling", "long-polling", "sse", "websocket", "grpc", "http-streaming", "stomp", "grpc-web", "grpc-web-text", "browser", "control"])
        let poll = try #require(endpoints["short-polling"])
        let sse = try #require(endpoints["sse"])
        #expect(endpoints["websocket"]?.hasPrefix("ws://127.0.0.1:") == true)

        Thread.sleep(forTimeInterval: 0.3)
        // A poll from the start: a JSON array of events with sequences 1, 2, 3, …
        let body = try Self.runCurl(["-s", "--max-time", "5", poll + "?after=0"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
        #expect(events.count > 5)
        #expect(events.enumerated().allSatisfy { $0.element["sequence"] as? Int == $0.offset + 1 })

        // An event stream: curl prints it as it comes; every event has an id and JSON data.
        let stream = try Self.runCurl(["-sN", "--max-time", "1", "-H", "Last-Event-ID: 2", sse])
        let ids = stream.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(ids.count > 10)
        #expect(ids.first == 3, "resumes right after Last-Event-ID")
        #expect(ids == Array((ids.first ?? 0)..<((ids.first ?? 0) + ids.count)), "no gaps, no repeats")
        #expect(stream.hasPrefix("retry: "))

        // An NDJSON stream: one JSON event a line, resuming after the cursor.
        let ndjson = try Self.runCurl(["-sN", "--max-time", "1", try #require(endpoints["http-streaming"]) + "?after=2"])
        let lineEvents = ndjson.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        let sequences = lineEvents.compactMap { $0["sequence"] as? Int }
        #expect(sequences.count > 10)
        #expect(sequences.count == ndjson.split(separator: "\n").count, "every line is one JSON event")
        #expect(sequences == Array(3..<(3 + sequences.count)), "resumes right after the cursor, no gaps, no repeats")

        // The same poll over HTTP/2 with prior knowledge: curl (nghttp2) speaks h2c to the same port.
        let http2 = try Self.runCurl(["-s", "--http2-prior-knowledge", "--max-time", "5", "-w", "\\n%{http_version}", poll + "?after=0"])
        let lines = http2.split(separator: "\n")
        #expect(lines.last == "2", "curl used HTTP/\(lines.last ?? "?")")
        let http2Events = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [[String: Any]])
        #expect(http2Events.count >= events.count)
        #expect(http2Events.enumerated().allSatisfy { $0.element["sequence"] as? Int == $0.offset + 1 })
    }
}

extension ServeTests {
    /// Runs the browser page at `url` in headless Chromium (with `browserArguments`, such as a
    /// key pin), polls `results` through `curl` until every transport posted its result (25 s at
    /// most), and checks each: 1.5 s at 100 events/s is 100 events or more (the first poll may
    /// land a little late), none missing, none twice. Returns the results for further checks.
    static func runBrowserPage(
        _ url: String, results: String, browserArguments: [String] = [], curl: ([String]) throws -> String
    ) throws -> [[String: Any]] {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-chromium-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let browser = Process()
        browser.executableURL = URL(fileURLWithPath: try #require(chromium))
        browser.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)",
        ] + browserArguments + [url]
        browser.standardOutput = FileHandle.nullDevice
        browser.standardError = FileHandle.nullDevice
        try browser.run()
        defer { browser.terminate() }
        // The page posts one result per transport; poll for all five.
        var posted: [[String: Any]] = []
        let deadline = Date().addingTimeInterval(25)
        while posted.count < 5 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.5)
            let body = try curl(["-s", "--max-time", "2", results])
            posted = (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]]) ?? []
        }
        #expect(posted.map { $0["transport"] as? String } == ["short-polling", "long-polling", "sse", "websocket", "http-streaming"])
        for result in posted {
            let name = result["transport"] as? String ?? "?"
            #expect((result["received"] as? Int ?? 0) >= 100, "\(name): \(result)")
            #expect((result["missing"] as? [Int])?.isEmpty == true, "\(name) missed \(result["missing"] ?? [])")
            #expect(result["duplicates"] as? Int == 0, "\(name)")
        }
        return posted
    }
}
