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
public struct HTTPResponseWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    /// Whether the connection stays open after this response.
    public let keepAlive: Bool

    /// Writes a complete response with a `Content-Length`.
    public func respond(status: HTTPResponseStatus, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer()) async throws {
        var headers = headers
        headers.replaceOrAdd(name: "Content-Length", value: String(body.readableBytes))
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: status, headers: headers)
        if body.readableBytes > 0 {
            try await outbound.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
        } else {
            try await outbound.write(contentsOf: [.head(head), .end(nil)])
        }
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
    /// This connection's counts; endpoints count empty responses here.
    public let meter: ConnectionMeter
    public let configuration: ServerConfiguration
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
}

extension WebSocketRoute {
    public func frameHandlers(for request: HTTPRequest, configuration: ServerConfiguration) -> [any ChannelHandler] { [] }
}

/// What a transport with a listener of its own needs from the server.
public struct ListenerContext: Sendable {
    public let host: String
    public let hub: EventHub
    public let uploads: UploadRegistry
    /// Register each accepted connection here (``TrafficRecorder/open(channel:)``) and put a
    /// ``WireMeter`` first in its pipeline, so it is counted like every other connection.
    public let traffic: TrafficRecorder
    public let configuration: ServerConfiguration
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

/// The endpoints a server offers.
public struct Routes: Sendable {
    public var http: [any HTTPRoute]
    public var webSocket: [any WebSocketRoute]
    public var listeners: [any ListenerRoute]

    public init(http: [any HTTPRoute] = [], webSocket: [any WebSocketRoute] = [], listeners: [any ListenerRoute] = []) {
        self.http = http
        self.webSocket = webSocket
        self.listeners = listeners
    }

    /// Whether some endpoint serves `transport`.
    public func serves(_ transport: TransportKind) -> Bool {
        http.contains { $0.transport == transport } || webSocket.contains { $0.transport == transport }
            || listeners.contains { $0.transport == transport }
    }

    /// These routes and `other`'s.
    public func merging(_ other: Routes) -> Routes {
        Routes(http: http + other.http, webSocket: webSocket + other.webSocket, listeners: listeners + other.listeners)
    }

    func httpRoute(for path: String) -> (any HTTPRoute)? { http.first { $0.path == path } }
    func webSocketRoute(for path: String) -> (any WebSocketRoute)? { webSocket.first { $0.path == path } }

    /// One `NAME URL` line per endpoint, as `bench serve` prints them.
    public func endpointLines(host: String, port: Int, listenerPorts: [TransportKind: Int] = [:]) -> [String] {
        let entries = http.compactMap { route in route.transport.map { ($0, "http://\(host):\(port)\(route.path)") } }
            + webSocket.map { ($0.transport, "ws://\(host):\(port)\($0.path)") }
            + listeners.compactMap { listener in listenerPorts[listener.transport].map { (listener.transport, "\(listener.scheme)://\(host):\($0)") } }
        return entries.sorted { $0.0 < $1.0 }.map { "\($0.0.rawValue) \($0.1)" }
    }
}
