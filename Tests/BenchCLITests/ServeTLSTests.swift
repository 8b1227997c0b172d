import BenchCore
import Foundation
import Testing

/// `bench serve --tls` with clients nobody here wrote, each trusting the certificate the server
/// made: curl (`--cacert`, HTTP/1.1 and HTTP/2 chosen by ALPN), Python's `websockets` and
/// `grpcio`, headless Chromium (pinning the key with `--ignore-certificate-errors-spki-list`).
/// Each receives events, and the server's own counts (`/control/traffic`) show its handshakes.
@Suite("bench serve --tls with outside clients", .serialized)
struct ServeTLSTests {
    /// A running `bench serve --tls`: its endpoints, the certificate file clients trust, the
    /// key's pin.
    struct Server {
        let process: Process
        let endpoints: [String: String]
        var certificate: String { endpoints["certificate"] ?? "" }

        init(_ arguments: [String]) throws {
            // The certificate goes to a file of the test's own, removed by stop().
            let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-test-\(UUID().uuidString).pem")
                .path
            (process, endpoints) = try ServeTests.startServe(
                ["--tls", "--cert-out", certificate] + arguments, lastLine: "certificate-spki-sha256")
            try #require(
                self.certificate == certificate && FileManager.default.fileExists(atPath: certificate),
                "serve printed no certificate: \(endpoints)")
        }

        /// Stops the server and removes its certificate file.
        func stop() {
            process.terminate()
            try? FileManager.default.removeItem(atPath: certificate)
        }

        /// `curl --cacert CERTIFICATE arguments`: its output.
        func curl(_ arguments: [String]) throws -> String {
            try ServeTests.runCurl(["--cacert", certificate] + arguments)
        }

        /// What the server counted so far, by transport (`GET /control/traffic`, over TLS too).
        func traffic() throws -> [String: Traffic] {
            let body = try curl(["-s", "--max-time", "5", try #require(endpoints["control"]) + "/control/traffic"])
            return try JSONDecoder().decode([String: Traffic].self, from: Data(body.utf8))
        }

        /// Handshakes completed on connections that asked for `transport`.
        func handshakes(_ transport: String) throws -> Int { try traffic()[transport]?.tls?.handshakes ?? 0 }
    }

    /// The part of the server's `TrafficTotals` these tests read.
    struct Traffic: Decodable {
        var bytesIn: Int
        var bytesOut: Int
        var connections: Int
        var tls: TLSTally?
    }

    @Test(
        "curl --cacert polls over HTTPS with HTTP/1.1, and with --http2 gets HTTP/2 by ALPN; streams SSE; the server counts each handshake",
        .enabled(if: ServeTests.curl != nil))
    func curlOverHTTPS() throws {
        let server = try Server(["--rate", "100", "--duration", "5"])
        defer { server.stop() }
        let poll = try #require(server.endpoints["short-polling"])
        #expect(poll.hasPrefix("https://127.0.0.1:"))
        #expect(server.endpoints["websocket"]?.hasPrefix("wss://127.0.0.1:") == true)
        #expect(server.endpoints["grpc"]?.hasPrefix("grpcs://127.0.0.1:") == true)
        Thread.sleep(forTimeInterval: 0.3)
        for (flag, version) in [("--http1.1", "1.1"), ("--http2", "2")] {
            let text = try server.curl(["-s", flag, "--max-time", "5", "-w", "\\n%{http_version}", poll + "?after=0"])
            let lines = text.split(separator: "\n")
            #expect(lines.last.map(String.init) == version, "curl \(flag) used HTTP/\(lines.last ?? "?")")
            let events = try #require(try JSONSerialization.jsonObject(with: Data((lines.first ?? "").utf8)) as? [[String: Any]], "\(text)")
            #expect(events.count > 5)
            #expect(events.enumerated().allSatisfy { $0.element["sequence"] as? Int == $0.offset + 1 })
        }
        let stream = try server.curl(["-sN", "--max-time", "1", try #require(server.endpoints["sse"])])
        let ids = stream.split(separator: "\n").filter { $0.hasPrefix("id: ") }.compactMap { Int($0.dropFirst(4)) }
        #expect(ids.count > 10)
        #expect(ids == Array((ids.first ?? 0)..<((ids.first ?? 0) + ids.count)), "no gaps, no repeats")
        // Without the certificate curl refuses the server: it is trusted only as given.
        #expect(try ServeTests.runCurl(["-s", "--max-time", "5", "-w", "%{http_code}", poll]) == "000")

        let traffic = try server.traffic()
        #expect(traffic["short-polling"]?.tls?.handshakes == 2, "HTTP/1.1 and HTTP/2: \(traffic)")
        #expect(traffic["sse"]?.tls?.handshakes == 1, "\(traffic)")
        for (name, entry) in traffic where name != "other" {
            #expect(entry.tls?.handshakeFailures == 0, "\(name)")
            // Every byte on a TLS connection is in a handshake, application-data or alert record.
            let tls = try #require(entry.tls, "\(name)")
            #expect(tls.handshakeBytesIn + tls.applicationRecordBytesIn + tls.alertBytesIn == entry.bytesIn, "\(name)")
            #expect(tls.handshakeBytesOut + tls.applicationRecordBytesOut + tls.alertBytesOut == entry.bytesOut, "\(name)")
        }
    }

    @Test(
        "Python's websockets over wss://, trusting the certificate file, receives every event in order; the server counts its handshake",
        .enabled(if: ServeTests.python(has: "websockets")))
    func pythonWebSocketOverTLS() throws {
        let server = try Server(["--rate", "200", "--duration", "5"])
        defer { server.stop() }
        let url = try #require(server.endpoints["websocket"])
        let summary = try Self.interop("websocket_push_client.py", url, count: 300, certificate: server.certificate)
        #expect(summary["tls"] as? String == "TLSv1.3")
        #expect(try server.handshakes("websocket") == 1)
    }

    @Test(
        "Python's grpcio over a TLS channel (ssl_channel_credentials with the certificate) receives every event in order; the server counts its handshake",
        .enabled(if: ServeTests.python(has: "grpc, grpc_tools")))
    func pythonGRPCOverTLS() throws {
        let server = try Server(["--rate", "200", "--duration", "5"])
        defer { server.stop() }
        let url = try #require(server.endpoints["grpc"])
        try Self.interop("grpc_subscribe_client.py", url, count: 300, certificate: server.certificate)
        #expect(try server.handshakes("grpc") >= 1)
    }

    @Test(
        "headless Chromium, pinning the generated key, runs the browser page over HTTPS and wss://: every transport receives every event",
        .enabled(if: ServeTests.chromium != nil && ServeTests.curl != nil))
    func browserPageOverTLS() throws {
        let server = try Server(["--rate", "100", "--duration", "30"])
        defer { server.stop() }
        let page = try #require(server.endpoints["browser"])
        #expect(page.hasPrefix("https://"))
        let pin = try #require(server.endpoints["certificate-spki-sha256"])
        _ = try ServeTests.runBrowserPage(
            page + "?duration=1.5&interval=0.25", results: page + "/results", browserArguments: ["--ignore-certificate-errors-spki-list=\(pin)"]
        ) { try server.curl($0) }
        // The WebSocket went over a TLS connection of its own (wss://); fetch and EventSource
        // share Chromium's others (HTTP/2 by ALPN), attributed to the transport they asked for last.
        let traffic = try server.traffic()
        #expect(traffic["websocket"]?.tls?.handshakes ?? 0 >= 1, "\(traffic)")
        #expect(traffic.values.map { $0.tls?.handshakes ?? 0 }.reduce(0, +) >= 2, "\(traffic)")
    }

    static var openssl: String? {
        ["/usr/bin/openssl", "/usr/local/bin/openssl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// RFC 8446 §4.2.1: a ClientHello without supported_versions offers TLS 1.2 at most
    /// (legacy_version 0x0303); a server that speaks none of the versions offered aborts with a
    /// protocol_version alert (RFC 5246 §E.1 said the same).
    @Test(
        "openssl s_client -tls1_2 against a TLS 1.3 server gets a fatal protocol_version alert (bytes 02 46), counted as a failed handshake",
        .enabled(if: openssl != nil && ServeTests.curl != nil))
    func tls12OnlyClient() throws {
        let server = try Server(["--rate", "10", "--duration", "10"])
        defer { server.stop() }
        let port = try #require(server.endpoints["control"]?.split(separator: ":").last.map(String.init))
        // -msg prints each record and message as OpenSSL read it, with its bytes.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["10", try #require(Self.openssl), "s_client", "-connect", "127.0.0.1:\(port)", "-tls1_2", "-msg"]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus != 0 && process.terminationStatus != 124, "s_client must fail at once: \(text)")
        // "<<< TLS 1.2, Alert [length 0002], fatal protocol_version" then "    02 46": fatal (2), protocol_version (70).
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let alert = try #require(lines.firstIndex { $0.hasPrefix("<<<") && $0.contains("Alert") }, "\(text)")
        #expect(lines[alert].hasSuffix("fatal protocol_version"))
        #expect(lines[alert + 1] == "02 46")
        #expect(try server.traffic()["other"]?.tls?.handshakeFailures == 1)
    }

    /// Runs `scripts/interop/NAME URL COUNT --cafile CERTIFICATE` and checks its summary: COUNT
    /// events from sequence 1, contiguous. Returns the summary.
    @discardableResult
    static func interop(_ name: String, _ url: String, count: Int, certificate: String) throws -> [String: Any] {
        let text = try ServeTests.output(
            of: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", ServeTests.repositoryFile("scripts/interop/\(name)"), url, "\(count)", "--cafile", certificate])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        #expect(summary["received"] as? Int == count)
        #expect(summary["first"] as? Int == 1)
        #expect(summary["contiguous"] as? Bool == true)
        return summary
    }
}
