import BenchCore
import NIOCore
import NIOWebSocket
import Testing

@testable import BenchServer
@testable import BenchTransports

/// Bad input gets the protocol's own answer, and the server goes on serving everyone else.
@Suite("Malformed input")
struct MalformedInputTests {
    static let upgrade = Array(
        ("GET /ws?mode=echo&client=0 HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)

    /// A client frame built by hand (RFC 6455 §5.2): FIN, RSV and opcode; MASK and length; key; payload.
    static func frame(opcode: UInt8, payload: [UInt8], masked: Bool = true, rsv1: Bool = false, declaredLength: UInt64? = nil) -> [UInt8] {
        let length = declaredLength ?? UInt64(payload.count)
        var bytes: [UInt8] = [0x80 | (rsv1 ? 0x40 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if length < 126 {
            bytes.append(maskBit | UInt8(length))
        } else if length <= 0xFFFF {
            bytes += [maskBit | 126, UInt8(length >> 8), UInt8(length & 0xFF)]
        } else {
            bytes.append(maskBit | 127)
            bytes += (0..<8).reversed().map { UInt8((length >> (8 * UInt64($0))) & 0xFF) }
        }
        guard masked else { return bytes + payload }
        let key: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        return bytes + key + payload.enumerated().map { $0.element ^ key[$0.offset % 4] }
    }

    static let cases: [(name: String, frame: [UInt8], closeCode: UInt16)] = [
        ("unmasked client frame", frame(opcode: 0x1, payload: Array("hi".utf8), masked: false), 1002),
        ("reserved opcode 0x3", frame(opcode: 0x3, payload: []), 1002),
        ("reserved opcode 0xB", frame(opcode: 0xB, payload: []), 1002),
        ("RSV1 without an extension", frame(opcode: 0x1, payload: Array("hi".utf8), rsv1: true), 1002),
        ("invalid UTF-8 in a text frame", frame(opcode: 0x1, payload: [0x7B, 0xC3, 0x28, 0x7D]), 1007),
        ("frame larger than the server's limit", frame(opcode: 0x2, payload: [], declaredLength: 4096), 1009),
    ]

    @Test("malformed WebSocket frames are closed with RFC 6455's code, and other clients lose nothing", arguments: cases)
    func malformedFrames(name: String, frame: [UInt8], closeCode: UInt16) async throws {
        var configuration = ServerConfiguration.defaults
        configuration.maxWebSocketFrameBytes = 1024
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            let wellBehaved = RunningClient(WebSocketClient(direction: .push), server: server, clientIndex: 1)
            try await wellBehaved.waitUntilReady()

            let response = try await RawTCPClient.conversation(
                port: server.port, steps: [(Self.upgrade, Array("\r\n\r\n".utf8)), (frame, nil)])
            // The server's last frame: FIN + close, 2-byte payload, the code (§7.4.1).
            let closeFrame: [UInt8] = [0x88, 0x02, UInt8(closeCode >> 8), UInt8(closeCode & 0xFF)]
            #expect(Array(response.suffix(4)) == closeFrame, "\(name): got \(response.suffix(4).map { String($0, radix: 16) })")

            for index in 1...50 { server.hub.publish(payload: "after-\(index)") }
            try await wellBehaved.waitUntilDelivered(50)
            server.hub.finish()
            let recorder = await wellBehaved.stop()
            expectEveryEventOnce(recorder, count: 50)
        }
    }

    @Test("the echo stops at an invalid text frame: close 1007, and the binary frame behind it is not echoed")
    func noEchoAfterClose() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let good = Self.frame(opcode: 0x2, payload: [1, 2, 3])
            let invalid = Self.frame(opcode: 0x1, payload: [0xC3, 0x28])
            // A valid frame first, echoed (FIN+binary, length 3, unmasked); then both in one write.
            let response = try await RawTCPClient.conversation(
                port: server.port,
                steps: [(Self.upgrade, Array("\r\n\r\n".utf8)), (good, [0x82, 0x03, 1, 2, 3]), (invalid + good, nil)])
            let frames = Array(response[(response.firstRange(of: Array("\r\n\r\n".utf8))!.upperBound)...])
            #expect(frames == [0x82, 0x03, 1, 2, 3, 0x88, 0x02, 0x03, 0xEF])
        }
    }

    @Test("the rules as a pure function: masked data frames pass, everything RFC 6455 forbids is named")
    func rules() {
        let key = WebSocketMaskingKey([1, 2, 3, 4])
        #expect(WebSocketFrameRules.violation(clientFrame: WebSocketFrame(fin: true, opcode: .text, maskKey: key, data: ByteBuffer())) == nil)
        #expect(WebSocketFrameRules.violation(clientFrame: WebSocketFrame(fin: true, opcode: .ping, maskKey: key, data: ByteBuffer())) == nil)
        #expect(WebSocketFrameRules.violation(clientFrame: WebSocketFrame(fin: true, opcode: .text, data: ByteBuffer())) == .protocolError)
        #expect(WebSocketFrameRules.violation(clientFrame: WebSocketFrame(fin: false, opcode: .ping, maskKey: key, data: ByteBuffer())) == .protocolError)
        #expect(WebSocketFrameRules.violation(textMessage: ByteBuffer(bytes: Array("héllo".utf8))) == nil)
        #expect(WebSocketFrameRules.violation(textMessage: ByteBuffer(bytes: [0xFF])) == .dataInconsistentWithMessage)
    }

    @Test("malformed HTTP/1.1 is answered 400 by the codec and the connection closed", arguments: [
        "GARBAGE\r\n\r\n",
        "GET /poll HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        "GET /poll HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        "GET /poll HTTP/1.1\r\nBad Header Name: x\r\n\r\n",
    ])
    func malformedHTTP(request: String) async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let (bytes, serverClosed) = try await RawTCPClient.exchange(port: server.port, sending: request, timeout: .seconds(3))
            #expect(String(decoding: bytes, as: UTF8.self).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
            #expect(serverClosed, "the server left the connection open after its 400")
            // The server still answers a good request.
            let good = try await RawTCPClient.get("/poll", port: server.port)
            #expect(good.hasPrefix("HTTP/1.1 200 OK\r\n"))
        }
    }
}
