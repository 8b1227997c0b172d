import NIOCore
import NIOPosix

/// A TCP connection with no HTTP code: the test writes bytes and reads until a marker appears,
/// the independent side of a check through a proxy. A timer closes it after `timeout`, so a
/// read that never comes ends the test instead of hanging it.
final class RawConnection {
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    /// Everything read so far.
    private(set) var received: [UInt8] = []

    private init(outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator) {
        self.outbound = outbound
        self.inbound = inbound
    }

    /// What was read, as text.
    var text: String { String(decoding: received, as: UTF8.self) }

    /// Connects to `127.0.0.1:port`, runs `body`, closes.
    static func with<T>(port: Int, timeout: Duration = .seconds(10), _ body: (RawConnection) async throws -> T) async throws -> T {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let raw = channel.channel
        let timer = Task {
            try await Task.sleep(for: timeout)
            raw.close(promise: nil)
        }
        defer { timer.cancel() }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(RawConnection(outbound: outbound, inbound: inbound.makeAsyncIterator()))
        }
    }

    /// `GET target` with `Connection: close` and extra header lines on a connection of its own;
    /// the whole response as text.
    static func get(_ target: String, port: Int, headers: [String] = []) async throws -> String {
        try await with(port: port) { connection in
            try await connection.send(request(target, headers: headers + ["Connection: close"]))
            try await connection.readToEnd()
            return connection.text
        }
    }

    /// A request head: `GET target HTTP/1.1`, `Host`, the given lines.
    static func request(_ target: String, headers: [String]) -> String {
        (["GET \(target) HTTP/1.1", "Host: 127.0.0.1"] + headers).joined(separator: "\r\n") + "\r\n\r\n"
    }

    func send(_ text: String) async throws { try await outbound.write(ByteBuffer(string: text)) }

    /// Reads until the text read so far contains `marker`; false when the connection ended first.
    @discardableResult
    func read(until marker: String) async throws -> Bool {
        while !text.contains(marker) {
            guard let chunk = try await inbound.next() else { return false }
            received += chunk.readableBytesView
        }
        return true
    }

    /// Reads until the peer closes.
    func readToEnd() async throws {
        while let chunk = try await inbound.next() { received += chunk.readableBytesView }
    }
}
