import BenchCore
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// A parsed HTTP request as endpoints see it.
public struct HTTPRequest: Sendable {
    public var head: HTTPRequestHead
    /// The path without the query, for example `/poll`.
    public var path: String
    /// Query parameters; the last value wins when a name repeats.
    public var query: [String: String]
    public var body: ByteBuffer

    public init(head: HTTPRequestHead, body: ByteBuffer = ByteBuffer()) {
        self.head = head
        self.body = body
        let (path, query) = Self.split(uri: head.uri)
        self.path = path
        self.query = query
    }

    static func split(uri: String) -> (String, [String: String]) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, [:]) }
        var query: [String: String] = [:]
        for pair in uri[uri.index(after: mark)...].split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = String(parts[0]).removingPercentEncoding ?? String(parts[0])
            let value = parts.count > 1 ? (String(parts[1]).removingPercentEncoding ?? String(parts[1])) : ""
            query[name] = value
        }
        return (String(uri[..<mark]), query)
    }

    /// A query parameter as an unsigned integer, `nil` when absent.
    /// - Throws: ``HTTPRequestError`` when present but not a number.
    public func unsignedParameter(_ name: String) throws(HTTPRequestError) -> UInt64? {
        guard let text = query[name] else { return nil }
        guard let value = UInt64(text) else { throw HTTPRequestError(message: "query parameter '\(name)' must be an unsigned integer, got '\(text)'") }
        return value
    }

    /// The `encoding` query parameter, JSON when absent.
    public func encodingParameter() throws(HTTPRequestError) -> Encoding {
        guard let text = query["encoding"] else { return .json }
        guard let encoding = Encoding(rawValue: text) else {
            throw HTTPRequestError(message: "unknown encoding '\(text)'; choose from \(Encoding.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return encoding
    }
}

/// A request the server understood but cannot serve; answered with 400 and the message.
public struct HTTPRequestError: Error, Sendable {
    public var message: String

    public init(message: String) {
        self.message = message
    }
}

private extension String {
    var removingPercentEncoding: String? {
        guard contains("%") || contains("+") else { return self }
        var bytes: [UInt8] = []
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { return nil }
                bytes.append(value)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// Writes one HTTP/1.1 response, whole or streamed.
///
/// The `async` methods write from the endpoint's task; the `…Now` methods write from the
/// connection's event loop (``channel``'s), which is where an endpoint that streams the hub
/// (``EventHub/stream(after:heartbeat:to:_:)``) writes each batch, with no task in between.
public struct HTTPResponseWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    /// The connection (HTTP/1.1) or stream (HTTP/2) the response goes out on.
    public let channel: any Channel
    /// Whether the connection stays open after this response.
    public let keepAlive: Bool

    /// Writes a complete response with a `Content-Length`.
    public func respond(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) async throws {
        try await outbound.write(contentsOf: parts(status: status, headers: headers, body: body))
    }

    /// ``respond(status:headers:body:)`` from the event loop; the future of the write.
    public func respondNow(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) -> EventLoopFuture<Void> {
        let parts = parts(status: status, headers: headers, body: body)
        for part in parts.dropLast() { channel.write(part, promise: nil) }
        return channel.writeAndFlush(parts.last!)
    }

    /// A complete response's parts.
    private func parts(status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer) -> [HTTPServerResponsePart] {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        return body.readableBytes > 0 ? [.head(head), .body(.byteBuffer(body)), .end(nil)] : [.head(head), .end(nil)]
    }

    /// Starts a streamed response; with no `Content-Length`, HTTP/1.1 uses chunked transfer coding.
    public func writeHead(status: HTTPResponseStatus, headers: HTTPHeaders) async throws {
        var headers = headers
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers)))
    }

    /// Writes one part of a streamed body (one chunk).
    public func writeBodyPart(_ buffer: ByteBuffer) async throws {
        try await outbound.write(.body(.byteBuffer(buffer)))
    }

    /// ``writeBodyPart(_:)`` from the event loop; the future of the write.
    public func writeBodyPartNow(_ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)))
    }

    /// Ends a streamed response.
    public func writeEnd() async throws {
        try await outbound.write(.end(nil))
    }
}

/// What an endpoint needs from the server besides the request.
public struct EndpointContext: Sendable {
    public let hub: EventHub
    /// Where events uploaded by clients are recorded.
    public let uploads: UploadRegistry
    /// Every connection's counts (`bench serve`'s `/control/traffic`).
    public let traffic: TrafficRecorder
    /// This connection's counts; endpoints count empty responses here.
    public let meter: ConnectionMeter
    public let configuration: ServerConfiguration

    /// `headers` (what the endpoint decides, `Content-Type` first) followed by the profile's
    /// response head for `kind`, then `trailing` (what depends on this response, such as a gap).
    public func responseHeaders(_ kind: HeaderProfile.Kind, _ headers: HTTPHeaders, trailing: HTTPHeaders = [:]) -> HTTPHeaders {
        var all = headers
        for field in configuration.headers.response(kind) { all.add(name: field.name, value: field.value) }
        for (name, value) in trailing { all.add(name: name, value: value) }
        return all
    }
}

/// The server half of an HTTP transport: answers requests for one path (its endpoint).
public protocol HTTPRoute: Sendable {
    /// The transport whose traffic this endpoint's connections are attributed to; `nil` for an
    /// endpoint that belongs to no transport (the browser page).
    var transport: TransportKind? { get }
    /// The path it serves, for example `/poll`.
    var path: String { get }
    /// Answers one request. Throwing ``HTTPRequestError`` answers 400 with its message.
    func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws
    /// The transport `request` belongs to, for an endpoint that serves several on its one path
    /// (gRPC-Web's binary and text formats, told apart by content type). Default: ``transport``.
    func transport(for request: HTTPRequest) -> TransportKind?
}

extension HTTPRoute {
    public func transport(for request: HTTPRequest) -> TransportKind? { transport }
}

/// The server half of a WebSocket transport: serves upgraded connections on one path (its endpoint).
public protocol WebSocketRoute: Sendable {
    var transport: TransportKind { get }
    var path: String { get }
    /// Serves one upgraded connection until it ends.
    func serve(
        _ channel: NIOAsyncChannel<WebSocketFrame, WebSocketFrame>,
        request: HTTPRequest,
        context: EndpointContext
    ) async throws

    /// Handlers to put in the upgraded pipeline for `request`, behind the frame validator and
    /// aggregator and in front of the task that runs ``serve(_:request:context:)``. Called on the
    /// connection's event loop before any frame is read. A route answers here what should not
    /// wait for a task: a frame handled by a handler never reaches `serve`. Default: none.
    func frameHandlers(for request: HTTPRequest, configuration: ServerConfiguration) -> [any ChannelHandler]

    /// The subprotocol the 101 agrees to (RFC 6455 §4.2.2, `Sec-WebSocket-Protocol`), one of the
    /// client's `offered` ones, or `nil` for none (the 101 then names none). Default: none.
    func subprotocol(offered: [String]) -> String?
}

extension WebSocketRoute {
    public func frameHandlers(for request: HTTPRequest, configuration: ServerConfiguration) -> [any ChannelHandler] { [] }
    public func subprotocol(offered: [String]) -> String? { nil }
}

/// What a transport with a listener of its own needs from the server.
public struct ListenerContext: Sendable {
    public let host: String
    public let hub: EventHub
    public let uploads: UploadRegistry
    public let traffic: TrafficRecorder
    public let configuration: ServerConfiguration

    /// Registers an accepted connection of `transport` and puts the server's one metering step
    /// (``ConnectionMetering``) in front of the pipeline the listener's library built, so it is
    /// counted and guarded like every other connection. Call it on the channel's event loop
    /// from the library's accept hook.
    ///
    /// - Returns: the connection's meter, or `nil` when the server is over its connection limit
    ///   (the connection is counted and closed).
    public func meter(_ channel: any Channel, as transport: TransportKind, census: ConnectionMetering.Census) throws -> ConnectionMeter? {
        try ConnectionMetering.install(
            on: channel, traffic: traffic, configuration: configuration, placement: .inFrontOfLibrary, transport: transport, census: census)
    }
}

/// The server half of a transport whose library owns its listening socket (gRPC): it listens on
/// the server's host, port 0, beside the HTTP listener, and shares the server's hub, uploads and
/// traffic recorder.
public protocol ListenerRoute: Sendable {
    var transport: TransportKind { get }
    /// The scheme `bench serve` prints in front of its address, for example `grpc`.
    var scheme: String { get }
    /// Starts listening, calls `onListening` with the bound port, and serves until cancelled.
    func run(context: ListenerContext, onListening: @escaping @Sendable (Int) -> Void) async throws
}

/// The endpoints a server offers, and the transports they serve in the order they were added
/// (the order `bench serve` lists them in).
public struct Routes: Sendable {
    public private(set) var http: [any HTTPRoute] = []
    public private(set) var webSocket: [any WebSocketRoute] = []
    public private(set) var listeners: [any ListenerRoute] = []
    /// Every transport some endpoint serves, in the order they were added.
    public private(set) var transports: [TransportKind] = []

    public init(http: [any HTTPRoute] = [], webSocket: [any WebSocketRoute] = [], listeners: [any ListenerRoute] = []) {
        http.forEach { add($0) }
        webSocket.forEach { add($0) }
        listeners.forEach { add($0) }
    }

    public mutating func add(_ route: any HTTPRoute) {
        http.append(route)
        route.transport.map { note($0) }
    }

    public mutating func add(_ route: any WebSocketRoute) {
        webSocket.append(route)
        note(route.transport)
    }

    public mutating func add(_ listener: any ListenerRoute) {
        listeners.append(listener)
        note(listener.transport)
    }

    private mutating func note(_ transport: TransportKind) {
        if !transports.contains(transport) { transports.append(transport) }
    }

    /// Whether some endpoint serves `transport`.
    public func serves(_ transport: TransportKind) -> Bool { transports.contains(transport) }

    /// These routes and `other`'s.
    public func merging(_ other: Routes) -> Routes {
        var merged = self
        other.http.forEach { merged.add($0) }
        other.webSocket.forEach { merged.add($0) }
        other.listeners.forEach { merged.add($0) }
        return merged
    }

    func httpRoute(for path: String) -> (any HTTPRoute)? { http.first { $0.path == path } }
    func webSocketRoute(for path: String) -> (any WebSocketRoute)? { webSocket.first { $0.path == path } }

    /// One `NAME URL` line per endpoint, as `bench serve` prints them, in the transports' order.
    public func endpointLines(host: String, port: Int, listenerPorts: [TransportKind: Int] = [:], tls: Bool = false) -> [String] {
        let secure = tls ? "s" : ""
        var entries: [(kind: TransportKind, url: String)] = []
        for route in http {
            if let kind = route.transport { entries.append((kind, "http\(secure)://\(host):\(port)\(route.path)")) }
        }
        for route in webSocket { entries.append((route.transport, "ws\(secure)://\(host):\(port)\(route.path)")) }
        for listener in listeners {
            if let bound = listenerPorts[listener.transport] { entries.append((listener.transport, "\(listener.scheme)\(secure)://\(host):\(bound)")) }
        }
        // In the transports' order; a transport's own endpoints in the order they were added.
        var lines: [String] = []
        for kind in transports {
            for entry in entries where entry.kind == kind { lines.append("\(kind.rawValue) \(entry.url)") }
        }
        return lines
    }
}
