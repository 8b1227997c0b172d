import BenchCore
import NIOCore

/// Sends commands and matches each reply to the command that asked for it, in order.
///
/// Redis answers the commands of one connection in the order it received them, so pipelining
/// needs only a queue of the waiting promises. An error reply fails its promise with
/// ``RedisError``; when the connection ends, every waiting promise fails with one sentence
/// naming the URL.
final class RedisCommandHandler: ChannelDuplexHandler {
    typealias InboundIn = RESPValue
    typealias OutboundIn = Request
    typealias OutboundOut = ByteBuffer

    /// A command and the promise its reply completes.
    struct Request: Sendable {
        var command: RESPCommand
        var reply: EventLoopPromise<RESPValue>
    }

    private let endpoint: RedisEndpoint
    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    /// Why the connection ended (or is ending); no command is sent after it is set.
    private var closedReason: String?

    init(endpoint: RedisEndpoint) {
        self.endpoint = endpoint
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        if let closedReason {
            request.reply.fail(closed(closedReason))
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: request.command.encodedByteCount)
        request.command.encode(into: &buffer)
        waiting.append(request.reply)
        context.write(wrapOutboundOut(buffer), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard let reply = waiting.popFirst() else {
            fail(context, reason: "Redis sent a reply no command asked for: \(value)")
            return
        }
        if case .error(let message) = value {
            reply.fail(RedisError(message: message))
        } else {
            reply.succeed(value)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context, reason: error is RESPDecodingError ? "\(error)" : RedisEndpoint.reason(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        if closedReason == nil { closedReason = "the connection closed" }
        let error = closed(closedReason!)
        while let reply = waiting.popFirst() { reply.fail(error) }
        context.fireChannelInactive()
    }

    private func fail(_ context: ChannelHandlerContext, reason: String) {
        if closedReason == nil { closedReason = reason }
        context.close(promise: nil)
    }

    private func closed(_ reason: String) -> BenchError {
        BenchError.runFailed("lost the connection to Redis at \(endpoint.url): \(reason)")
    }
}

@available(*, unavailable)
extension RedisCommandHandler: Sendable {}
