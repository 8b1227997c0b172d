import BenchCore
import NIOCore
import NIOWebSocket

/// permessage-deflate (RFC 7692) on a WebSocket connection that negotiated it, at the server and
/// at the client alike: between NIO's frame codec (and, at the server, the
/// `WebSocketFrameValidator`) and the `NIOWebSocketFrameAggregator`, which would drop RSV1 from
/// fragments.
///
/// - Inbound: a message whose first frame has RSV1 set is inflated frame by frame (its
///   continuation frames too) and passed on with RSV1 clear; other messages pass unchanged. Data
///   that does not inflate closes the connection with 1007, a message that would inflate past
///   `maxMessageBytes` with 1009 (inflation stops at the limit), and RSV1 on a control frame or a
///   continuation frame with 1002 (RFC 7692 §6.1).
/// - Outbound: whole text and binary messages (single frames with FIN set; our senders never
///   fragment) of at least `threshold` bytes are compressed and sent with RSV1 set; shorter ones
///   go as they are, counted with `countPlainMessage()`. Control frames and fragments are untouched.
///
/// Every compression and inflation is counted in `counter`: the server's `ConnectionMeter` or a
/// client's own counter. The `WireMeter` below still counts the bytes the socket carries.
public final class PerMessageDeflateHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = WebSocketFrame
    public typealias OutboundIn = WebSocketFrame
    public typealias OutboundOut = WebSocketFrame

    /// Where an inbound message stands.
    private enum Inbound {
        case betweenMessages
        /// A compressed message's frames so far inflated to this many bytes.
        case compressed(inflated: Int)
        /// A message sent as it is, still in fragments.
        case plain
    }

    private let compressor: PerMessageDeflateCompressor
    private let decompressor: PerMessageDeflateDecompressor
    private let threshold: Int
    private let counter: CompressionCounter
    private let isServer: Bool
    private var inbound = Inbound.betweenMessages
    private var closing = false

    /// - Parameters:
    ///   - agreement: what the handshake agreed on.
    ///   - isServer: which end this is: it picks the directions, and a client masks its close frames.
    ///   - maxMessageBytes: the most an inbound message may inflate to.
    ///   - threshold: outbound messages shorter than this many bytes go uncompressed.
    public init(agreement: PerMessageDeflate.Agreement, isServer: Bool, maxMessageBytes: Int, threshold: Int, counter: CompressionCounter) {
        compressor = PerMessageDeflateCompressor(agreement.sending(asServer: isServer))
        decompressor = PerMessageDeflateDecompressor(agreement.receiving(asServer: isServer), maxMessageBytes: maxMessageBytes)
        self.threshold = threshold
        self.counter = counter
        self.isServer = isServer
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            // RFC 6455 §5.4: a new message while one is in fragments.
            guard case .betweenMessages = inbound else { return fail(.protocolError, context: context) }
            if frame.rsv1 {
                inflate(frame, inflatedBefore: 0, context: context)
            } else {
                inbound = frame.fin ? .betweenMessages : .plain
                context.fireChannelRead(data)
            }
        case .continuation:
            if frame.rsv1 { return fail(.protocolError, context: context) }
            if case .compressed(let inflated) = inbound {
                inflate(frame, inflatedBefore: inflated, context: context)
            } else {
                if frame.fin { inbound = .betweenMessages }
                context.fireChannelRead(data)
            }
        default:
            if frame.rsv1 { return fail(.protocolError, context: context) }
            context.fireChannelRead(data)
        }
    }

    /// Inflates one frame of a compressed message and passes it on with RSV1 clear.
    private func inflate(_ frame: WebSocketFrame, inflatedBefore: Int, context: ChannelHandlerContext) {
        let payload = frame.unmaskedData
        let allocator = context.channel.allocator
        do {
            let plain = try counter.decompress(
                compressedBytes: payload.readableBytes,
                { try decompressor.decompress(payload, isFinal: frame.fin, inflatedBefore: inflatedBefore, allocator: allocator) },
                plainBytes: { $0.readableBytes }
            )
            inbound = frame.fin ? .betweenMessages : .compressed(inflated: inflatedBefore + plain.readableBytes)
            context.fireChannelRead(wrapInboundOut(WebSocketFrame(fin: frame.fin, opcode: frame.opcode, data: plain)))
        } catch PerMessageDeflateError.corruptData {
            fail(.dataInconsistentWithMessage, context: context)
        } catch PerMessageDeflateError.messageTooBig {
            fail(.messageTooLarge, context: context)
        } catch {
            fail(.unexpectedServerError, context: context)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let frame = unwrapOutboundIn(data)
        // Outbound frames hold their payload unmasked; NIO's encoder masks a client's.
        guard frame.opcode == .text || frame.opcode == .binary, frame.fin, !frame.rsv1, frame.extensionData == nil else {
            context.write(data, promise: promise)
            return
        }
        let payload = frame.data
        guard payload.readableBytes >= threshold else {
            counter.countPlainMessage()
            context.write(data, promise: promise)
            return
        }
        do {
            let compressed = try counter.compress(
                plainBytes: payload.readableBytes,
                { try compressor.compress(payload, allocator: context.channel.allocator) },
                compressedBytes: { $0.readableBytes }
            )
            let out = WebSocketFrame(fin: true, rsv1: true, opcode: frame.opcode, maskKey: frame.maskKey, data: compressed)
            context.write(wrapOutboundOut(out), promise: promise)
        } catch {
            promise?.fail(error)
            fail(.unexpectedServerError, context: context)
        }
    }

    /// Sends a close frame with `code` (masked at a client, RFC 6455 §5.3), then closes TCP.
    private func fail(_ code: WebSocketErrorCode, context: ChannelHandlerContext) {
        guard !closing else { return }
        closing = true
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: code)
        let close = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: isServer ? nil : .random(), data: payload)
        let loopBoundContext = context.loopBound
        context.writeAndFlush(wrapOutboundOut(close)).whenComplete { _ in
            loopBoundContext.value.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension PerMessageDeflateHandler: Sendable {}
