import BenchCore
import NIOCore
import NIOPosix
import NIOWebSocket
import Testing

@testable import BenchServer
@testable import BenchTransports

/// The client's side of permessage-deflate: a round trip through both ends' handlers, and a
/// connection failed on a 101 it cannot accept (RFC 6455 §4.1, RFC 7692 §5).
@Suite("permessage-deflate at the client")
struct PerMessageDeflateClientTests {
    @Test("the client inflates what the server compresses and compresses what it sends: an echo round trip through both handlers")
    func clientRoundTrip() async throws {
        try await withLoopbackServer(configuration: PerMessageDeflateWireTests.configuration(PerMessageDeflateWireTests.everyMessage()), routes: TransportRegistry.withoutGRPC.routes) { server in
            let counter = CompressionCounter()
            let target = ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: .defaults)
            let channel = try await WebSocketConnection.connect(to: target, uri: "/ws?mode=echo&client=0", compression: PerMessageDeflateWireTests.everyMessage(), counter: counter)
            let text = PayloadFactory(byteCount: 2048, seed: 1, content: .document).payload(for: 1)
            let echo = try await channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: text)))
                return try await frames.next()
            }
            #expect(echo.map { String(buffer: $0.unmaskedData) } == text)
            #expect(echo?.rsv1 == false)
            let tally = counter.tally
            #expect(tally.messagesCompressed == 1 && tally.plainBytes == 2048 && tally.compressedBytes < 1024)
            #expect(tally.inflatedOutputBytes == 2048)
        }
    }

    @Test("the client fails the connection when the 101 names an extension it did not offer or parameters it cannot accept", arguments: [
        ("permessage-deflate", false),  // nothing offered (compression off, minimal profile)
        ("permessage-deflate; server_max_window_bits=16", true),
        ("permessage-deflate; client_max_window_bits", true),
        ("x-webkit-deflate-frame", true),
    ])
    func clientRefuses(extensions: String, offers: Bool) async throws {
        let reply = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nSec-WebSocket-Extensions: \(extensions)\r\n\r\n"
        try await CannedReplyServer.with(reply: ByteBuffer(string: reply)) { port in
            let target = ClientTarget(host: "127.0.0.1", port: port, clientIndex: 0, scenario: .defaults)
            await #expect(throws: WebSocketClientError.self) {
                _ = try await WebSocketConnection.connect(
                    to: target, uri: "/ws", compression: offers ? .on : .off, requestKey: RawWebSocket.key)
            }
        }
    }
}
