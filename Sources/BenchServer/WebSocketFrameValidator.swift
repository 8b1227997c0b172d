import NIOCore
import NIOWebSocket

/// The RFC 6455 rules a server checks on each frame from a client, as a pure function.
public enum WebSocketFrameRules {
    /// The close code a client frame earns, or `nil` when it is allowed.
    ///
    /// - §5.1: a client must mask every frame → 1002.
    /// - §5.2: RSV1–3 must be 0 unless an extension says otherwise → 1002. With permessage-deflate
    ///   negotiated (`compressed`), RSV1 marks a compressed message and belongs on the first frame
    ///   of a text or binary message only (RFC 7692 §6.1); RSV2 and RSV3 stay 0.
    /// - §5.2: opcodes 0x3–0x7 and 0xB–0xF are reserved → 1002.
    /// - §5.5: control frames carry at most 125 bytes and are not fragmented → 1002 (NIO's
    ///   decoder already rejects both; checked again here for completeness).
    public static func violation(clientFrame frame: WebSocketFrame, compressed: Bool = false) -> WebSocketErrorCode? {
        if frame.maskKey == nil { return .protocolError }
        if frame.rsv2 || frame.rsv3 { return .protocolError }
        if frame.rsv1 && !(compressed && (frame.opcode == .text || frame.opcode == .binary)) { return .protocolError }
        switch frame.opcode {
        case .continuation, .text, .binary:
            return nil
        case .connectionClose, .ping, .pong:
            return frame.fin && frame.length <= 125 ? nil : .protocolError
        default:
            return .protocolError
        }
    }

    /// §8.1: a text message must be valid UTF-8 → 1007.
    public static func violation(textMessage data: ByteBuffer) -> WebSocketErrorCode? {
        String(validating: data.readableBytesView, as: UTF8.self) == nil ? .dataInconsistentWithMessage : nil
    }
}

/// Closes a connection whose client breaks ``WebSocketFrameRules``: sends a close frame with the
/// rule's code, then closes TCP. It sits right after NIO's frame decoder, before fragments are
/// aggregated (aggregation drops the masking key the rules check) and before a
/// ``PerMessageDeflateHandler`` (which inflates into unmasked frames).
final class WebSocketFrameValidator: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    /// Whether the connection negotiated permessage-deflate, which gives RSV1 a meaning.
    private let compressed: Bool
    private var closing = false

    init(compressed: Bool = false) {
        self.compressed = compressed
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let frame = unwrapInboundIn(data)
        guard let code = WebSocketFrameRules.violation(clientFrame: frame, compressed: compressed) else {
            context.fireChannelRead(data)
            return
        }
        closing = true
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.write(webSocketErrorCode: code)
        let loopBoundContext = context.loopBound
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, data: payload))).whenComplete { _ in
            loopBoundContext.value.close(promise: nil)
        }
    }
}

@available(*, unavailable)
extension WebSocketFrameValidator: Sendable {}
