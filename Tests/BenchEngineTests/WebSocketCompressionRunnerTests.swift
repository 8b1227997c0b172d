import BenchCore
import BenchEngine
import BenchTransports
import Testing

/// WebSocket runs with permessage-deflate through the Runner: the server compresses what its
/// clients offered, every event still arrives once, and the wire carries fewer bytes.
@Suite("Runner: WebSocket with permessage-deflate")
struct WebSocketCompressionRunnerTests {
    let runner = Runner(registry: .withoutGRPC)

    func scenario(compression: CompressionSettings, payloadBytes: Int, direction: Direction = .push) -> Scenario {
        var scenario = Scenario(name: "test", clients: 3, eventsPerSecond: 50, payloadBytes: payloadBytes, durationSeconds: 0.6)
        scenario.payloadContent = .chat
        scenario.compression = compression
        scenario.direction = direction
        return scenario
    }

    @Test("chat events of 2048 bytes: nothing lost, the server compresses them to less than they were, and fewer bytes go down than without compression")
    func push() async throws {
        let compressed = try await runner.run(scenario(compression: .on, payloadBytes: 2048), transport: WebSocketTransport())
        let plain = try await runner.run(scenario(compression: .off, payloadBytes: 2048), transport: WebSocketTransport())
        for result in [compressed, plain] {
            #expect(result.eventsDelivered == 3 * 30)
            #expect(result.eventsLost == 0 && result.eventsDuplicated == 0)
        }
        let server = try #require(compressed.serverCompression)
        #expect(server.messagesCompressed == 3 * 30)
        #expect(server.compressedBytes < server.plainBytes / 2)
        // The clients inflated exactly what the server compressed.
        let clients = try #require(compressed.clientCompression)
        #expect(clients.inflatedInputBytes == server.compressedBytes)
        #expect(clients.inflatedOutputBytes == server.plainBytes)
        #expect(compressed.bytesDown < plain.bytesDown / 2)
        #expect(compressed.compression == "on")
        #expect(plain.serverCompression == nil && plain.clientCompression == nil)
        #expect((compressed.compressionRatio ?? 1) < 0.5)
    }

    @Test("128-byte events under the 1024-byte threshold are sent plain: each counted, none with RSV1 (the clients inflate nothing)")
    func threshold() async throws {
        let result = try await runner.run(scenario(compression: .on, payloadBytes: 128), transport: WebSocketTransport())
        #expect(result.eventsDelivered == 3 * 30 && result.eventsLost == 0)
        let server = try #require(result.serverCompression)
        #expect(server.messagesSentPlain == 3 * 30)
        #expect(server.messagesCompressed == 0 && server.plainBytes == 0)
        // A client's handler inflates every frame with RSV1 set; it inflated none.
        #expect(result.clientCompression == nil)
        #expect(result.compressionRatio == nil)
    }

    @Test("echo with compression: the clients compress what they send, the server inflates it and compresses the echo")
    func echo() async throws {
        var compression = CompressionSettings.on
        compression.webSocketContextTakeover = false
        let result = try await runner.run(scenario(compression: compression, payloadBytes: 2048, direction: .echo), transport: WebSocketTransport())
        #expect(result.eventsDelivered == 3 * 30 && result.eventsLost == 0)
        let server = try #require(result.serverCompression)
        let clients = try #require(result.clientCompression)
        #expect(clients.messagesCompressed == 3 * 30 && server.messagesCompressed == 3 * 30)
        #expect(server.inflatedInputBytes == clients.compressedBytes && server.inflatedOutputBytes == clients.plainBytes)
        #expect(clients.inflatedInputBytes == server.compressedBytes && clients.inflatedOutputBytes == server.plainBytes)
        #expect(result.compression == "on (ws: no context takeover)")
    }
}
