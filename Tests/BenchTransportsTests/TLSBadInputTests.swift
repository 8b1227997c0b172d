import BenchCore
import BenchTLS
import Foundation
import NIOCore
import NIOSSL
import Testing

@testable import BenchServer
@testable import BenchTransports

/// Bad input on a TLS port gets TLS's own answer, is counted, and the server goes on serving a
/// well-behaved client over TLS the whole time.
@Suite("TLS: bad input", .serialized)
struct TLSBadInputTests {
    @Test("plaintext HTTP to the TLS port: closed, answered with nothing but alerts, counted as a failed handshake")
    func plaintextRequest() async throws {
        let request = Array("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".utf8)
        let (other, answer) = try await Self.withWellBehavedClient { server in
            try await RawTCPClient.exchange(port: server.port, sending: request, timeout: .seconds(5))
        }
        #expect(answer.serverClosed)
        let (records, complete) = TLSRecords.parse(answer.bytes)
        #expect(complete && records.allSatisfy { $0.type == 21 }, "\(answer.bytes)")
        Self.expectFailedHandshake(other, read: request.count, answered: answer.bytes.count)
    }

    /// A handshake record whose ClientHello says it is longer than the record (RFC 8446 §4:
    /// msg_type 1, a 24-bit length) and holds no valid hello: the server cannot decode it.
    @Test("a ClientHello that cannot be decoded: closed with a fatal decode_error alert (RFC 8446 §6.2), counted as a failed handshake")
    func garbageClientHello() async throws {
        let body: [UInt8] = [1, 0, 0, 8] + [3, 3] + [UInt8](repeating: 0xEE, count: 6)
        let hello: [UInt8] = [22, 3, 1, 0, UInt8(body.count)] + body
        let (other, answer) = try await Self.withWellBehavedClient { server in
            try await RawTCPClient.exchange(port: server.port, sending: hello, timeout: .seconds(5))
        }
        #expect(answer.serverClosed)
        let (records, complete) = TLSRecords.parse(answer.bytes)
        #expect(complete)
        // AlertLevel fatal (2), AlertDescription decode_error (50) (RFC 8446 §6).
        #expect(records.map(\.type) == [21] && records.first?.fragment == [2, 50], "\(answer.bytes)")
        Self.expectFailedHandshake(other, read: hello.count, answered: answer.bytes.count)
    }

    /// RFC 8446 §4.2.1: a ClientHello without supported_versions offers TLS 1.2 or earlier
    /// (legacy_version 0x0303), and a server that speaks none of those aborts with a
    /// protocol_version alert (as RFC 5246 §E.1 already required).
    @Test("a TLS 1.2-only client against a TLS 1.3 server: a fatal protocol_version alert (70), counted as a failed handshake")
    func tls12ClientAgainstTLS13() async throws {
        let (other, exchange) = try await Self.withWellBehavedClient { server in
            let client = try TLSConfiguration.client(trusting: server.tls!.identity.certificatePEM, version: .tlsv12)
            return try await RawTLSClient.exchange(
                port: server.port, configuration: client, sending: "GET / HTTP/1.1\r\n\r\n", timeout: .seconds(5))
        }
        #expect(!exchange.handshakeCompleted)
        let (records, complete) = TLSRecords.parse(exchange.received)
        #expect(complete)
        // The one record: alert (21), fatal (2) protocol_version (70), in the clear.
        #expect(records.map(\.type) == [21] && records.first?.fragment == [2, 70], "\(exchange.received)")
        Self.expectFailedHandshake(other, read: exchange.sent.count, answered: exchange.received.count)
    }

    @Test("a client that stops mid-ClientHello is closed after the server's handshake timeout, and counted as timed out")
    func stalledHandshake() async throws {
        // A handshake record announcing 512 bytes, of which the client sends 40 and then waits.
        let partial: [UInt8] = [22, 3, 1, 2, 0] + [1, 0, 1, 0xFC, 3, 3] + [UInt8](repeating: 0x42, count: 34)
        let timeout = TimeAmount.milliseconds(300)
        let start = ContinuousClock.now
        let (other, answer) = try await Self.withWellBehavedClient(handshakeTimeout: timeout) { server in
            try await RawTCPClient.exchange(port: server.port, sending: partial, timeout: .seconds(5))
        }
        let elapsed = ContinuousClock.now - start
        #expect(answer.serverClosed, "the server did not close the stalled connection within 5 s")
        #expect(elapsed >= .milliseconds(300))
        #expect(answer.bytes.isEmpty)
        let tls = try #require(other.tls)
        #expect(tls.handshakeTimeouts == 1 && tls.handshakeFailures == 0 && tls.handshakes == 0, "\(tls)")
        #expect(other.bytesIn == partial.count && tls.handshakeBytesIn == partial.count)
    }

    /// Runs `body` against a TLS 1.3 server (handshakes time out after `handshakeTimeout`) while
    /// a WebSocket client over TLS receives events: 25 before, 25 after, every one exactly once.
    /// Returns the server's counts for connections that asked for no transport (the bad one)
    /// once every connection closed, and what `body` returned.
    static func withWellBehavedClient<Answer: Sendable>(
        handshakeTimeout: TimeAmount = .seconds(10), _ body: (LoopbackServer) async throws -> Answer
    ) async throws -> (TrafficTotals, Answer) {
        try await withLoopbackServer(
            configuration: .overTLS(.v1_3, handshakeTimeout: handshakeTimeout), routes: TransportRegistry.withoutGRPC.routes
        ) { server in
            var scenario = Scenario.defaults
            scenario.tls = server.tls!.settings
            let wellBehaved = RunningClient(
                WebSocketClient(direction: .push), server: server, clientIndex: 1, scenario: scenario, tls: try server.tls?.clientTLS)
            try await wellBehaved.waitUntilReady()
            for index in 1...25 { server.hub.publish(payload: "before-\(index)") }
            try await wellBehaved.waitUntilDelivered(25)
            let answer = try await body(server)
            for index in 26...50 { server.hub.publish(payload: "after-\(index)") }
            try await wellBehaved.waitUntilDelivered(50)
            server.hub.finish()
            expectEveryEventOnce(await wellBehaved.stop(), count: 50)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let served = try #require(server.traffic.totals(for: .webSocket).tls)
            #expect(served.handshakes == 1 && served.handshakeFailures == 0 && served.handshakeTimeouts == 0, "\(served)")
            return (server.traffic.totals(for: nil), answer)
        }
    }

    /// One failed handshake and nothing else: the server read `read` bytes, all handshake, and
    /// wrote `answered` bytes, all alerts.
    static func expectFailedHandshake(_ other: TrafficTotals, read: Int, answered: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        guard let tls = other.tls else {
            Issue.record("no TLS counts for the bad connection", sourceLocation: sourceLocation)
            return
        }
        #expect(tls.handshakeFailures == 1 && tls.handshakes == 0 && tls.handshakeTimeouts == 0, "\(tls)", sourceLocation: sourceLocation)
        #expect(other.bytesIn == read && tls.handshakeBytesIn == read, "\(other)", sourceLocation: sourceLocation)
        #expect(other.bytesOut == answered && tls.alertBytesOut == answered, "\(other)", sourceLocation: sourceLocation)
    }
}
