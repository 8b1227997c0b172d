import BenchCore
import NIOCore

/// Emulates a network link (``LinkConditions``) on one connection, in-process: bytes read from
/// the client reach the server's codecs one-way-delay later, and bytes the server writes leave
/// for the socket one-way-delay later, each after its serialization time at the direction's
/// bandwidth; jitter moves each chunk within ± its amount (seeded, so a run repeats).
///
/// It sits at the server's socket end, right behind the ``WireMeter`` (which keeps counting
/// bytes as the socket sees them), so every transport — gRPC too, whose client transport takes
/// no channel handlers — crosses the same link; on loopback, delaying at one end of a
/// connection is the same link as delaying at the other.
///
/// What it models and what it does not:
/// - TCP's handshake: the client's first bytes arrive as if sent after a SYN/SYN-ACK round trip
///   (connection setup costs one round trip, as on a real link).
/// - Order: a chunk never overtakes the one before it (TCP delivers bytes in order; netem's
///   reordering with jitter is TCP's retransmission problem, not the application's).
/// - Close: a close the server asks for waits for the writes before it. When the client closes,
///   NIO tears the pipeline down at once, so the chunks still on their way are delivered at
///   that moment, undelayed: nothing is lost, but a client's last bytes before its FIN skip
///   the link.
/// - Not modeled: loss, TCP's congestion window and slow start, and the backpressure a slow
///   link puts on the sender (queued bytes do not make the channel unwritable).
final class LinkEmulator: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// What the server sends, in order.
    private enum Outbound {
        case write(IOData, EventLoopPromise<Void>?)
        case flush
        case close(CloseMode, EventLoopPromise<Void>?)
    }

    private let link: LinkConditions
    private var jitter: SeededGenerator
    /// Chunks on their way, each due at its deadline; FIFO per direction, deadlines never decrease.
    private var inbound = CircularBuffer<(due: NIODeadline, item: ByteBuffer)>()
    private var outbound = CircularBuffer<(due: NIODeadline, item: Outbound)>()
    private var unflushed: [(IOData, EventLoopPromise<Void>?)] = []
    /// When each direction's link is free to start sending the next chunk.
    private var upFree = NIODeadline.distantPast
    private var downFree = NIODeadline.distantPast
    private var timer: Scheduled<Void>?
    private var timerDue = NIODeadline.distantFuture

    init(link: LinkConditions, seed: UInt64) {
        self.link = link
        self.jitter = SeededGenerator(seed: seed)
    }

    private func nanoseconds(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64((seconds * 1e9).rounded())) }

    /// The one-way delay for the next chunk: the delay ± a uniform share of the jitter.
    private func nextDelay() -> TimeAmount {
        guard link.jitterSeconds > 0 else { return nanoseconds(link.delaySeconds) }
        let offset = (jitter.nextUnitInterval() * 2 - 1) * link.jitterSeconds
        return nanoseconds(Swift.max(0, link.delaySeconds + offset))
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The client sends its first byte after the SYN/SYN-ACK round trip.
        upFree = context.eventLoop.now + nanoseconds(2 * link.delaySeconds)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    // MARK: client → server

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let chunk = unwrapInboundIn(data)
        let start = Swift.max(context.eventLoop.now, upFree)
        upFree = start + nanoseconds(LinkConditions.serialization(bytes: chunk.readableBytes, bitsPerSecond: link.upBitsPerSecond))
        enqueue(chunk, due: upFree + nextDelay(), in: &inbound, context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Fired after each delivered chunk instead.
    }

    func channelInactive(context: ChannelHandlerContext) {
        // NIO removes every handler right after a close, so nothing can wait here any longer:
        // what is still on the way is delivered now (nothing is lost; the last chunks skip
        // their delay), then the close.
        timer?.cancel()
        deliver(until: .distantFuture, context: context)
        context.fireChannelInactive()
    }

    // MARK: server → client

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        unflushed.append((unwrapOutboundIn(data), promise))
    }

    func flush(context: ChannelHandlerContext) {
        guard !unflushed.isEmpty else { return }
        let bytes = unflushed.reduce(0) { $0 + $1.0.readableBytes }
        let start = Swift.max(context.eventLoop.now, downFree)
        downFree = start + nanoseconds(LinkConditions.serialization(bytes: bytes, bitsPerSecond: link.downBitsPerSecond))
        let due = downFree + nextDelay()
        for (buffer, promise) in unflushed { enqueue(.write(buffer, promise), due: due, in: &outbound, context: context) }
        unflushed.removeAll(keepingCapacity: true)
        enqueue(.flush, due: due, in: &outbound, context: context)
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard !outbound.isEmpty || !unflushed.isEmpty else {
            context.close(mode: mode, promise: promise)
            return
        }
        flush(context: context)
        enqueue(.close(mode, promise), due: outbound.last!.due, in: &outbound, context: context)
    }

    // MARK: the queues

    private func enqueue<Item>(_ item: Item, due: NIODeadline, in queue: inout CircularBuffer<(due: NIODeadline, item: Item)>, context: ChannelHandlerContext) {
        // In order: never before the chunk ahead of it.
        let due = Swift.max(due, queue.last?.due ?? .distantPast)
        queue.append((due, item))
        if due < timerDue { schedule(at: due, context: context) }
    }

    private func schedule(at due: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timerDue = due
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: due) {
            let (handler, context) = bound.value
            handler.deliverDue(context: context)
        }
    }

    private func deliverDue(context: ChannelHandlerContext) {
        timer = nil
        timerDue = .distantFuture
        deliver(until: context.eventLoop.now, context: context)
        let next = Swift.min(inbound.first?.due ?? .distantFuture, outbound.first?.due ?? .distantFuture)
        if next != .distantFuture { schedule(at: next, context: context) }
    }

    /// Passes on, in order, every chunk due by `now`.
    private func deliver(until now: NIODeadline, context: ChannelHandlerContext) {
        var delivered = false
        while let head = inbound.first, head.due <= now {
            inbound.removeFirst()
            context.fireChannelRead(wrapInboundOut(head.item))
            delivered = true
        }
        if delivered { context.fireChannelReadComplete() }
        while let head = outbound.first, head.due <= now {
            outbound.removeFirst()
            switch head.item {
            case .write(let buffer, let promise): context.write(wrapOutboundOut(buffer), promise: promise)
            case .flush: context.flush()
            case .close(let mode, let promise): context.close(mode: mode, promise: promise)
            }
        }
    }
}

@available(*, unavailable)
extension LinkEmulator: Sendable {}
