import BenchCore
import NIOCore

/// When the bytes a client handler is looking at were read from the socket.
///
/// ``ArrivalStamp`` sits at the front of a client's pipeline (behind only the byte meter,
/// ``ClientWireMeter``, in front of TLS and every decoder) and notes the time of each read;
/// the handlers behind it run inside that same read, so what they decode arrived at
/// ``lastRead``. Latency ends there — at the read that brought an event's last
/// byte, as the in-run floor probe's receiver stamps its messages right after `read` — so the
/// time a client spends decoding the event's payload (Foundation's JSON decoder on a cold cache
/// costs more than the wire does on loopback) is not counted as the transport's.
///
/// One per connection, used on its event loop only.
final class ArrivalClock: @unchecked Sendable {
    /// ``MonotonicClock`` nanoseconds at the latest read.
    fileprivate(set) var lastRead: UInt64 = 0
}

/// Notes the time of each read in the connection's ``ArrivalClock``, then passes the bytes on.
final class ArrivalStamp: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let clock: ArrivalClock

    init(_ clock: ArrivalClock) {
        self.clock = clock
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        clock.lastRead = MonotonicClock.nowNanoseconds()
        context.fireChannelRead(data)
    }
}

@available(*, unavailable)
extension ArrivalStamp: Sendable {}
