import BenchCore
import BenchEngine
import BenchGRPC
import BenchServer
import BenchTransports
import Testing

/// gRPC message compression through the engine: grpc-swift compresses on both ends, the censuses
/// count the compressed messages on the wire, the calls count their plain sizes.
@Suite("Runner with gRPC compression", .serialized)
struct GRPCCompressionRunnerTests {
    static let runner = Runner(registry: TransportRegistry([GRPCTransport()]))

    /// 2 clients, 30 events of 2048 bytes of chat each.
    static func scenario(direction: Direction, compression: CompressionSettings, encoding: Encoding = .protobuf) -> Scenario {
        Scenario(
            name: "test", clients: 2, eventsPerSecond: 50, payloadBytes: 2048, encoding: encoding, direction: direction,
            durationSeconds: 0.6, pollIntervalSeconds: 0.1, compression: compression, payloadContent: .chat
        )
    }

    static func deflate() -> CompressionSettings {
        var settings = CompressionSettings.on
        settings.grpcAlgorithm = .deflate
        return settings
    }

    /// The run with compression off and on, each without loss.
    static func runBoth(_ direction: Direction, encoding: Encoding = .protobuf) async throws -> (off: RunResult, on: RunResult) {
        let off = try await runner.run(scenario(direction: direction, compression: .off, encoding: encoding), transport: GRPCTransport())
        let on = try await runner.run(scenario(direction: direction, compression: .on, encoding: encoding), transport: GRPCTransport())
        for result in [off, on] {
            #expect(result.eventsDelivered == 2 * 30)
            #expect(result.eventsLost == 0)
            #expect(result.eventsDuplicated == 0)
            #expect(result.clientErrors.isEmpty, "\(result.clientErrors)")
        }
        #expect(off.serverCompression == nil && off.clientCompression == nil, "nothing compressed with compression off")
        #expect(off.compressionRatio == nil)
        return (off, on)
    }

    /// What both sides counted agrees: each side's census saw the other's compressed messages,
    /// and the plain sizes one side compressed are the sizes the other inflated.
    static func expectSidesAgree(_ server: CompressionTally, _ client: CompressionTally) {
        #expect(server.compressedBytes == client.inflatedInputBytes)
        #expect(server.plainBytes == client.inflatedOutputBytes)
        #expect(client.compressedBytes == server.inflatedInputBytes)
        #expect(client.plainBytes == server.inflatedOutputBytes)
        #expect(server.messagesSentPlain == 0 && client.messagesSentPlain == 0, "grpc-swift compresses every message of a compressed stream")
        #expect(server.compressNanoseconds == 0 && client.decompressNanoseconds == 0, "grpc-swift's zlib calls are not timed")
    }

    @Test("push (server streaming): every event arrives, compressed; fewer bytes down than without compression", arguments: Encoding.allCases)
    func push(encoding: Encoding) async throws {
        let (off, on) = try await Self.runBoth(.push, encoding: encoding)
        #expect(on.bytesDown < off.bytesDown, "on \(on.bytesDown) B, off \(off.bytesDown) B")
        #expect(on.payloadBytes == off.payloadBytes, "the same events")
        let server = try #require(on.serverCompression)
        let client = try #require(on.clientCompression)
        // One message per event per subscriber, each compressed; its plain size is the encoded event.
        #expect(server.messagesCompressed == 60)
        #expect(server.plainBytes == on.payloadBytes)
        // Each Subscribe call's one request message (the cursor), compressed by the client.
        #expect(client.messagesCompressed == on.requests)
        Self.expectSidesAgree(server, client)
        // Every message down is compressed: DATA carries only compressed bytes, behind 5-byte prefixes.
        let frames = try #require(on.http2)
        #expect(frames.dataPayload.down == server.compressedBytes)
        #expect(frames.grpcMessagePrefixes.down == 5 * 60)
        #expect(on.compressionPlainBytes == server.plainBytes + client.plainBytes)
        #expect(on.compressionCompressedBytes == server.compressedBytes + client.compressedBytes)
        let ratio = try #require(on.compressionRatio)
        #expect(ratio < 0.6, "chat compresses: \(ratio)")
        #expect(on.compressCPUNanosecondsPerEvent == nil && on.decompressCPUNanosecondsPerEvent == nil, "not measurable inside grpc-swift")
        #expect(on.compression == "on")
    }

    @Test("echo (bidirectional streaming): both ways compressed, fewer bytes up and down than without compression")
    func echo() async throws {
        let (off, on) = try await Self.runBoth(.echo)
        #expect(on.bytesUp < off.bytesUp, "on \(on.bytesUp) B, off \(off.bytesUp) B")
        #expect(on.bytesDown < off.bytesDown, "on \(on.bytesDown) B, off \(off.bytesDown) B")
        let server = try #require(on.serverCompression)
        let client = try #require(on.clientCompression)
        #expect(client.messagesCompressed == 60, "every event sent compressed")
        #expect(server.messagesCompressed == 60, "every echo compressed")
        #expect(server.plainBytes == client.plainBytes, "the echo is the same bytes")
        #expect(server.plainBytes + client.plainBytes == on.payloadBytes, "each body crossed twice")
        Self.expectSidesAgree(server, client)
    }

    @Test("upload and unary push compress too, and the two sides' counts agree", arguments: [
        (Direction.upload, GRPCTransportClient.Call.clientStreaming), (.push, .unary),
    ])
    func otherCalls(direction: Direction, call: GRPCTransportClient.Call) async throws {
        let transport = GRPCTransport(.init(pushCall: call))
        let result = try await Self.runner.run(Self.scenario(direction: direction, compression: .on), transport: transport)
        #expect(result.eventsLost == 0)
        #expect(result.eventsDelivered == 2 * 30)
        let server = try #require(result.serverCompression)
        let client = try #require(result.clientCompression)
        #expect(server.messagesCompressed > 0 && client.messagesCompressed > 0)
        Self.expectSidesAgree(server, client)
    }

    @Test("deflate is selectable: the label says so, every event arrives compressed, both sides agree")
    func deflateSelectable() async throws {
        let deflate = try await Self.runner.run(Self.scenario(direction: .push, compression: Self.deflate()), transport: GRPCTransport())
        #expect(deflate.eventsLost == 0 && deflate.eventsDelivered == 60)
        #expect(deflate.compression == "on (grpc: deflate)")
        let server = try #require(deflate.serverCompression)
        let client = try #require(deflate.clientCompression)
        #expect(server.messagesCompressed == 60)
        #expect(server.plainBytes == deflate.payloadBytes)
        #expect(try #require(deflate.compressionRatio) < 0.6)
        Self.expectSidesAgree(server, client)
    }
}
