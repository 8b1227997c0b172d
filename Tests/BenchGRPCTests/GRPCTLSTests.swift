import BenchCore
import BenchEngine
import BenchGRPC
import BenchTransports
import Testing

/// gRPC over TLS through the engine: the TLS layer's counts against the RFCs and against the
/// HTTP/2 frame census, which sits above TLS and so counts exactly the plaintext.
@Suite("gRPC over TLS", .serialized)
struct GRPCTLSTests {
    static let runner = Runner(registry: TransportRegistry([GRPCTransport()]))

    /// Per application-data record: TLS 1.3, a 5-byte header, the inner content-type byte and a
    /// 16-byte AEAD tag (RFC 8446 §5.2); TLS 1.2 with AES-GCM (what bench's clients offer
    /// first), the header, an 8-byte explicit nonce and the tag (RFC 5288 §3).
    @Test(
        "server streaming over TLS: every event delivered; each record adds 22 (TLS 1.3) or 29 (TLS 1.2, AES-GCM) bytes; the plaintext is exactly the HTTP/2 frames; the records are every byte",
        arguments: [(TLSSettings.Version.v1_3, 5 + 1 + 16), (.v1_2, 5 + 8 + 16)])
    func serverStreaming(version: TLSSettings.Version, overhead: Int) async throws {
        var scenario = Scenario(
            name: "test", clients: 3, eventsPerSecond: 50, payloadBytes: 64, encoding: .protobuf, durationSeconds: 0.6,
            pollIntervalSeconds: 0.1)
        scenario.tls = TLSSettings(enabled: true, version: version)
        let result = try await Self.runner.run(scenario, transport: GRPCTransport())
        #expect(result.eventsDelivered == 3 * 30 && result.eventsLost == 0 && result.clientErrors.isEmpty, "\(result.clientErrors)")
        let tls = try #require(result.serverTLS)
        let frames = try #require(result.http2)
        #expect(tls.handshakes == 3 && tls.handshakeFailures == 0 && tls.handshakeTimeouts == 0)
        #expect(tls.applicationRecordBytesIn - tls.plaintextBytesIn == overhead * tls.applicationRecordsIn, "\(tls)")
        #expect(tls.applicationRecordBytesOut - tls.plaintextBytesOut == overhead * tls.applicationRecordsOut, "\(tls)")
        // The frame census reads HTTP/2 above TLS: every plaintext byte is in a frame (or the
        // client's connection preface), each way. The server's first SETTINGS, written before
        // the handshake completed and held by the TLS handler until it did, is among them.
        #expect(frames.totalBytes == tls.plaintextBytesIn + tls.plaintextBytesOut, "\(frames) \(tls)")
        #expect(tls.handshakeBytesIn + tls.applicationRecordBytesIn + tls.alertBytesIn == result.bytesUp)
        #expect(tls.handshakeBytesOut + tls.applicationRecordBytesOut + tls.alertBytesOut == result.bytesDown)
    }
}
