import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// Header profiles on the wire: what the profile says, plus exactly what the stack must add.
@Suite("Header profiles on the wire", .serialized)
struct HeaderProfileWireTests {
    /// The `Name: value` lines of one `[SECTION]` of a committed profile file, read here with
    /// nothing but string splitting, so the figures do not come from the parser under test.
    static func lines(of section: String, inProfile name: String) throws -> [String] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BenchCore/Profiles/\(name).profile")
        var current = ""
        var lines: [String] = []
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("[") { current = String(line); continue }
            if current == "[\(section)]" { lines.append(String(line)) }
        }
        return lines
    }

    static func scenario(_ profile: HeaderProfile) -> Scenario {
        var scenario = Scenario.defaults
        scenario.headers = profile
        scenario.pollIntervalSeconds = 0.01
        return scenario
    }

    @Test("an empty browser-profile poll is, byte for byte, RFC 9112's framing around the profile's heads", arguments: [0, 400])
    func emptyPollBytes(cookieBytes: Int) async throws {
        let profile = try HeaderProfile.named(cookieBytes == 0 ? "browser" : "browser-cookies", cookieBytes: cookieBytes)
        var configuration = ServerConfiguration.defaults
        configuration.headers = profile
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let target = ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: Self.scenario(profile))
            let uri = "/poll?after=0&encoding=json"
            let (head, body) = try await HTTPClientConnection.withConnection(to: target, version: .http1_1) { connection in
                try await connection.send(connection.get(uri, fields: profile.request(.shortPoll)))
            }
            #expect(head.status == .ok && String(buffer: body) == "[]")
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .shortPolling)

            // RFC 9112 §3 and §5: request line, Host (the stack's), the profile's fields, a
            // `Cookie: VALUE` of the asked size, the blank line; no body, so no Content-Length.
            let fieldBytes = { (lines: [String]) in lines.reduce(0) { $0 + $1.utf8.count + 2 } }
            let requestLine = "GET \(uri) HTTP/1.1\r\n".utf8.count
            let host = "Host: 127.0.0.1:\(server.port)\r\n".utf8.count
            let cookie = cookieBytes == 0 ? 0 : "Cookie: \r\n".utf8.count + cookieBytes
            let up = requestLine + host + fieldBytes(try Self.lines(of: "short-poll request", inProfile: "browser")) + cookie + 2
            // RFC 9112 §4 and §6: status line, the endpoint's Content-Type, the profile's
            // fields, Content-Length, the blank line, the body `[]`.
            let down = "HTTP/1.1 200 OK\r\n".utf8.count + "Content-Type: application/json\r\n".utf8.count
                + fieldBytes(try Self.lines(of: "short-poll response", inProfile: "browser")) + "Content-Length: 2\r\n".utf8.count + 2 + 2
            #expect(totals.bytesIn == up, "up \(totals.bytesIn) B, worked out \(up) B")
            #expect(totals.bytesOut == down, "down \(totals.bytesOut) B, worked out \(down) B")
            #expect(totals.emptyResponses == 1)
        }
    }

    /// Client → server bytes of one transport's client under `profile`, with its requests and
    /// connections: no events are published, so every request is the same.
    static func bytesUp(_ kind: TransportKind, _ profile: HeaderProfile) async throws -> TrafficTotals {
        try await RunningClient.idleTraffic(kind, scenario(profile))
    }

    @Test("a Cookie costs its bytes on every poll, and once per SSE or WebSocket connection", arguments: [
        TransportKind.shortPolling, .longPolling, .serverSentEvents, .webSocket,
    ])
    func cookiesPerRequest(kind: TransportKind) async throws {
        let cookieBytes = 500
        let cookieField = "Cookie: \r\n".utf8.count + cookieBytes
        let plain = try await Self.bytesUp(kind, .browser)
        let cookies = try await Self.bytesUp(kind, try HeaderProfile.named("browser-cookies", cookieBytes: cookieBytes))
        #expect(plain.requests >= 1 && cookies.requests >= 1)
        switch kind {
        case .shortPolling:
            // Every poll the same request: the difference per request is the Cookie field.
            #expect(plain.bytesIn % plain.requests == 0 && cookies.bytesIn % cookies.requests == 0)
            #expect(cookies.bytesIn / cookies.requests - plain.bytesIn / plain.requests == cookieField)
        default:
            // One request per connection (a long poll held until the end, the EventSource GET,
            // the upgrade): the Cookie once.
            #expect(plain.connections == 1 && cookies.connections == 1)
            #expect(plain.requests == 1 && cookies.requests == 1)
            #expect(cookies.bytesIn - plain.bytesIn == cookieField)
            if kind == .webSocket { #expect(cookies.handshakeBytesIn - plain.handshakeBytesIn == cookieField) }
        }
    }

    @Test("the WebSocket 101 and the SSE response carry the profile's response heads")
    func responseHeads() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.headers = .browser
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let request = Array(
                ("GET /ws?mode=push HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
            // A masked close frame (code 1000), so the server closes at once.
            let mask: [UInt8] = [1, 2, 3, 4]
            let close: [UInt8] = [0x88, 0x82] + mask + [0x03 ^ mask[0], 0xE8 ^ mask[1]]
            let upgrade = try await RawTCPClient.conversation(port: server.port, steps: [(request, Array("\r\n\r\n".utf8)), (close, nil)])
            let text = String(decoding: upgrade, as: UTF8.self)
            for line in try Self.lines(of: "websocket response", inProfile: "browser") { #expect(text.contains(line + "\r\n"), "\(line)") }
            server.hub.finish()
            let sse = try await RawTCPClient.get("/sse?after=0", port: server.port)
            for line in try Self.lines(of: "event-source response", inProfile: "browser") { #expect(sse.contains(line + "\r\n"), "\(line)") }
        }
    }
}

extension RunningClient {
    /// Waits until the client is ready, then a little, so polls repeat.
    func waitUntilReadyAndSettled() async throws {
        try await waitUntilReady()
        try await Task.sleep(for: .milliseconds(150))
    }
}
