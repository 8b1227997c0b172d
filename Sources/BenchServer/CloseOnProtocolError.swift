import NIOCore
import NIOHTTP2

/// Closes an HTTP/2 connection after a protocol error: NIO's HTTP/2 handler has already sent
/// GOAWAY with the error code (RFC 9113 §5.4.1), but nothing else in the pipeline closes the
/// channel, so without this the connection would stay open until the client gives up.
final class CloseOnProtocolError: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is any NIOHTTP2Error {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension CloseOnProtocolError: Sendable {}
