import BenchCore
import BenchTLS
import NIOCore
import NIOSSL
import Testing

@testable import BenchServer
@testable import BenchTransports

/// What TLS adds to each application-data record, measured through the server's metering — the
/// census of records below swift-nio-ssl's handler and the plaintext meter above it — against
/// figures worked out from the RFCs.
@Suite("TLS record overhead", .serialized)
struct TLSRecordOverheadTests {
    /// TLS 1.3 (RFC 8446 §5.2): a record on the wire is a 5-byte header (opaque_type,
    /// legacy_record_version, length) and `encrypted_record`, the AEAD encryption of
    /// TLSInnerPlaintext = content ‖ ContentType (1 byte) ‖ zero padding (BoringSSL pads none).
    /// Every TLS 1.3 cipher suite's AEAD — AES-128-GCM, AES-256-GCM (RFC 5116 §5.1, §5.2),
    /// ChaCha20-Poly1305 (RFC 8439 §2.8) — adds a 16-byte tag and no explicit nonce (the nonce is
    /// derived from the record's sequence number, §5.3): 5 + 1 + 16.
    static let tls13Overhead = 5 + 1 + 16
    /// TLS 1.2 with AES-GCM (RFC 5288 §3): the 5-byte header, the 8-byte `nonce_explicit` that
    /// GenericAEADCipher carries in each record, and the 16-byte tag: 5 + 8 + 16.
    static let tls12AESGCMOverhead = 5 + 8 + 16
    /// TLS 1.2 with ChaCha20-Poly1305 (RFC 7905 §2): the nonce is implicit, so 5 + 16.
    static let tls12ChaChaOverhead = 5 + 16

    static let transports: [(name: String, kind: TransportKind, http: HTTPProtocolVersion)] = [
        ("short polling", .shortPolling, .http1_1),
        ("long polling", .longPolling, .http1_1),
        ("SSE", .serverSentEvents, .http1_1),
        ("WebSocket", .webSocket, .http1_1),
        ("short polling over HTTP/2 by ALPN", .shortPolling, .http2),
    ]

    @Test(
        "TLS 1.3: every application-data record is its plaintext plus 22 bytes, both ways; handshake, application and alert records add up to the WireMeter's bytes",
        arguments: transports)
    func tls13(name: String, kind: TransportKind, http: HTTPProtocolVersion) async throws {
        let totals = try await Self.run(kind, http: http, version: .v1_3)
        Self.expectOverhead(Self.tls13Overhead, in: totals, name)
    }

    /// bench's clients offer swift-nio-ssl's default TLS 1.2 suites, AES-GCM first
    /// (`defaultCipherSuites`: `ECDH+AESGCM:ECDH+CHACHA20:…`), and a BoringSSL server takes the
    /// client's order; the test below shows the figure would differ for any other choice.
    @Test(
        "TLS 1.2 (AES-GCM): every application-data record is its plaintext plus 29 bytes, both ways; the records add up to the WireMeter's bytes",
        arguments: transports)
    func tls12(name: String, kind: TransportKind, http: HTTPProtocolVersion) async throws {
        let totals = try await Self.run(kind, http: http, version: .v1_2)
        Self.expectOverhead(Self.tls12AESGCMOverhead, in: totals, name)
    }

    @Test(
        "TLS 1.2: the overhead follows the one cipher suite a client offers (29 bytes for AES-GCM, 21 for ChaCha20-Poly1305), at the server and in the records the client read",
        arguments: [
            (NIOTLSCipher.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls12AESGCMOverhead),
            (NIOTLSCipher.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls12AESGCMOverhead),
            (NIOTLSCipher.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls12ChaChaOverhead),
        ])
    func tls12CipherSuites(suite: NIOTLSCipher, overhead: Int) async throws {
        let configuration = try ServerConfiguration.overTLS(.v1_2)
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            for index in 1...20 { server.hub.publish(payload: "event-\(index)") }
            var client = try TLSConfiguration.client(trusting: configuration.tls!.identity.certificatePEM, version: .tlsv12)
            client.cipherSuiteValues = [suite]
            let exchange = try await RawTLSClient.exchange(
                port: server.port, configuration: client,
                sending: "GET /poll?after=0 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            #expect(exchange.handshakeCompleted, "\(exchange.error ?? "")")
            #expect(String(decoding: exchange.plaintext, as: UTF8.self).hasPrefix("HTTP/1.1 200 OK"))
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .shortPolling)
            Self.expectOverhead(overhead, in: totals, "\(suite)")
            // The client's own view: TLS 1.2 names every record's type in its header (RFC 5246
            // §6.2.1), so the application-data records it read are the server's, and their
            // fragments less the nonce and tag are exactly the plaintext it got.
            let (records, complete) = TLSRecords.parse(exchange.received)
            #expect(complete)
            let application = records.filter { $0.type == 23 }
            #expect(application.count == totals.tls?.applicationRecordsOut)
            #expect(application.map { $0.fragment.count - (overhead - 5) }.reduce(0, +) == exchange.plaintext.count)
            #expect(exchange.received.count == totals.bytesOut)
        }
    }

    /// Runs one `kind` client over TLS `version` while 30 events are published, and returns the
    /// server's counts for that transport once every connection closed.
    static func run(_ kind: TransportKind, http: HTTPProtocolVersion, version: TLSSettings.Version) async throws -> TrafficTotals {
        let configuration = try ServerConfiguration.overTLS(version)
        return try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            var scenario = Scenario.defaults
            scenario.httpVersion = http
            scenario.pollIntervalSeconds = 0.02
            scenario.tls = configuration.tls!.settings
            let client = try #require(TransportRegistry.withoutGRPC.descriptor(for: kind)).makeClient(for: scenario)
            let running = RunningClient(client, server: server, scenario: scenario, tls: try server.tls?.clientTLS)
            try await running.waitUntilReady()
            for index in 1...30 {
                server.hub.publish(payload: "event-\(index)")
                try await Task.sleep(for: .milliseconds(2))
            }
            try await running.waitUntilDelivered(30)
            server.hub.finish()
            expectEveryEventOnce(await running.stop(), count: 30)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            return server.traffic.totals(for: kind)
        }
    }

    /// The census and the plaintext meter differ by `overhead` bytes per application-data record
    /// each way, and handshake, application-data and alert records make up the socket's bytes.
    static func expectOverhead(_ overhead: Int, in totals: TrafficTotals, _ name: String, sourceLocation: SourceLocation = #_sourceLocation)
    {
        guard let tls = totals.tls else {
            Issue.record("\(name): no TLS counts", sourceLocation: sourceLocation)
            return
        }
        #expect(
            tls.handshakes >= 1 && tls.handshakeFailures == 0 && tls.handshakeTimeouts == 0, "\(name): \(tls)",
            sourceLocation: sourceLocation)
        #expect(tls.applicationRecordsIn > 0 && tls.applicationRecordsOut > 0, "\(name): \(tls)", sourceLocation: sourceLocation)
        #expect(
            tls.applicationRecordBytesIn - tls.plaintextBytesIn == overhead * tls.applicationRecordsIn, "\(name) in: \(tls)",
            sourceLocation: sourceLocation)
        #expect(
            tls.applicationRecordBytesOut - tls.plaintextBytesOut == overhead * tls.applicationRecordsOut, "\(name) out: \(tls)",
            sourceLocation: sourceLocation)
        // Over HTTP/2 the frame census, above TLS, counts every plaintext byte in a frame (or the
        // client's connection preface): an independent count of what the plaintext meter saw.
        if let frames = totals.http2 {
            #expect(
                frames.totalBytes == tls.plaintextBytesIn + tls.plaintextBytesOut, "\(name): \(frames) \(tls)",
                sourceLocation: sourceLocation)
        }
        #expect(
            tls.handshakeBytesIn + tls.applicationRecordBytesIn + tls.alertBytesIn == totals.bytesIn,
            "\(name): \(tls), \(totals.bytesIn) in", sourceLocation: sourceLocation)
        #expect(
            tls.handshakeBytesOut + tls.applicationRecordBytesOut + tls.alertBytesOut == totals.bytesOut,
            "\(name): \(tls), \(totals.bytesOut) out", sourceLocation: sourceLocation)
    }
}

extension ServerConfiguration {
    /// The default server with TLS `version` on every connection, a generated P-256 certificate,
    /// and `handshakeTimeout` for handshakes that stall.
    static func overTLS(_ version: TLSSettings.Version, handshakeTimeout: TimeAmount = .seconds(10)) throws -> ServerConfiguration {
        var configuration = ServerConfiguration.defaults
        let settings = TLSSettings(enabled: true, version: version)
        configuration.tls = try ServerTLS(settings: settings, identity: TLSIdentity.make(for: settings), handshakeTimeout: handshakeTimeout)
        return configuration
    }
}
