import NIOCore
import NIOPosix

/// A WebSocket client made of bytes, for wire tests: writes an upgrade request and frames built
/// by hand, reads the 101 head and the server's frames as bytes. Every read gives up when the
/// session's time is up (the channel is closed and reads return `nil`), so a test that waits for
/// a frame that never comes fails instead of hanging.
final class RawWebSocket {
    /// A server frame as it arrived: its first octet (FIN, RSV1-3, opcode), its payload, all its bytes.
    struct Frame: Equatable, CustomStringConvertible {
        var first: UInt8
        var payload: [UInt8]
        var bytes: [UInt8]

        var description: String { bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ") }
    }

    /// RFC 6455 §1.3's example key, so a test can see the accept value without computing SHA-1.
    static let key = "dGhlIHNhbXBsZSBub25jZQ=="

    /// The upgrade request for `path`, with `Sec-WebSocket-Extensions: extensions` and
    /// `Sec-WebSocket-Protocol: subprotocols` when given.
    static func upgradeRequest(path: String, extensions: String?, subprotocols: String? = nil) -> [UInt8] {
        let offer = (extensions.map { "Sec-WebSocket-Extensions: \($0)\r\n" } ?? "") + (subprotocols.map { "Sec-WebSocket-Protocol: \($0)\r\n" } ?? "")
        return Array(
            ("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\(offer)\r\n").utf8)
    }

    /// A masked client frame (RFC 6455 §5.2): `first` is FIN, RSV1-3 and the opcode.
    static func clientFrame(_ first: UInt8, _ payload: [UInt8], mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]) -> [UInt8] {
        var bytes: [UInt8] = [first]
        if payload.count < 126 {
            bytes.append(0x80 | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            bytes += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            bytes.append(0x80 | 127)
            bytes += (0..<8).reversed().map { UInt8((UInt64(payload.count) >> (8 * UInt64($0))) & 0xFF) }
        }
        return bytes + mask + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// Opens a session to `port`, upgrades `path` offering `extensions` (and `subprotocols`),
    /// and runs `body`; the session ends after `timeout` whatever `body` is waiting for.
    static func session<T: Sendable>(
        port: Int, path: String = "/ws?mode=echo&encoding=protobuf&client=0", extensions: String?, subprotocols: String? = nil, timeout: Duration = .seconds(10),
        _ body: (RawWebSocket) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let rawChannel = channel.channel
        let timer = Task {
            try await Task.sleep(for: timeout)
            rawChannel.close(promise: nil)
        }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            let socket = RawWebSocket(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            try await socket.send(upgradeRequest(path: path, extensions: extensions, subprotocols: subprotocols))
            socket.head = try await socket.readHead()
            return try await body(socket)
        }
    }

    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var buffered: [UInt8] = []
    /// The 101 response head, through its blank line.
    private(set) var head = ""

    private init(inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    func send(_ bytes: [UInt8]) async throws {
        try await outbound.write(ByteBuffer(bytes: bytes))
    }

    /// Reads until at least `count` bytes are buffered; false when the connection ended first.
    private func fill(_ count: Int) async -> Bool {
        while buffered.count < count {
            guard let chunk = try? await inbound.next() else { return false }
            buffered += chunk.readableBytesView
        }
        return true
    }

    private func readHead() async throws -> String {
        let end = Array("\r\n\r\n".utf8)
        while buffered.firstRange(of: end) == nil {
            guard await fill(buffered.count + 1) else { break }
        }
        guard let range = buffered.firstRange(of: end) else { return String(decoding: buffered, as: UTF8.self) }
        let head = String(decoding: buffered[..<range.upperBound], as: UTF8.self)
        buffered.removeSubrange(..<range.upperBound)
        return head
    }

    /// The server's next frame, or `nil` when the connection ended (or the time ran out) first.
    func frame() async -> Frame? {
        guard await fill(2) else { return nil }
        var length = Int(buffered[1] & 0x7F)
        var header = 2
        if length == 126 {
            guard await fill(4) else { return nil }
            length = Int(buffered[2]) << 8 | Int(buffered[3])
            header = 4
        } else if length == 127 {
            guard await fill(10) else { return nil }
            length = buffered[2..<10].reduce(0) { $0 << 8 | Int($1) }
            header = 10
        }
        guard await fill(header + length) else { return nil }
        let bytes = Array(buffered[..<(header + length)])
        buffered.removeSubrange(..<(header + length))
        return Frame(first: bytes[0], payload: Array(bytes[header...]), bytes: bytes)
    }

    /// The close code of the server's next frame when it is a close frame.
    func closeCode() async -> UInt16? {
        guard let frame = await frame(), frame.first == 0x88, frame.payload.count >= 2 else { return nil }
        return UInt16(frame.payload[0]) << 8 | UInt16(frame.payload[1])
    }
}
