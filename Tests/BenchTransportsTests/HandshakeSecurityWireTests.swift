import BenchCore
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import BenchServer
@testable import BenchTransports

/// The handshake checks on the wire, against raw requests: every refusal's exact status line
/// and `WWW-Authenticate` (RFC 6750 §3, RFC 6454 §7.3, RFC 6455 §4.2.2), each counted, and the
/// server serving everyone else meanwhile.
@Suite("Handshake security on the wire", .serialized)
struct HandshakeSecurityWireTests {
    static let origin = "https://app.example"

    /// A server that accepts `origin` and asks for JWTs signed by `authority`.
    static func configuration(_ authority: JWTAuthority) -> ServerConfiguration {
        var configuration = ServerConfiguration.defaults
        configuration.security = SecuritySettings(allowedOrigins: [origin], authentication: .jwt, tokenAlgorithm: authority.algorithm)
        configuration.tokenAuthority = authority
        return configuration
    }

    /// The credentials a case presents, made for the server's key.
    enum Credential { case none, valid, notAJWT, otherKey, expired, algNone, headerAndQuery, validInQuery }

    /// One raw request and the answer RFC text gives for it.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var path: String
        var credential: Credential
        var origins: [String] = [HandshakeSecurityWireTests.origin]
        var webSocket = false
        /// The status line expected, without its CRLF.
        var status: String
        /// The `WWW-Authenticate` line expected; `nil` for none.
        var challenge: String?
        var testDescription: String { name }
        var refused: Bool { !status.contains(" 200 ") && !status.contains(" 101 ") }
    }

    static let unauthorized = "HTTP/1.1 401 Unauthorized"
    static let invalidToken = #"WWW-Authenticate: Bearer error="invalid_token""#
    static let cases: [Case] = [
        Case(name: "poll with a valid token and origin", path: "/poll?after=0", credential: .valid, status: "HTTP/1.1 200 OK"),
        Case(name: "poll without a token", path: "/poll?after=0", credential: .none, status: unauthorized, challenge: "WWW-Authenticate: Bearer"),
        Case(name: "poll with Bearer abc", path: "/poll?after=0", credential: .notAJWT, status: unauthorized, challenge: invalidToken),
        Case(name: "poll with another key's JWT", path: "/poll?after=0", credential: .otherKey, status: unauthorized, challenge: invalidToken),
        Case(name: "poll with an expired JWT", path: "/poll?after=0", credential: .expired, status: unauthorized, challenge: invalidToken),
        Case(name: "poll with an alg none JWT", path: "/poll?after=0", credential: .algNone, status: unauthorized, challenge: invalidToken),
        Case(name: "long poll with Bearer abc", path: "/long-poll?after=0&timeout=10", credential: .notAJWT, status: unauthorized, challenge: invalidToken),
        Case(
            name: "poll with a header and an access_token", path: "/poll?after=0", credential: .headerAndQuery, status: "HTTP/1.1 400 Bad Request",
            challenge: #"WWW-Authenticate: Bearer error="invalid_request""#),
        Case(name: "poll naming two Origins", path: "/poll?after=0", credential: .valid, origins: [origin, origin], status: "HTTP/1.1 400 Bad Request"),
        Case(name: "poll from another origin", path: "/poll?after=0", credential: .valid, origins: ["https://evil.example"], status: "HTTP/1.1 403 Forbidden"),
        Case(name: "poll without Origin (a non-browser client)", path: "/poll?after=0", credential: .valid, origins: [], status: "HTTP/1.1 200 OK"),
        Case(name: "SSE without a token", path: "/sse?after=0", credential: .none, status: unauthorized, challenge: "WWW-Authenticate: Bearer"),
        Case(name: "SSE with another key's JWT in the query", path: "/sse?after=0", credential: .otherKey, status: unauthorized, challenge: invalidToken),
        Case(name: "WebSocket upgrade without Origin", path: "/ws?mode=push", credential: .valid, origins: [], webSocket: true, status: "HTTP/1.1 403 Forbidden"),
        Case(
            name: "WebSocket upgrade from another origin", path: "/ws?mode=push", credential: .valid, origins: ["https://evil.example"], webSocket: true,
            status: "HTTP/1.1 403 Forbidden"),
        Case(name: "WebSocket upgrade with two Origins", path: "/ws?mode=push", credential: .valid, origins: [origin, origin], webSocket: true, status: "HTTP/1.1 400 Bad Request"),
        Case(name: "WebSocket upgrade without a token", path: "/ws?mode=push", credential: .none, webSocket: true, status: unauthorized, challenge: "WWW-Authenticate: Bearer"),
        Case(name: "WebSocket upgrade with an expired JWT", path: "/ws?mode=push", credential: .expired, webSocket: true, status: unauthorized, challenge: invalidToken),
        Case(name: "WebSocket upgrade with a valid JWT in the query, as a browser", path: "/ws?mode=push", credential: .validInQuery, webSocket: true, status: "HTTP/1.1 101 Switching Protocols"),
    ]

    /// base64url without padding (RFC 4648 §5).
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The request `testCase` sends, its header lines and query made for `authority`'s server.
    static func request(_ testCase: Case, authority: JWTAuthority) async throws -> String {
        let valid = try await authority.issue(lifetimeSeconds: 600)
        var query = ""
        var lines = testCase.origins.map { "Origin: \($0)\r\n" }
        func bearer(_ token: String) { lines.append("Authorization: Bearer \(token)\r\n") }
        switch testCase.credential {
        case .none: break
        case .valid: testCase.path.hasPrefix("/sse") ? (query = "&access_token=\(valid)") : bearer(valid)
        case .validInQuery: query = "&access_token=\(valid)"
        case .notAJWT: bearer("abc")
        case .otherKey:
            let other = try await JWTAuthority.generate(authority.algorithm).issue(lifetimeSeconds: 600)
            testCase.path.hasPrefix("/sse") ? (query = "&access_token=\(other)") : bearer(other)
        case .expired: bearer(try await authority.issue(lifetimeSeconds: -5))
        case .algNone:
            let payload = base64URL(#"{"exp":\#(Int(Date().timeIntervalSince1970) + 600),"sub":"bench-client"}"#)
            bearer(base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + ".")
        case .headerAndQuery:
            bearer(valid)
            query = "&access_token=\(valid)"
        }
        if testCase.webSocket {
            lines += ["Upgrade: websocket\r\n", "Connection: Upgrade\r\n", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n", "Sec-WebSocket-Version: 13\r\n"]
        } else {
            lines.append("Connection: close\r\n")
        }
        return "GET \(testCase.path)\(query) HTTP/1.1\r\nHost: 127.0.0.1\r\n" + lines.joined() + "\r\n"
    }

    @Test("each bad request gets its status and challenge, no 101, and is counted refused; good ones are served", arguments: SecuritySettings.TokenAlgorithm.allCases)
    func refusals(algorithm: SecuritySettings.TokenAlgorithm) async throws {
        let authority = try await JWTAuthority.generate(algorithm)
        try await withLoopbackServer(configuration: Self.configuration(authority), routes: TransportRegistry.withoutGRPC.routes) { server in
            for testCase in Self.cases {
                // Streams (SSE, an accepted upgrade) stay open: read their head for a moment.
                let (bytes, _) = try await RawTCPClient.exchange(port: server.port, sending: try await Self.request(testCase, authority: authority), timeout: .milliseconds(500))
                let response = String(decoding: bytes, as: UTF8.self)
                let lines = response.components(separatedBy: "\r\n")
                #expect(lines.first == testCase.status, "\(testCase.name): \(response.prefix(200))")
                if let challenge = testCase.challenge {
                    #expect(lines.filter { $0.hasPrefix("WWW-Authenticate:") } == [challenge], "\(testCase.name)")
                } else {
                    #expect(!response.contains("WWW-Authenticate"), "\(testCase.name)")
                }
                if testCase.refused { #expect(!response.contains(" 101 "), "\(testCase.name)") }
            }
            let totals = server.traffic.allTotals
            #expect(totals.security?.refused == Self.cases.filter(\.refused).count)
            // Refusals are attributed to the transport whose endpoint refused them.
            #expect(server.traffic.totals(for: .webSocket).security?.refused == Self.cases.filter { $0.webSocket && $0.refused }.count)
            #expect(server.traffic.totals(for: .serverSentEvents).security?.refused == 2)
        }
    }

    @Test("clients with the token keep receiving while bad upgrades and polls are refused, and their tokens' bytes are counted per request")
    func goodClientsUnaffected() async throws {
        let authority = try await JWTAuthority.generate(.es256)
        let token = try await authority.issue(lifetimeSeconds: 600)
        var scenario = Scenario.defaults
        scenario.security = SecuritySettings(allowedOrigins: [Self.origin], authentication: .jwt, tokenAlgorithm: .es256)
        scenario.pollIntervalSeconds = 0.02
        // Refused WebSocket upgrades and long polls, beside the good SSE and short-polling clients.
        let bad = Self.cases.filter { $0.refused && ($0.webSocket || $0.path.hasPrefix("/long-poll")) }
        try await withLoopbackServer(configuration: Self.configuration(authority), routes: TransportRegistry.withoutGRPC.routes) { server in
            let stream = RunningClient(ServerSentEventsClient(), server: server, scenario: scenario, bearerToken: token)
            let poller = RunningClient(ShortPollingClient(connectionMode: .keepAlive), server: server, clientIndex: 1, scenario: scenario, bearerToken: token)
            try await stream.waitUntilReady()
            try await poller.waitUntilReady()
            for index in 1...40 {
                server.hub.publish(payload: "event-\(index)")
                let request = try await Self.request(bad[index % bad.count], authority: authority)
                _ = try await RawTCPClient.exchange(port: server.port, sending: request, timeout: .milliseconds(500))
            }
            try await stream.waitUntilDelivered(40)
            try await poller.waitUntilDelivered(40)
            server.hub.finish()
            let streamed = await stream.stop()
            let polled = await poller.stop()
            #expect(streamed.ledger.missing(through: 40).isEmpty)
            #expect(polled.ledger.missing(through: 40).isEmpty)
            _ = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            #expect(server.traffic.allTotals.security?.refused == 40)
            // The stream presented its token once, in the query: "access_token=" + token + "&".
            let sse = server.traffic.totals(for: .serverSentEvents)
            #expect(sse.requests == 1)
            #expect(sse.security?.tokensChecked == 1)
            #expect(sse.security?.tokenBytes == "access_token=".utf8.count + token.utf8.count + 1)
            #expect(sse.security?.refused == 0)
            // Every poll presented it: "Authorization: Bearer " + token + CRLF.
            let polls = server.traffic.totals(for: .shortPolling)
            #expect(polls.requests >= 2)
            #expect(polls.security?.tokensChecked == polls.requests)
            #expect(polls.security?.tokenBytes == polls.requests * ("Authorization: Bearer ".utf8.count + token.utf8.count + 2))
            #expect(polls.security?.refused == 0)
        }
    }

    @Test("HTTP/2: a poll without a token is answered 401 with the bearer challenge on its stream")
    func http2() async throws {
        let authority = try await JWTAuthority.generate(.hs256)
        try await withLoopbackServer(configuration: Self.configuration(authority), routes: TransportRegistry.withoutGRPC.routes) { server in
            let target = ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: .defaults)
            let token = try await authority.issue(lifetimeSeconds: 600)
            try await HTTPClientConnection.withConnection(to: target, version: .http2) { connection in
                let (refused, _) = try await connection.send(connection.get("/poll?after=0", fields: []))
                #expect(refused.status == .unauthorized)
                #expect(refused.headers["www-authenticate"] == ["Bearer"])
                let (served, _) = try await connection.send(connection.get("/poll?after=0", fields: [HeaderProfile.Field("Authorization", "Bearer \(token)")]))
                #expect(served.status == .ok)
            }
            #expect(server.traffic.allTotals.security?.refused == 1)
            #expect(server.traffic.allTotals.security?.tokensChecked == 1)
        }
    }

    @Test("an upgrade request for a path with no WebSocket endpoint is answered 404, not left waiting")
    func declinedUpgradeAnswered() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let request = "GET /nowhere HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            let (bytes, serverClosed) = try await RawTCPClient.exchange(port: server.port, sending: request, timeout: .seconds(5))
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 404 Not Found\r\n"))
            #expect(serverClosed)
        }
    }

    @Test("a client sending an origin the server does not allow is refused on every attempt, counted, and never ready")
    func wrongOriginClient() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.security = SecuritySettings(allowedOrigins: [Self.origin])
        var scenario = Scenario.defaults
        scenario.security = SecuritySettings(allowedOrigins: ["https://other.example"])
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let client = RunningClient(WebSocketClient(direction: .push), server: server, scenario: scenario)
            let deadline = ContinuousClock.now + .seconds(10)
            while (server.traffic.totals(for: .webSocket).security?.refused ?? 0) < 2, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(!client.progress.isReady)
            let recorder = await client.stop()
            #expect(recorder.connectionErrors.contains { $0.contains("refused to upgrade") }, "\(recorder.connectionErrors)")
            _ = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            let totals = server.traffic.totals(for: .webSocket)
            #expect((totals.security?.refused ?? 0) >= 2)
            #expect(totals.security?.refused == totals.requests)
        }
    }
}
