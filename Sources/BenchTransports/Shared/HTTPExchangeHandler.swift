import NIOCore
import NIOHTTP1

/// Reads one HTTP response on the connection's event loop, part by part as it arrives.
///
/// The client's measurement happens here, in the read that brought the bytes: a receiver
/// decodes, checks the ledger and records latency without handing the response to a Swift task
/// first. A receiver is used on the event loop only while its exchange runs; the task that
/// started the exchange reads what it kept after the exchange has ended.
///
/// `arrivedAt` is when the read that brought the part came off the socket (``ArrivalClock``).
protocol ResponseReceiver: AnyObject, Sendable {
    func receiveHead(_ head: HTTPResponseHead) throws
    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws
    func receiveEnd(arrivedAt: UInt64) throws
}

/// Runs HTTP exchanges on a client channel (an HTTP/1.1 connection, or one HTTP/2 stream): writes
/// a request and hands its response to a ``ResponseReceiver`` in `channelRead`.
///
/// One exchange at a time. It ends when the response does, when the receiver throws (the channel
/// is then closed), or when the channel closes or fails first.
final class HTTPExchangeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundOut = HTTPClientRequestPart

    private let arrival: ArrivalClock
    private var context: ChannelHandlerContext?
    private var current: (receiver: any ResponseReceiver, done: EventLoopPromise<Void>)?
    /// Set once the channel closed or failed: later exchanges fail at once.
    private var closed = false

    /// A handler for a connection whose reads `arrival` notes.
    init(arrival: ArrivalClock) {
        self.arrival = arrival
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        fail(HTTPClientError.connectionClosed)
        self.context = nil
    }

    /// Writes `parts` and hands the response to `receiver`; `done` completes when it has ended.
    func start(_ parts: [HTTPClientRequestPart], receiver: any ResponseReceiver, done: EventLoopPromise<Void>) {
        guard let context, !closed, current == nil else {
            done.fail(closed || context == nil ? HTTPClientError.connectionClosed : HTTPClientError.unexpectedHead)
            return
        }
        current = (receiver, done)
        for part in parts { context.write(wrapOutboundOut(part), promise: nil) }
        context.flush()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let (receiver, done) = current else {
            // A response nobody asked for.
            fail(HTTPClientError.unexpectedHead, closing: context)
            return
        }
        do {
            switch unwrapInboundIn(data) {
            case .head(let head): try receiver.receiveHead(head)
            case .body(let part): try receiver.receiveBody(part, arrivedAt: arrival.lastRead)
            case .end:
                try receiver.receiveEnd(arrivedAt: arrival.lastRead)
                current = nil
                done.succeed()
            }
        } catch {
            fail(error, closing: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        fail(HTTPClientError.connectionClosed)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(error, closing: context)
    }

    private func fail(_ error: any Error, closing context: ChannelHandlerContext? = nil) {
        if let (_, done) = current {
            current = nil
            done.fail(error)
        }
        if let context {
            closed = true
            context.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension HTTPExchangeHandler: Sendable {}

/// Keeps a whole response: its head and body.
final class CollectingReceiver: ResponseReceiver, @unchecked Sendable {
    private(set) var head: HTTPResponseHead?
    private(set) var body = ByteBuffer()

    func receiveHead(_ head: HTTPResponseHead) throws { self.head = head }
    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws {
        var part = part
        body.writeBuffer(&part)
    }
    func receiveEnd(arrivedAt: UInt64) throws {}
}
