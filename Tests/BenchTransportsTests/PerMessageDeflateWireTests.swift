import BenchCore
import NIOCore
import NIOWebSocket
import Testing

@testable import BenchServer
@testable import BenchTransports

/// permessage-deflate (RFC 7692) against the real server over TCP: the 101's parameters, RFC
/// 7692 §7.2.3's bytes echoed back, the threshold, and bad input answered with RFC 6455's codes.
@Suite("permessage-deflate on the wire")
struct PerMessageDeflateWireTests {
    static let chromiumOffer = "permessage-deflate; client_max_window_bits"
    /// RFC 7692 §7.2.3.1: "Hello" in one compressed block.
    static let hello: [UInt8] = [0xF2, 0x48, 0xCD, 0xC9, 0xC9, 0x07, 0x00]

    static func configuration(_ compression: CompressionSettings, maxFrameBytes: Int = 1 << 24) -> ServerConfiguration {
        var configuration = ServerConfiguration.defaults
        configuration.compression = compression
        configuration.maxWebSocketFrameBytes = maxFrameBytes
        return configuration
    }

    /// Compression on with every message compressed (no threshold), context takeover as given.
    static func everyMessage(contextTakeover: Bool = true) -> CompressionSettings {
        CompressionSettings(enabled: true, webSocketContextTakeover: contextTakeover, webSocketThreshold: 0)
    }

    @Test("the 101 carries the parameters the server's policy gives Chromium's offer, and nothing when compression is off or nothing was offered", arguments: [
        (CompressionSettings.on, chromiumOffer as String?, "permessage-deflate" as String?),
        (CompressionSettings(enabled: true, webSocketContextTakeover: false), chromiumOffer, "permessage-deflate; server_no_context_takeover; client_no_context_takeover"),
        (CompressionSettings(enabled: true, webSocketMaxWindowBits: 10), chromiumOffer, "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10"),
        (CompressionSettings(enabled: true, webSocketMaxWindowBits: 10), "permessage-deflate; foo", nil),  // declined
        (CompressionSettings.off, chromiumOffer, nil),
        (CompressionSettings.on, nil, nil),
    ])
    func responseHead(policy: CompressionSettings, offer: String?, expected: String?) async throws {
        try await withLoopbackServer(configuration: Self.configuration(policy), routes: TransportRegistry.withoutGRPC.routes) { server in
            let head = try await RawWebSocket.session(port: server.port, extensions: offer) { $0.head }
            #expect(head.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            if let expected {
                #expect(head.contains("\r\nSec-WebSocket-Extensions: \(expected)\r\n"), "\(head)")
            } else {
                #expect(!head.contains("Sec-WebSocket-Extensions"), "\(head)")
            }
        }
    }

    @Test("RFC 7692 §7.2.3: the server echoes \"Hello\" as c1 07 f2 48 cd c9 c9 07 00, the second as c1 05 f2 00 11 00 00 with a shared window, the first 9 bytes again without")
    func helloOnTheWire() async throws {
        for takeover in [true, false] {
            try await withLoopbackServer(configuration: Self.configuration(Self.everyMessage(contextTakeover: takeover)), routes: TransportRegistry.withoutGRPC.routes) { server in
                let frames = try await RawWebSocket.session(port: server.port, extensions: Self.chromiumOffer) { socket in
                    var frames: [[UInt8]] = []
                    for _ in 0..<2 {
                        // FIN + RSV1 + text, masked; the client may always compress without its window.
                        try await socket.send(RawWebSocket.clientFrame(0xC1, Self.hello))
                        frames.append(await socket.frame()?.bytes ?? [])
                    }
                    return frames
                }
                #expect(frames[0] == [0xC1, 0x07] + Self.hello)
                #expect(frames[1] == (takeover ? [0xC1, 0x05, 0xF2, 0x00, 0x11, 0x00, 0x00] : [0xC1, 0x07] + Self.hello))
                #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
                // The server's tally: two messages of 5 bytes inflated from 7 each, and compressed back.
                let tally = try #require(server.traffic.allTotals.compression)
                #expect(tally.inflatedInputBytes == 14 && tally.inflatedOutputBytes == 10)
                #expect(tally.messagesCompressed == 2 && tally.plainBytes == 10 && tally.compressedBytes == (takeover ? 12 : 14))
            }
        }
    }

    @Test("RFC 7692 §7.2.3.1's fragmented message (RSV1 on the first frame only) is inflated whole and echoed as one compressed frame")
    func fragmentedMessage() async throws {
        try await withLoopbackServer(configuration: Self.configuration(Self.everyMessage()), routes: TransportRegistry.withoutGRPC.routes) { server in
            let echo = try await RawWebSocket.session(port: server.port, extensions: Self.chromiumOffer) { socket in
                // 0x41 (RSV1 + text, no FIN) with 3 octets, then 0x80 (FIN + continuation) with 4.
                try await socket.send(RawWebSocket.clientFrame(0x41, Array(Self.hello[..<3])) + RawWebSocket.clientFrame(0x80, Array(Self.hello[3...])))
                return await socket.frame()?.bytes
            }
            #expect(echo == [0xC1, 0x07] + Self.hello)
        }
    }

    @Test("bad input gets RFC 6455's close code: RSV1 where nothing was negotiated 1002, on a control or continuation frame 1002, data that does not inflate 1007", arguments: [
        ("RSV1 on a connection that did not offer", nil as String?, [RawWebSocket.clientFrame(0xC1, hello)], 1002 as UInt16),
        ("RSV1 on a ping", chromiumOffer, [RawWebSocket.clientFrame(0xC9, [])], 1002),
        ("RSV1 on a continuation", chromiumOffer, [RawWebSocket.clientFrame(0x01, [0x48]), RawWebSocket.clientFrame(0xC0, [0x69])], 1002),
        ("RSV2 with the extension", chromiumOffer, [RawWebSocket.clientFrame(0xA1, hello)], 1002),
        ("a reserved block type", chromiumOffer, [RawWebSocket.clientFrame(0xC2, [0xFF, 0xFF, 0xFF])], 1007),
        ("a stored block with a wrong NLEN", chromiumOffer, [RawWebSocket.clientFrame(0xC2, [0x00, 0x05, 0x00, 0x00, 0x00, 0x48])], 1007),
    ])
    func badInput(name: String, offer: String?, frames: [[UInt8]], code: UInt16) async throws {
        try await withLoopbackServer(configuration: Self.configuration(Self.everyMessage()), routes: TransportRegistry.withoutGRPC.routes) { server in
            let received = try await RawWebSocket.session(port: server.port, extensions: offer) { socket in
                try await socket.send(frames.flatMap { $0 })
                return await socket.closeCode()
            }
            #expect(received == code, "\(name)")
        }
    }

    @Test("the frame rules with the extension: RSV1 on the first frame of a text or binary message only; RSV2 and RSV3 never")
    func rules() {
        let key = WebSocketMaskingKey.random()
        for opcode in [WebSocketOpcode.text, .binary] {
            let frame = WebSocketFrame(fin: true, rsv1: true, opcode: opcode, maskKey: key, data: ByteBuffer())
            #expect(WebSocketFrameRules.violation(clientFrame: frame, compressed: true) == nil)
            #expect(WebSocketFrameRules.violation(clientFrame: frame) == .protocolError)
        }
        for (rsv1, rsv2, opcode) in [(true, false, WebSocketOpcode.continuation), (true, false, .ping), (true, false, .connectionClose), (false, true, .text)] {
            let frame = WebSocketFrame(fin: true, rsv1: rsv1, rsv2: rsv2, opcode: opcode, maskKey: key, data: ByteBuffer())
            #expect(WebSocketFrameRules.violation(clientFrame: frame, compressed: true) == .protocolError, "\(opcode)")
        }
    }

    @Test("a small frame that would inflate past the server's limit is closed with 1009, inflation stops there, and the server serves the next client")
    func bomb() async throws {
        let limit = 64 * 1024
        // 16 MiB of zeros in about 16 KB: under the frame limit, 256 times the message limit.
        let bomb = Array(try PerMessageDeflateCompressor(.init(windowBits: 15, contextTakeover: false)).compress(ByteBuffer(repeating: 0, count: 16 << 20)).readableBytesView)
        #expect(bomb.count < limit)
        try await withLoopbackServer(configuration: Self.configuration(Self.everyMessage(), maxFrameBytes: limit), routes: TransportRegistry.withoutGRPC.routes) { server in
            let code = try await RawWebSocket.session(port: server.port, extensions: Self.chromiumOffer) { socket in
                try await socket.send(RawWebSocket.clientFrame(0xC2, bomb))
                return await socket.closeCode()
            }
            #expect(code == 1009)
            // The failed message is not counted; the next client's echo is.
            let echo = try await RawWebSocket.session(port: server.port, extensions: Self.chromiumOffer) { socket in
                try await socket.send(RawWebSocket.clientFrame(0xC1, Self.hello))
                return await socket.frame()?.bytes
            }
            #expect(echo == [0xC1, 0x07] + Self.hello)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            #expect(server.traffic.allTotals.compression?.inflatedOutputBytes == 5)
        }
    }

    @Test("messages under the threshold go plain (RSV1 clear) and are counted as such; longer ones are compressed")
    func threshold() async throws {
        var policy = CompressionSettings.on
        policy.webSocketThreshold = 6
        try await withLoopbackServer(configuration: Self.configuration(policy), routes: TransportRegistry.withoutGRPC.routes) { server in
            let frames = try await RawWebSocket.session(port: server.port, extensions: Self.chromiumOffer) { socket in
                try await socket.send(RawWebSocket.clientFrame(0xC1, Self.hello))  // inflates to 5 bytes: echoed plain
                let first = await socket.frame()
                try await socket.send(RawWebSocket.clientFrame(0x82, Array("Hello!".utf8)))  // 6 bytes, sent plain: echoed compressed
                return [first, await socket.frame()]
            }
            #expect(frames[0]?.bytes == [0x81, 0x05] + Array("Hello".utf8))
            #expect(frames[1]?.first == 0xC2)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let tally = try #require(server.traffic.allTotals.compression)
            #expect(tally.messagesSentPlain == 1 && tally.messagesCompressed == 1 && tally.plainBytes == 6)
        }
    }
}
