import NIOCore
import NIOHTTP1

/// Closes a connection that has been silent both ways for the idle timeout (it reacts to the
/// `IdleStateHandler` in front of it), or whose socket stayed unwritable for the slow-client
/// timeout: a client that stopped reading holds NIO's write buffer above its high watermark.
final class ConnectionGuard: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let slowClientTimeout: TimeAmount?
    private var slowClientTimer: Scheduled<Void>?

    init(slowClientTimeout: TimeAmount?) {
        self.slowClientTimeout = slowClientTimeout
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            slowClientTimer?.cancel()
            slowClientTimer = nil
        } else if let timeout = slowClientTimeout, slowClientTimer == nil {
            let channel = context.channel
            slowClientTimer = context.eventLoop.scheduleTask(in: timeout) {
                if !channel.isWritable { channel.close(promise: nil) }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        slowClientTimer?.cancel()
        slowClientTimer = nil
        context.fireChannelInactive()
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}

/// Answers a malformed HTTP/1.1 request and closes the connection: `431 Request Header Fields
/// Too Large` (RFC 6585 §5) when the head is over the limit, `400 Bad Request` otherwise. It
/// replaces NIO's `HTTPServerProtocolErrorHandler`, which answers 400 to every parser error, and
/// sits where NIO puts it, after the codec and the pipelining handler.
final class HTTPProtocolErrorResponder: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Its name in the pipeline; a WebSocket upgrade removes it.
    static let name = "http-error-responder"

    private var responseInProgress = false

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? HTTPParserError else {
            context.fireErrorCaught(error)
            return
        }
        // Only when no response has started: a second head in the middle of one would corrupt it.
        if !responseInProgress {
            let status: HTTPResponseStatus = error == .headerOverflow ? .requestHeaderFieldsTooLarge : .badRequest
            let headers = HTTPHeaders([("Connection", "close"), ("Content-Length", "0")])
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        context.close(promise: nil)
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.code < 200: break  // 1xx: informational, another head follows
        case .head: responseInProgress = true
        case .body: break
        case .end: responseInProgress = false
        }
        context.write(data, promise: promise)
    }
}

@available(*, unavailable)
extension HTTPProtocolErrorResponder: Sendable {}
