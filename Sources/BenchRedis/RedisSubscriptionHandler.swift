import BenchCore
import NIOCore

/// Subscribes a connection to one channel and hands each message's payload on, in the read that
/// brought it.
///
/// It sends `SUBSCRIBE channel` when the connection becomes active and completes `subscribed`
/// when Redis confirms. Each `message` push (`*3\r\n$7\r\nmessage\r\n$N\r\nCHANNEL\r\n$M\r\nPAYLOAD\r\n`)
/// goes to `onMessage` with the time ``SocketByteMeter`` took at its read. A connection that ends
/// before the confirmation fails `subscribed`; one that ends after it calls `onClose` with why.
final class RedisSubscriptionHandler: ChannelInboundHandler {
    typealias InboundIn = RESPValue
    typealias OutboundOut = ByteBuffer

    private let channelName: String
    private let meter: SocketByteMeter
    private let subscribed: EventLoopPromise<Void>
    private let onMessage: @Sendable (ByteBuffer, UInt64) -> Void
    private let onClose: (String) -> Void
    private var isSubscribed = false
    /// Why the connection is ending, when this side knows better than "closed".
    private var failure: (any Error)?

    init(
        channelName: String, meter: SocketByteMeter, subscribed: EventLoopPromise<Void>,
        onMessage: @escaping @Sendable (ByteBuffer, UInt64) -> Void, onClose: @escaping (String) -> Void
    ) {
        self.channelName = channelName
        self.meter = meter
        self.subscribed = subscribed
        self.onMessage = onMessage
        self.onClose = onClose
    }

    func channelActive(context: ChannelHandlerContext) {
        let command = RESPCommand("SUBSCRIBE", channelName)
        var buffer = context.channel.allocator.buffer(capacity: command.encodedByteCount)
        command.encode(into: &buffer)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let value = unwrapInboundIn(data)
        guard case .array(let parts?) = value, parts.count == 3, let kind = parts[0].string else {
            if case .error(let message) = value {
                close(context, because: RedisError(message: message))
            } else {
                close(context, because: RESPDecodingError("a subscriber received \(value), not a Pub/Sub message"))
            }
            return
        }
        switch (kind, parts[2]) {
        case ("message", .bulkString(let payload?)):
            onMessage(payload, meter.lastReadNanoseconds)
        case ("subscribe", _):
            isSubscribed = true
            subscribed.succeed()
        default:
            break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        close(context, because: error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        let reason = failure.map(Self.reason) ?? "Redis closed the connection"
        if isSubscribed {
            onClose(reason)
        } else {
            subscribed.fail(failure ?? ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        // Never leave the promise pending (a promise completes once; later calls do nothing).
        subscribed.fail(failure ?? ChannelError.eof)
    }

    private func close(_ context: ChannelHandlerContext, because error: any Error) {
        if failure == nil { failure = error }
        context.close(promise: nil)
    }

    private static func reason(_ error: any Error) -> String {
        switch error {
        case let error as RedisError: error.description
        case let error as RESPDecodingError: error.description
        default: RedisEndpoint.reason(error)
        }
    }
}

@available(*, unavailable)
extension RedisSubscriptionHandler: Sendable {}
