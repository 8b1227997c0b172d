import BenchCore
import BenchEngine
import BenchTransports
import Testing

/// gzip on SSE and polling (`--compression on`) end to end through the runner.
@Suite("Runner with gzip")
struct GzipRunnerTests {
    /// A transport with the connection mode and HTTP version its scenario asks for.
    struct Row: Sendable, CustomTestStringConvertible {
        var transport: any TransportDescriptor
        var mode = ConnectionMode.keepAlive
        var version = HTTPProtocolVersion.http1_1
        /// Long polling answers most polls with one event: a 128-byte chat event gzipped alone
        /// saves less than the gzip member's 18 bytes and the Content-Encoding and Vary fields
        /// add, so its rows carry 1 KB events, where gzip pays.
        var payloadBytes = 128
        var testDescription: String { "\(transport.kind.rawValue) \(mode.rawValue) \(version == .http2 ? "h2" : "http/1.1")" }
    }

    static let rows = [
        Row(transport: ServerSentEventsTransport()), Row(transport: ServerSentEventsTransport(), version: .http2),
        Row(transport: ShortPollingTransport()), Row(transport: ShortPollingTransport(), mode: .perRequest),
        Row(transport: ShortPollingTransport(), version: .http2),
        Row(transport: LongPollingTransport(), payloadBytes: 1024), Row(transport: LongPollingTransport(), version: .http2, payloadBytes: 1024),
    ]

    let runner = Runner(registry: .withoutGRPC)

    @Test(
        "chat payloads: nothing lost, fewer bytes down than without gzip, and the clients inflate exactly what the server deflated",
        arguments: rows)
    func endToEnd(row: Row) async throws {
        var scenario = Scenario(
            name: "gzip", clients: 3, eventsPerSecond: 50, payloadBytes: row.payloadBytes, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        scenario.payloadContent = .chat
        scenario.connectionMode = row.mode
        scenario.httpVersion = row.version
        let plain = try await runner.run(scenario, transport: row.transport)
        scenario.compression = .on
        let gzip = try await runner.run(scenario, transport: row.transport)
        for result in [plain, gzip] {
            #expect(result.eventsDelivered == 3 * 30)
            #expect(result.eventsLost == 0)
            #expect(result.eventsDuplicated == 0)
            #expect(result.clientErrors.isEmpty, "\(result.clientErrors)")
        }
        // The same events, the same payload bytes; fewer bytes on the wire.
        #expect(gzip.payloadBytes == plain.payloadBytes)
        #expect(gzip.bytesDown < plain.bytesDown, "gzip \(gzip.bytesDown) B down, plain \(plain.bytesDown) B")
        #expect(plain.serverCompression == nil && plain.clientCompression == nil)

        let server = try #require(gzip.serverCompression)
        let client = try #require(gzip.clientCompression)
        #expect(server.plainBytes > server.compressedBytes)
        #expect(server.messagesCompressed > 0)
        // Every compressed byte the server sent was read and inflated, back to the plain bytes.
        #expect(client.inflatedInputBytes == server.compressedBytes)
        #expect(client.inflatedOutputBytes == server.plainBytes)
        #expect(client.compressedBytes == 0 && client.plainBytes == 0)
        #expect(gzip.compression == "on")
        #expect((gzip.compressionRatio ?? 1) < 1)
        #expect((gzip.compressCPUNanosecondsPerEvent ?? 0) > 0)
        #expect((gzip.decompressCPUNanosecondsPerEvent ?? 0) > 0)
    }
}
