import NIOCore

/// Gathers the writes between two flushes into one, so the TLS handler below seals them into as
/// few records as TLS allows (one per 16 KiB of plaintext) rather than one record per write.
///
/// swift-nio-ssl encrypts every write as a record of its own, and NIO's codecs write a message in
/// pieces: a WebSocket frame's header apart from its payload, an HTTP chunk's size line, data and
/// CRLF apart. Production TLS stacks seal what a flush sends together — nginx through its
/// `ssl_buffer_size` buffer, Node's TLS socket by joining the buffers of a write, Go's servers
/// through a buffered writer over `crypto/tls` — and so does a browser for a WebSocket message.
/// Without this, every WebSocket message would pay two records' overhead (44 bytes in TLS 1.3)
/// and every SSE event three. Both ends put it right above their TLS handler.
public final class TLSWriteCoalescer: ChannelOutboundHandler, RemovableChannelHandler {
    public typealias OutboundIn = IOData
    public typealias OutboundOut = IOData

    private var pending: ByteBuffer?
    private var promise: EventLoopPromise<Void>?

    public init() {}

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard case .byteBuffer(var bytes) = unwrapOutboundIn(data) else {
            // A file region cannot be sealed by a TLS handler; leave it to say so.
            return context.write(data, promise: promise)
        }
        if pending == nil {
            pending = bytes
        } else {
            pending!.writeBuffer(&bytes)
        }
        if let promise {
            if let gathered = self.promise { gathered.futureResult.cascade(to: promise) } else { self.promise = promise }
        }
    }

    public func flush(context: ChannelHandlerContext) {
        writePending(context: context)
        context.flush()
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        // Unflushed writes go down unflushed, as they would without this handler.
        writePending(context: context)
        context.close(mode: mode, promise: promise)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        pending = nil
        promise?.fail(ChannelError.ioOnClosedChannel)
        promise = nil
    }

    private func writePending(context: ChannelHandlerContext) {
        guard let bytes = pending else { return }
        let promise = self.promise
        (pending, self.promise) = (nil, nil)
        context.write(wrapOutboundOut(.byteBuffer(bytes)), promise: promise)
    }
}

@available(*, unavailable)
extension TLSWriteCoalescer: Sendable {}
