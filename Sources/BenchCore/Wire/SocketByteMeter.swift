import NIOCore
import Synchronization

/// The TCP payload bytes one connection, or several, read from and wrote to their sockets,
/// readable from any thread: ``SocketByteMeter`` adds to it on each connection's event loop
/// with relaxed atomics (no lock per read or write).
///
/// A client's connections share one (`ClientWireCounter`: the client–server side of a run, or
/// the client–balancer side behind a balancer); a Redis connection or subscriber has its own,
/// kept across its reconnections (the broker's bytes).
public final class SocketByteCounter: Sendable {
    private let received = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)

    public init() {}

    /// Bytes read from the sockets so far.
    public var bytesReceived: Int { received.load(ordering: .relaxed) }
    /// Bytes written to the sockets so far.
    public var bytesSent: Int { sent.load(ordering: .relaxed) }

    func countReceived(_ bytes: Int) { received.add(bytes, ordering: .relaxed) }
    func countSent(_ bytes: Int) { sent.add(bytes, ordering: .relaxed) }
}

/// Counts a connection's bytes at the socket into its ``SocketByteCounter``: first in the
/// pipeline, in front of TLS and every decoder, so it sees exactly the TCP payload. Outbound bytes
/// are counted when written to the socket layer, as the server's `WireMeter` counts them; it
/// changes nothing it passes on.
///
/// With `stampsReads` it also notes the ``MonotonicClock`` time of each read before any decoding,
/// so the handlers behind it, which run inside the same read, see when the bytes they decode
/// arrived (``lastReadNanoseconds``), as the clients' `ArrivalStamp` does.
public final class SocketByteMeter: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    private let counter: SocketByteCounter
    private let stampsReads: Bool
    /// ``MonotonicClock`` nanoseconds at the latest read, with `stampsReads`; used on the event loop only.
    public private(set) var lastReadNanoseconds: UInt64 = 0

    public init(_ counter: SocketByteCounter, stampsReads: Bool = false) {
        self.counter = counter
        self.stampsReads = stampsReads
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if stampsReads { lastReadNanoseconds = MonotonicClock.nowNanoseconds() }
        counter.countReceived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counter.countSent(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension SocketByteMeter: Sendable {}
