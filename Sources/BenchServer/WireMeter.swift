import NIOCore

/// Counts the TCP payload bytes of one connection, in and out, at the socket.
///
/// It is the first handler of every accepted connection's pipeline, ahead of the HTTP codec, so
/// it sees exactly the bytes read from and written to the socket: request and response heads,
/// chunk framing, WebSocket handshakes and frames alike. It stays in the pipeline through a
/// WebSocket upgrade. Outbound bytes are counted when written to the socket layer; a write that
/// fails because the connection is already gone is still counted (the run will show the error).
public final class WireMeter: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    private let meter: ConnectionMeter
    private let recorder: TrafficRecorder

    public init(meter: ConnectionMeter, recorder: TrafficRecorder) {
        self.meter = meter
        self.recorder = recorder
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        meter.countIn(unwrapInboundIn(data).readableBytes)
        context.fireChannelRead(data)
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        meter.countOut(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        recorder.close(meter)
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        // Removal before the channel closes would stop the count; fold the counts in now so
        // nothing is lost (close is idempotent).
        recorder.close(meter)
    }
}

@available(*, unavailable)
extension WireMeter: Sendable {}
