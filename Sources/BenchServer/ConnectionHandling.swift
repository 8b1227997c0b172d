import BenchCore
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// What an accepted connection turned into once its first request was read.
enum NegotiatedConnection: Sendable {
    case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, HTTPRequestHead, ConnectionMeter)
    case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, ConnectionMeter)
}

/// An accepted connection and what its first request will turn it into.
struct AcceptedConnection: Sendable {
    let channel: any Channel
    let negotiation: EventLoopFuture<NegotiatedConnection>
}

/// Builds an accepted connection's pipeline: WireMeter first, then HTTP/1.1 with WebSocket upgrade.
enum ConnectionSetup {
    static func configure(
        channel: any Channel,
        traffic: TrafficRecorder,
        routes: Routes,
        configuration: ServerConfiguration
    ) throws -> AcceptedConnection {
        let meter = traffic.open(channel: channel)
        try channel.pipeline.syncOperations.addHandler(WireMeter(meter: meter, recorder: traffic))

        let upgrader = NIOTypedWebSocketServerUpgrader<NegotiatedConnection>(
            maxFrameSize: configuration.maxWebSocketFrameBytes,
            shouldUpgrade: { channel, head in
                let path = HTTPRequest.split(uri: head.uri).0
                // nil refuses the upgrade and sends the request down the plain HTTP path, which
                // answers 404 for an unknown path.
                return channel.eventLoop.makeSucceededFuture(routes.webSocketRoute(for: path) == nil ? nil : HTTPHeaders())
            },
            upgradePipelineHandler: { channel, head in
                // On the event loop, right after the 101 was written and before any frame is
                // read: the bytes so far are exactly the handshake.
                meter.countRequest()
                meter.markHandshakeComplete()
                return channel.eventLoop.makeCompletedFuture {
                    // RFC 6455's rules on client frames, checked before fragments are joined.
                    try channel.pipeline.syncOperations.addHandler(WebSocketFrameValidator())
                    // Reassembles fragmented messages (continuation frames) from outside clients.
                    try channel.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0,
                            maxAccumulatedFrameCount: 1 << 16,
                            maxAccumulatedFrameSize: configuration.maxWebSocketFrameBytes
                        )
                    )
                    let frames = try NIOAsyncChannel<WebSocketFrame, WebSocketFrame>(wrappingChannelSynchronously: channel)
                    return NegotiatedConnection.webSocket(frames, head, meter)
                }
            }
        )
        let upgradeConfiguration = NIOTypedHTTPServerUpgradeConfiguration<NegotiatedConnection>(
            upgraders: [upgrader],
            notUpgradingCompletionHandler: { channel in
                channel.eventLoop.makeCompletedFuture {
                    let http = try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                    return NegotiatedConnection.http(http, meter)
                }
            }
        )
        let negotiation = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(
            configuration: .init(upgradeConfiguration: upgradeConfiguration)
        )
        try channel.pipeline.syncOperations.addHandler(CloseOnHTTPParserError())
        return AcceptedConnection(channel: channel, negotiation: negotiation)
    }
}

/// Closes the connection after a malformed request. NIO's `HTTPServerProtocolErrorHandler` has
/// already answered `400 Bad Request` with `Connection: close`; nothing else in the pipeline closes
/// the channel, so without this the connection would stay open until the client gives up.
final class CloseOnHTTPParserError: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError {
            context.close(promise: nil)
        }
        context.fireErrorCaught(error)
    }
}

@available(*, unavailable)
extension CloseOnHTTPParserError: Sendable {}

/// Serves negotiated connections: routes HTTP requests and WebSocket sessions to endpoints.
struct ConnectionContext: Sendable {
    let hub: EventHub
    let uploads: UploadRegistry
    let routes: Routes
    let configuration: ServerConfiguration

    /// Serves one connection to its end. Errors end the connection, never the server.
    func serve(_ accepted: AcceptedConnection) async {
        let negotiated: NegotiatedConnection
        do {
            negotiated = try await accepted.negotiation.get()
        } catch {
            // The connection closed before its first request was understood (a malformed
            // request, answered 400 and closed, or a client that left).
            accepted.channel.close(promise: nil)
            return
        }
        do {
            switch negotiated {
            case .webSocket(let channel, let head, let meter):
                let request = HTTPRequest(head: head)
                guard let endpoint = routes.webSocketRoute(for: request.path) else { return }
                meter.attribute(to: endpoint.transport)
                try await endpoint.serve(channel, request: request, context: EndpointContext(hub: hub, uploads: uploads, meter: meter, configuration: configuration))
            case .http(let channel, let meter):
                try await serveHTTP(channel, meter: meter)
            }
        } catch {
            // The connection ended with an error (reset, protocol error); its bytes are already
            // counted by the WireMeter. Nothing else to do.
        }
    }

    private func serveHTTP(_ channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, meter: ConnectionMeter) async throws {
        try await channel.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var bodyTooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body.clear()
                    bodyTooLarge = false
                case .body(var chunk):
                    if body.readableBytes + chunk.readableBytes > configuration.maxRequestBodyBytes {
                        bodyTooLarge = true
                    } else {
                        body.writeBuffer(&chunk)
                    }
                case .end:
                    guard let requestHead = head else { continue }
                    meter.countRequest()
                    let writer = HTTPResponseWriter(outbound: outbound, keepAlive: requestHead.isKeepAlive && !bodyTooLarge)
                    try await respond(to: HTTPRequest(head: requestHead, body: body), tooLarge: bodyTooLarge, writer: writer, meter: meter)
                    if !writer.keepAlive { return }
                    head = nil
                }
            }
        }
    }

    private func respond(to request: HTTPRequest, tooLarge: Bool, writer: HTTPResponseWriter, meter: ConnectionMeter) async throws {
        let plain: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        if tooLarge {
            try await writer.respond(status: .payloadTooLarge, headers: plain, body: ByteBuffer(string: "request body larger than \(configuration.maxRequestBodyBytes) bytes\n"))
            return
        }
        guard let endpoint = routes.httpRoute(for: request.path) else {
            let known = (routes.http.map(\.path) + routes.webSocket.map(\.path)).sorted().joined(separator: ", ")
            try await writer.respond(status: .notFound, headers: plain, body: ByteBuffer(string: "no endpoint at \(request.path); endpoints: \(known)\n"))
            return
        }
        meter.attribute(to: endpoint.transport)
        guard request.head.method == .GET || request.head.method == .POST else {
            var headers = plain
            headers.add(name: "Allow", value: "GET, POST")
            try await writer.respond(status: .methodNotAllowed, headers: headers, body: ByteBuffer(string: "method \(request.head.method) not allowed\n"))
            return
        }
        do {
            try await endpoint.respond(to: request, writer: writer, context: EndpointContext(hub: hub, uploads: uploads, meter: meter, configuration: configuration))
        } catch let error as HTTPRequestError {
            try await writer.respond(status: .badRequest, headers: plain, body: ByteBuffer(string: error.message + "\n"))
        }
    }
}
