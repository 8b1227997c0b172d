import NIOCore

/// Counts the TCP payload bytes of one connection, in and out, at the socket.
///
/// It is the first handler of every accepted connection's pipeline, ahead of the HTTP codec, so
/// it sees exactly the bytes read from and written to the socket: request and response heads,
/// chunk framing, WebSocket handshakes and frames alike. It stays in the pipeline through a
/// WebSocket upgrade. Outbound bytes are counted when written to the socket layer; a write that
/// fails because the connection is already gone is still counted (the run will show the error).
///
/// Below the payload, it reads the connection's TCP_INFO (``TCPInfoReader``) when the socket is
/// about to close, while its descriptor is still open, and changes nothing in how it closes:
/// - when the server closes: every close passes here on its way to the socket;
/// - when the peer's FIN arrives: NIO's read returns end-of-file, and NIO fires
///   `channelReadComplete` before it closes the socket, without a `channelRead` since the last
///   one (a batch with data always has one). If the FIN ends a batch that read data, the batch's
///   last read filled its buffer (NIO reads on only then), so a batch whose last read filled its
///   buffer is read too: at most once per `maxMessagesPerRead` full buffers, never per read;
/// - when a read fails (a reset): the error passes here before NIO closes the socket.
/// A close after a failed write skips the pipeline; that connection goes without a reading
/// (``TCPTally/connections`` counts the ones read).
///
/// SwiftNIO's `allowRemoteHalfClosure` would report the FIN as an event instead, but
/// swift-nio-ssl reads that option too and then answers a peer's close_notify differently.
public final class WireMeter: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    private let meter: ConnectionMeter
    private let recorder: TrafficRecorder
    /// Since the last `channelReadComplete`: whether data was read, and whether the last read
    /// filled its buffer.
    private var readSinceComplete = false
    private var lastReadFilledBuffer = false

    public init(meter: ConnectionMeter, recorder: TrafficRecorder) {
        self.meter = meter
        self.recorder = recorder
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        meter.countIn(buffer.readableBytes)
        readSinceComplete = true
        lastReadFilledBuffer = buffer.writableBytes == 0
        context.fireChannelRead(data)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // A batch without data is the end-of-file's; one whose last read filled its buffer may be.
        if !readSinceComplete || lastReadFilledBuffer { readTCPInfo(context) }
        readSinceComplete = false
        lastReadFilledBuffer = false
        context.fireChannelReadComplete()
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        meter.countOut(unwrapOutboundIn(data).readableBytes)
        context.write(data, promise: promise)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        readTCPInfo(context)
        context.close(mode: mode, promise: promise)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        readTCPInfo(context)
        context.fireErrorCaught(error)
    }

    private func readTCPInfo(_ context: ChannelHandlerContext) {
        if let snapshot = TCPInfoReader.read(context.channel) { meter.record(snapshot) }
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
