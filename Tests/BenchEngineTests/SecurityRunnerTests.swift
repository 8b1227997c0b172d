import BenchCore
import BenchEngine
import BenchTransports
import Testing

/// Runs with handshake checks through the runner: every client presents the run's token and
/// origin, nothing is refused, and the token's bytes are the JWS compact form's length in the
/// place each transport puts it, once per request.
@Suite("Runner with handshake security")
struct SecurityRunnerTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var transport: any TransportDescriptor
        var algorithm: SecuritySettings.TokenAlgorithm
        var testDescription: String { "\(transport.kind.rawValue) \(algorithm.rawValue)" }
    }

    static let rows = [
        Row(transport: ShortPollingTransport(), algorithm: .hs256), Row(transport: ShortPollingTransport(), algorithm: .es256),
        Row(transport: LongPollingTransport(), algorithm: .hs256), Row(transport: ServerSentEventsTransport(), algorithm: .hs256),
        Row(transport: ServerSentEventsTransport(), algorithm: .es256), Row(transport: WebSocketTransport(), algorithm: .es256),
    ]

    /// The run's token length: base64url (⌈4n/3⌉ characters for n bytes) of the header
    /// `{"alg":"HS256","typ":"JWT"}` (27 bytes), of the payload
    /// `{"exp":NNNNNNNNNN,"sub":"bench-client"}` (39 bytes with a ten-digit NumericDate), and of
    /// the signature (HMAC-SHA-256's 32 bytes, ES256's 64: RFC 7518 §3.2, §3.4), joined by dots.
    static func tokenLength(_ algorithm: SecuritySettings.TokenAlgorithm) -> Int {
        func base64URL(_ bytes: Int) -> Int { (4 * bytes + 2) / 3 }
        return base64URL(27) + 1 + base64URL(39) + 1 + base64URL(algorithm == .hs256 ? 32 : 64)
    }

    @Test("every request presents the run's token and origin: none refused, and token bytes are the credential's length per request", arguments: rows)
    func authenticatedRun(row: Row) async throws {
        var scenario = Scenario(name: "auth", clients: 3, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        scenario.security = SecuritySettings(allowedOrigins: ["https://app.example"], authentication: .jwt, tokenAlgorithm: row.algorithm)
        let result = try await Runner(registry: .withoutGRPC).run(scenario, transport: row.transport)
        #expect(result.isClean)
        #expect(result.eventsDelivered == 3 * 30)
        #expect(result.refusedRequests == 0)
        #expect(result.security == "jwt \(row.algorithm.rawValue); origins https://app.example")
        // Streams present the token once per connection, pollers on every request.
        #expect(result.tokensVerified == result.requests)
        let perRequest = row.transport.kind == .serverSentEvents
            ? "access_token=".utf8.count + Self.tokenLength(row.algorithm) + "&".utf8.count
            : "Authorization: Bearer ".utf8.count + Self.tokenLength(row.algorithm) + "\r\n".utf8.count
        #expect(result.authenticationBytes == result.requests * perRequest)
        let perEvent = try #require(result.authenticationBytesPerEvent)
        #expect(abs(perEvent - Double(result.requests * perRequest) / Double(result.eventsDelivered)) < 1e-9)
        #expect((result.verifyCPUNanosecondsPerEvent ?? 0) > 0)
    }

    @Test("origins alone: nothing refused, no token columns")
    func originsOnly() async throws {
        var scenario = Scenario(name: "origins", clients: 2, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.4)
        scenario.security = SecuritySettings(allowedOrigins: ["https://app.example"])
        let result = try await Runner(registry: .withoutGRPC).run(scenario, transport: WebSocketTransport())
        #expect(result.isClean)
        #expect(result.refusedRequests == 0)
        #expect(result.security == "origins https://app.example")
        #expect(result.tokensVerified == nil)
        #expect(result.authenticationBytesPerEvent == nil)
    }
}
