import BenchCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOWebSocket

/// What an accepted connection turned into once its first request was read.
enum NegotiatedConnection: Sendable {
    case webSocket(NIOAsyncChannel<WebSocketFrame, WebSocketFrame>, HTTPRequestHead, ConnectionMeter)
    /// HTTP/1.1; `declinedUpgrade` when its first request asked for an upgrade the server did
    /// not make.
    case http(NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, ConnectionMeter, declinedUpgrade: DeclinedUpgrade?)
    /// HTTP/2 with prior knowledge: each stream is one request, seen through NIO's HTTP/2 → HTTP/1 codec.
    case http2(NIOHTTP2Handler.AsyncStreamMultiplexer<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>>, ConnectionMeter)
}

/// An upgrade request the server did not upgrade: its head, and the handshake check's refusal
/// when that was the reason (else the path has no WebSocket endpoint). NIO's typed upgrader
/// does not pass such a request's head on to the HTTP handlers, so it travels here.
struct DeclinedUpgrade: Sendable {
    let head: HTTPRequestHead
    let refusal: HandshakeRefusal?
}

/// An accepted connection and what its first request will turn it into.
struct AcceptedConnection: Sendable {
    let channel: any Channel
    let negotiation: EventLoopFuture<NegotiatedConnection>
}

/// Builds an accepted connection's pipeline: the metering step every listener shares
/// (``ConnectionMetering``: WireMeter, link emulator, guards), then a ``ProtocolDetector`` that
/// reads the first bytes and sets up HTTP/2 (a client that starts with the HTTP/2 connection
/// preface, RFC 9113 §3.3 "prior knowledge") or HTTP/1.1 with WebSocket upgrade.
enum ConnectionSetup {
    static func configure(
        channel: any Channel,
        traffic: TrafficRecorder,
        routes: Routes,
        configuration: ServerConfiguration
    ) throws -> AcceptedConnection {
        guard let meter = try ConnectionMetering.install(on: channel, traffic: traffic, configuration: configuration, placement: .emptyPipeline) else {
            return AcceptedConnection(channel: channel, negotiation: channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel))
        }
        let negotiation = channel.eventLoop.makePromise(of: NegotiatedConnection.self)
        let detector = ProtocolDetector(negotiation: negotiation) { channel, isHTTP2 in
            if isHTTP2 {
                try configureHTTP2(channel: channel, meter: meter, configuration: configuration)
            } else {
                try configureHTTP1(channel: channel, meter: meter, routes: routes, configuration: configuration)
            }
        }
        try channel.pipeline.syncOperations.addHandler(detector)
        return AcceptedConnection(channel: channel, negotiation: negotiation.futureResult)
    }

    /// HTTP/2: a census of the frames next to the meter, NIO's HTTP/2 handler, and per stream
    /// the HTTP/2 → HTTP/1 codec, so HTTP routes serve both versions unchanged.
    private static func configureHTTP2(
        channel: any Channel,
        meter: ConnectionMeter,
        configuration: ServerConfiguration
    ) throws -> EventLoopFuture<NegotiatedConnection> {
        try channel.pipeline.syncOperations.addHandler(HTTP2FrameCensus(meter: meter, grpc: false))
        var http2 = NIOHTTP2Handler.Configuration()
        http2.connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: 100),
            HTTP2Setting(parameter: .maxHeaderListSize, value: configuration.maxHeaderBytes),
        ]
        let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .server, configuration: http2) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ServerCodec())
                return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: stream)
            }
        }
        try channel.pipeline.syncOperations.addHandler(CloseOnProtocolError())
        return channel.eventLoop.makeSucceededFuture(.http2(multiplexer, meter))
    }

    /// What the server agrees to for an upgrade request's permessage-deflate offers under its
    /// policy (`nil`: the 101 goes without the extension). A pure function of the head, so the
    /// 101 and the pipeline behind it agree.
    private static func perMessageDeflate(_ head: HTTPRequestHead, _ configuration: ServerConfiguration) -> PerMessageDeflate.Agreement? {
        guard configuration.compression.enabled else { return nil }
        return PerMessageDeflate.negotiate(offers: head.headers[PerMessageDeflate.headerName], policy: configuration.compression)
    }

    /// HTTP/1.1 with SwiftNIO's typed WebSocket upgrader.
    private static func configureHTTP1(
        channel: any Channel,
        meter: ConnectionMeter,
        routes: Routes,
        configuration: ServerConfiguration
    ) throws -> EventLoopFuture<NegotiatedConnection> {
        // An upgrade not made, for the plain HTTP path to answer. Both closures run on the
        // connection's event loop.
        let declinedUpgrade = NIOLoopBoundBox<DeclinedUpgrade?>(nil, eventLoop: channel.eventLoop)
        let upgrader = NIOTypedWebSocketServerUpgrader<NegotiatedConnection>(
            maxFrameSize: configuration.maxWebSocketFrameBytes,
            shouldUpgrade: { channel, head in
                let (path, query) = HTTPRequest.split(uri: head.uri)
                configuration.headRecorder?.record(head)
                // nil declines the upgrade and sends the request down the plain HTTP path, which
                // answers 404 for an unknown path and the refusal for one the check refused. The
                // 101 carries the profile's response head, and permessage-deflate's parameters
                // when the policy accepted an offer.
                guard let route = routes.webSocketRoute(for: path) else {
                    declinedUpgrade.value = DeclinedUpgrade(head: head, refusal: nil)
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                if let refusal = configuration.handshakeRefusal(for: head, query: query, webSocket: true, meter: meter) {
                    meter.attribute(to: route.transport)
                    declinedUpgrade.value = DeclinedUpgrade(head: head, refusal: refusal)
                    return channel.eventLoop.makeSucceededFuture(nil)
                }
                var extra = HTTPHeaders(configuration.headers.response(.webSocket).map { ($0.name, $0.value) })
                if let agreement = perMessageDeflate(head, configuration) {
                    extra.replaceOrAdd(name: PerMessageDeflate.headerName, value: agreement.responseValue)
                }
                if let subprotocol = route.subprotocol(offered: head.headers[canonicalForm: "Sec-WebSocket-Protocol"].map(String.init)) {
                    extra.replaceOrAdd(name: "Sec-WebSocket-Protocol", value: subprotocol)
                }
                return channel.eventLoop.makeSucceededFuture(extra)
            },
            upgradePipelineHandler: { channel, head in
                // On the event loop, right after the 101 was written and before any frame is
                // read: the bytes so far are exactly the handshake.
                meter.countRequest()
                meter.markHandshakeComplete()
                return channel.eventLoop.makeCompletedFuture {
                    // The HTTP error responder goes with the rest of the HTTP handlers.
                    channel.pipeline.syncOperations.removeHandler(name: HTTPProtocolErrorResponder.name, promise: nil)
                    // RFC 6455's rules on client frames, checked before fragments are joined.
                    let agreement = perMessageDeflate(head, configuration)
                    try channel.pipeline.syncOperations.addHandler(WebSocketFrameValidator(compressed: agreement != nil))
                    // Inflates compressed messages before the aggregator (which drops RSV1) and
                    // compresses what the endpoint sends.
                    if let agreement {
                        try channel.pipeline.syncOperations.addHandler(
                            PerMessageDeflateHandler(
                                agreement: agreement, isServer: true, maxMessageBytes: configuration.maxWebSocketFrameBytes,
                                threshold: configuration.compression.webSocketThreshold, counter: meter.compression
                            )
                        )
                    }
                    // Reassembles fragmented messages (continuation frames) from outside clients.
                    try channel.pipeline.syncOperations.addHandler(
                        NIOWebSocketFrameAggregator(
                            minNonFinalFragmentSize: 0,
                            maxAccumulatedFrameCount: 1 << 16,
                            maxAccumulatedFrameSize: configuration.maxWebSocketFrameBytes
                        )
                    )
                    let request = HTTPRequest(head: head)
                    for handler in routes.webSocketRoute(for: request.path)?.frameHandlers(for: request, configuration: configuration) ?? [] {
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
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
                    return NegotiatedConnection.http(http, meter, declinedUpgrade: declinedUpgrade.value)
                }
            }
        )
        var pipeline = NIOUpgradableHTTPServerPipelineConfiguration(upgradeConfiguration: upgradeConfiguration)
        pipeline.decoderConfiguration.maxHeaderListSize = configuration.maxHeaderBytes
        pipeline.decoderConfiguration.maxHeaderFieldSize = configuration.maxHeaderBytes
        // Our responder answers 431 for oversized heads, where NIO's answers 400 to everything.
        pipeline.enableErrorHandling = false
        let negotiation = try channel.pipeline.syncOperations.configureUpgradableHTTPServerPipeline(configuration: pipeline)
        try channel.pipeline.syncOperations.addHandler(HTTPProtocolErrorResponder(), name: HTTPProtocolErrorResponder.name)
        return negotiation
    }
}

/// Serves negotiated connections: routes HTTP requests and WebSocket sessions to endpoints.
struct ConnectionContext: Sendable {
    let hub: EventHub
    let uploads: UploadRegistry
    let traffic: TrafficRecorder
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
                try await endpoint.serve(channel, request: request, context: EndpointContext(hub: hub, uploads: uploads, traffic: traffic, meter: meter, configuration: configuration))
            case .http(let channel, let meter, let declinedUpgrade):
                try await serveHTTP(channel, meter: meter, http2: false, declinedUpgrade: declinedUpgrade)
            case .http2(let multiplexer, let meter):
                defer { accepted.channel.close(promise: nil) }
                try await withThrowingDiscardingTaskGroup { streams in
                    for try await stream in multiplexer.inbound {
                        streams.addTask { try? await serveHTTP(stream, meter: meter, http2: true) }
                    }
                }
            }
        } catch {
            // The connection ended with an error (reset, protocol error); its bytes are already
            // counted by the WireMeter. Nothing else to do.
        }
    }

    /// Serves the requests of an HTTP/1.1 connection, or the one request of an HTTP/2 stream.
    /// A declined upgrade request is answered at once — with the handshake check's refusal
    /// (RFC 6455 §4.2.2: the server aborts the handshake), or as a plain request (404 for a
    /// path with no WebSocket endpoint) — and the connection closed.
    private func serveHTTP(
        _ channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, meter: ConnectionMeter, http2: Bool, declinedUpgrade: DeclinedUpgrade? = nil
    ) async throws {
        try await channel.executeThenClose { inbound, outbound in
            if let declinedUpgrade {
                meter.countRequest()
                let writer = HTTPResponseWriter(outbound: outbound, channel: channel.channel, keepAlive: false)
                if let refusal = declinedUpgrade.refusal { return try await writer.refuse(refusal, meter: meter) }
                return try await respond(to: HTTPRequest(head: declinedUpgrade.head), tooLarge: false, writer: writer, meter: meter)
            }
            var head: HTTPRequestHead?
            var body = ByteBuffer()
            var bodyTooLarge = false
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    if !http2 { configuration.headRecorder?.record(requestHead) }
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
                    // HTTP/2 has no `Connection` header (RFC 9113 §8.2.2): a stream ends with its response.
                    let writer = HTTPResponseWriter(outbound: outbound, channel: channel.channel, keepAlive: http2 || (requestHead.isKeepAlive && !bodyTooLarge))
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
        if let transport = endpoint.transport(for: request) {
            meter.attribute(to: transport)
            if let refusal = configuration.handshakeRefusal(for: request.head, query: request.query, webSocket: false, meter: meter) {
                return try await writer.refuse(refusal, meter: meter)
            }
        }
        guard request.head.method == .GET || request.head.method == .POST else {
            var headers = plain
            headers.add(name: "Allow", value: "GET, POST")
            try await writer.respond(status: .methodNotAllowed, headers: headers, body: ByteBuffer(string: "method \(request.head.method) not allowed\n"))
            return
        }
        do {
            try await endpoint.respond(to: request, writer: writer, context: EndpointContext(hub: hub, uploads: uploads, traffic: traffic, meter: meter, configuration: configuration))
        } catch let error as HTTPRequestError {
            try await writer.respond(status: .badRequest, headers: plain, body: ByteBuffer(string: error.message + "\n"))
        }
    }
}
