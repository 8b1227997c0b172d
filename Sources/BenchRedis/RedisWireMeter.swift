import BenchCore
import NIOCore

/// The first handler of a Redis connection's pipeline: counts the bytes read from and written
/// to the socket, and notes the time of each read.
///
/// Like the clients' `ArrivalStamp`, it takes the time before any decoding, so the handlers
/// behind it, which run inside the same read, see when the bytes they decode arrived
/// (``lastReadNanoseconds``). Outbound bytes are counted when they are written to the socket
/// layer.
final class RedisWireMeter: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let counts: RedisByteCounts
    /// ``MonotonicClock`` nanoseconds at the latest read; used on the event loop only.
    private(set) var lastReadNanoseconds: UInt64 = 0

    init(counts: RedisByteCounts) {
        self.counts = counts
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastReadNanoseconds = MonotonicClock.nowNanoseconds()
        counts.countRead(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counts.countWritten(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension RedisWireMeter: Sendable {}
