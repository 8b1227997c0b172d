import NIOCore

/// Waits for a connection's first bytes and tells HTTP/2 with prior knowledge (they begin with
/// the 24-byte preface `PRI * HTTP/2.0…`) from HTTP/1.1; then has the pipeline configured
/// behind itself, passes the bytes on and leaves.
final class ProtocolDetector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let negotiation: EventLoopPromise<NegotiatedConnection>
    private let configure: (any Channel, _ isHTTP2: Bool) throws -> EventLoopFuture<NegotiatedConnection>
    private var buffered = ByteBuffer()
    private var decided = false

    init(negotiation: EventLoopPromise<NegotiatedConnection>, configure: @escaping (any Channel, Bool) throws -> EventLoopFuture<NegotiatedConnection>) {
        self.negotiation = negotiation
        self.configure = configure
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard !decided else {
            context.fireChannelRead(data)
            return
        }
        buffered.writeBuffer(&bytes)
        let preface = HTTP2FrameReader.preface
        let count = Swift.min(buffered.readableBytes, preface.count)
        let matches = buffered.readableBytesView.prefix(count).elementsEqual(preface.prefix(count))
        if matches && count < preface.count { return }  // could still be HTTP/2: wait for more
        decided = true
        do {
            try configure(context.channel, matches).cascade(to: negotiation)
        } catch {
            negotiation.fail(error)
            context.close(promise: nil)
            return
        }
        let first = buffered
        buffered = ByteBuffer()
        context.fireChannelRead(wrapInboundOut(first))
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !decided {
            decided = true
            negotiation.fail(ChannelError.eof)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !decided { negotiation.fail(ChannelError.eof) }
    }
}

@available(*, unavailable)
extension ProtocolDetector: Sendable {}
