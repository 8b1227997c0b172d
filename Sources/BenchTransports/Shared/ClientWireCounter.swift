import BenchCore
import NIOCore
import Synchronization

/// The TCP payload bytes one client's connections read from and wrote to their sockets.
///
/// The client side's counterpart of the server's `WireMeter`: a ``ClientWireMeter`` first in
/// each of the client's pipelines (in front of TLS and every decoder) adds to it, on whichever
/// event loop the connection runs, with relaxed atomics (no lock per read or write). With a
/// load balancer in front of the server, these are the bytes of the client–balancer side,
/// which only the clients can count. The runner makes one per client (``ClientTarget/wire``)
/// and folds it into the client's ``DeliveryRecorder`` when the client's run ends.
///
/// ```swift
/// let target = ClientTarget(host: host, port: port, clientIndex: 0, scenario: scenario, wire: ClientWireCounter())
/// await client.run(target, recorder: &recorder)
/// target.wire?.collect(into: &recorder)
/// ```
public final class ClientWireCounter: Sendable {
    private let received = Atomic<Int>(0)
    private let sent = Atomic<Int>(0)

    public init() {}

    /// Bytes read from the client's sockets so far.
    public var bytesReceived: Int { received.load(ordering: .relaxed) }
    /// Bytes written to the client's sockets so far.
    public var bytesSent: Int { sent.load(ordering: .relaxed) }

    func countReceived(_ bytes: Int) { received.add(bytes, ordering: .relaxed) }
    func countSent(_ bytes: Int) { sent.add(bytes, ordering: .relaxed) }

    /// Adds what the client's connections counted to `recorder`'s ``DeliveryRecorder/wireBytesReceived``
    /// and ``DeliveryRecorder/wireBytesSent``.
    public func collect(into recorder: inout DeliveryRecorder) {
        recorder.wireBytesReceived += bytesReceived
        recorder.wireBytesSent += bytesSent
    }
}

/// Counts a client connection's bytes at the socket into its client's ``ClientWireCounter``.
///
/// First in the pipeline (``ClientTarget/addWireMeter(to:)``), so it sees exactly the TCP
/// payload: TLS records, request heads, the WebSocket upgrade and frames, HTTP/2 frames alike.
/// Outbound bytes are counted when written to the socket layer, as the server's `WireMeter`
/// counts them; it changes nothing it passes on.
final class ClientWireMeter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let counter: ClientWireCounter

    init(_ counter: ClientWireCounter) {
        self.counter = counter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counter.countReceived(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        counter.countSent(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension ClientWireMeter: Sendable {}
