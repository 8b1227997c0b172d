import NIOCore
import NIOPosix
import Testing

/// A one-connection TCP server that reads a request head, answers with fixed bytes and holds the
/// connection open for a while: a peer that says exactly what a test needs a client to hear.
enum CannedReplyServer {
    /// Runs `body` with the port of a server that answers its first connection's request head
    /// (up to the blank line) with `reply`; the server stops when `body` returns.
    static func with<Result: Sendable>(reply: ByteBuffer, _ body: @Sendable (Int) async throws -> Result) async throws -> Result {
        let listener = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
            }
        let port = try #require(listener.channel.localAddress?.port)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await listener.executeThenClose { connections in
                    for try await connection in connections {
                        try await connection.executeThenClose { inbound, outbound in
                            var request = ""
                            for try await chunk in inbound {
                                request += String(buffer: chunk)
                                if request.hasSuffix("\r\n\r\n") { break }
                            }
                            try await outbound.write(reply)
                            try await Task.sleep(for: .seconds(5))
                        }
                        return
                    }
                }
            }
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}
