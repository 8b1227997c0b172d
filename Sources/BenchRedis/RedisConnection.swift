import BenchCore
import NIOCore
import NIOPosix

/// One connection to Redis that sends commands and returns their replies, in order.
///
/// Commands may be pipelined: each ``send(_:)`` writes at once and its reply is matched by
/// order. An error reply throws ``RedisError`` with Redis's text. The connection counts the bytes
/// it wrote and read at the socket (``bytesWritten``, ``bytesRead``), which is what the broker
/// hop costs on the wire.
///
/// ```swift
/// let redis = try await RedisConnection.connect(to: RedisEndpoint(url: "redis://127.0.0.1:6379"))
/// let receivers = try await redis.send(.publish(channel: "tb", payload: ByteBuffer(string: "hello")))
/// await redis.close()
/// ```
///
/// It does not reconnect: once the connection is lost every command fails with one sentence
/// naming the URL.
public final class RedisConnection: Sendable {
    /// Where it is connected.
    public let endpoint: RedisEndpoint
    private let channel: any Channel
    private let counts: SocketByteCounter

    private init(endpoint: RedisEndpoint, channel: any Channel, counts: SocketByteCounter) {
        self.endpoint = endpoint
        self.channel = channel
        self.counts = counts
    }

    /// Connects to `endpoint`.
    ///
    /// - Parameters:
    ///   - timeout: how long to wait for the TCP connection.
    ///   - eventLoop: the loop the connection runs on (its replies complete there).
    /// - Throws: ``BenchError/usage(_:)`` in one sentence naming the URL when Redis cannot be
    ///   reached, e.g. `cannot reach Redis at redis://127.0.0.1:1: connection refused`.
    public static func connect(
        to endpoint: RedisEndpoint, timeout: TimeAmount = .seconds(2),
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()
    ) async throws -> RedisConnection {
        let counts = SocketByteCounter()
        let channel = try await endpoint.connect(on: eventLoop, timeout: timeout) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(
                    SocketByteMeter(counts), ByteToMessageHandler(RESPDecoder()), RedisCommandHandler(endpoint: endpoint))
            }
        }
        return RedisConnection(endpoint: endpoint, channel: channel, counts: counts)
    }

    /// The event loop the connection runs on; ``submit(_:)``'s futures complete there.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Bytes written to the socket since the connection opened: every command, as encoded.
    public var bytesWritten: Int { counts.bytesSent }

    /// Bytes read from the socket since the connection opened: every reply.
    public var bytesRead: Int { counts.bytesReceived }

    /// Sends `command` and returns Redis's reply.
    ///
    /// - Throws: ``RedisError`` for an error reply; ``BenchError`` when the connection is lost.
    public func send(_ command: RESPCommand) async throws -> RESPValue {
        try await submit(command).get()
    }

    /// Sends the command `name arguments…` (text sent as UTF-8) and returns Redis's reply.
    public func send(_ name: String, _ arguments: String...) async throws -> RESPValue {
        try await send(RESPCommand(arguments: ([name] + arguments).map { ByteBuffer(string: $0) }))
    }

    /// Sends `command` without waiting: for callers on the event loop (a publisher's hot path).
    /// The future completes on ``eventLoop`` with the reply, or fails as ``send(_:)`` throws.
    public func submit(_ command: RESPCommand) -> EventLoopFuture<RESPValue> {
        let reply = channel.eventLoop.makePromise(of: RESPValue.self)
        let written = channel.eventLoop.makePromise(of: Void.self)
        // A write on a closed channel never reaches the handler: fail the reply here (a promise
        // completes once; the handler may have failed it already).
        written.futureResult.whenFailure { [endpoint] error in
            reply.fail(BenchError.runFailed("lost the connection to Redis at \(endpoint.url): \(RedisEndpoint.reason(error))"))
        }
        channel.writeAndFlush(RedisCommandHandler.Request(command: command, reply: reply), promise: written)
        return reply.futureResult
    }

    /// Closes the connection; commands still waiting for a reply fail.
    public func close() async {
        try? await channel.close()
    }
}
