import BenchCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// One HTTP client connection on SwiftNIO, HTTP/1.1 or HTTP/2, used by the HTTP transports'
/// clients. Responses are read on the connection's event loop by an ``HTTPExchangeHandler``,
/// which hands each part to the exchange's ``ResponseReceiver`` in the read that brought it.
///
/// - HTTP/1.1: NIO's HTTP/1 codec; requests go one after another on the connection.
/// - The target's ``ClientWireMeter`` (when it has a counter) goes first, then the
///   ``ArrivalStamp``, then TLS (when the target has it), offering `http/1.1` or `h2` by ALPN as
///   browsers do.
/// - HTTP/2: prior knowledge in cleartext (the connection preface, then SETTINGS); every
///   request is a new stream of the one connection, seen through NIO's HTTP/2 → HTTP/1 codec,
///   which turns `Host` into `:authority` and sends headers HPACK-compressed.
///
/// ```swift
/// try await HTTPClientConnection.withConnection(to: target, version: .http2) { connection in
///     let (head, body) = try await connection.send(connection.get("/poll?after=0"))
/// }
/// ```
public struct HTTPClientConnection {
    private enum Session {
        case http1(HandlerOnLoop)
        case http2(NIOHTTP2Handler.AsyncStreamMultiplexer<Void>)
    }
    private typealias HandlerOnLoop = NIOLoopBound<HTTPExchangeHandler>

    private var connection: Session
    /// When each read of the connection came off the socket.
    private let arrival: ArrivalClock
    let authority: String
    let version: HTTPProtocolVersion

    /// Connects, runs `body` with the connection and closes it.
    static func withConnection<Result>(
        to target: ClientTarget,
        version: HTTPProtocolVersion,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (inout HTTPClientConnection) async throws -> Result
    ) async throws -> Result {
        let bootstrap = ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
        let channel: any Channel
        var connection: HTTPClientConnection
        let arrival = ArrivalClock()
        switch version {
        case .http1_1:
            let handler: HandlerOnLoop
            (channel, handler) = try await bootstrap.connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try target.addWireMeter(to: channel)
                    try channel.pipeline.syncOperations.addHandler(ArrivalStamp(arrival))
                    try target.addTLS(to: channel, offering: ["http/1.1"])
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    let handler = HTTPExchangeHandler(arrival: arrival)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    return (channel, NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
            connection = HTTPClientConnection(connection: .http1(handler), arrival: arrival, authority: target.authority, version: version)
        case .http2:
            let multiplexer: NIOHTTP2Handler.AsyncStreamMultiplexer<Void>
            (channel, multiplexer) = try await bootstrap.connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try target.addWireMeter(to: channel)
                    try channel.pipeline.syncOperations.addHandler(ArrivalStamp(arrival))
                    try target.addTLS(to: channel, offering: ["h2"])
                    let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .client) { stream in
                        // The server opens no streams (no server push).
                        stream.close()
                    }
                    return (channel, multiplexer)
                }
            }
            connection = HTTPClientConnection(connection: .http2(multiplexer), arrival: arrival, authority: target.authority, version: version)
        }
        do {
            let result = try await withTaskCancellationHandler {
                try await body(&connection)
            } onCancel: {
                // Ends an exchange waiting for its response.
                channel.close(promise: nil)
            }
            try? await channel.close()
            return result
        } catch {
            try? await channel.close()
            throw error
        }
    }

    /// A GET request head: `Host` (which HTTP/2 sends as `:authority`), then `fields` (a header
    /// profile's request head) in order and case as given; `close` asks an HTTP/1.1 server to
    /// close the connection after the response (HTTP/2 has no such header).
    func get(_ uri: String, fields: [HeaderProfile.Field] = HeaderProfile.minimal.request(.shortPoll), close: Bool = false) -> HTTPRequestHead {
        var headers: HTTPHeaders = ["Host": authority]
        for field in fields { headers.add(name: field.name, value: field.value) }
        if close && version == .http1_1 { headers.add(name: "Connection", value: "close") }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
    }

    /// One request on a connection of its own, for control requests such as `bench scale`'s
    /// publish and `bench run --target`'s on `bench serve` (with `Authorization: Bearer` when
    /// `target` has a ``ClientTarget/bearerToken``: the control token); returns the response
    /// body, and throws unless the status is 200.
    public static func request(_ method: HTTPMethod, _ uri: String, to target: ClientTarget, body requestBody: ByteBuffer? = nil) async throws -> String {
        try await withConnection(to: target, version: .http1_1) { connection in
            var head = connection.get(uri, fields: target.bearerToken.map { [HeaderProfile.Field("Authorization", "Bearer " + $0)] } ?? [], close: true)
            head.method = method
            head.headers.replaceOrAdd(name: "Content-Length", value: String(requestBody?.readableBytes ?? 0))
            if requestBody != nil { head.headers.replaceOrAdd(name: "Content-Type", value: "application/json") }
            let (response, body) = try await connection.send(head, body: requestBody)
            if response.status == .unauthorized {
                throw BenchError.usage("\(method) \(uri) was refused (401): bench serve asks for its control token; pass --control-token or set BENCH_CONTROL_TOKEN")
            }
            guard response.status == .ok else {
                throw BenchError.runFailed("\(method) \(uri) was answered \(response.status.code): \(String(buffer: body).prefix(200))")
            }
            return String(buffer: body)
        }
    }

    /// Sends a request (with no body unless `requestBody` is given) and hands its response to
    /// `receiver` on the event loop as it arrives (on HTTP/1.1 the next response on the connection,
    /// on HTTP/2 a new stream's); returns when the response has ended.
    mutating func exchange(_ head: HTTPRequestHead, requestBody: ByteBuffer? = nil, receiver: any ResponseReceiver) async throws {
        let parts: [HTTPClientRequestPart] = requestBody.map { [.head(head), .body(.byteBuffer($0)), .end(nil)] } ?? [.head(head), .end(nil)]
        let handler: HandlerOnLoop
        switch connection {
        case .http1(let connectionHandler):
            handler = connectionHandler
        case .http2(let multiplexer):
            let arrival = arrival
            handler = try await multiplexer.openStream { stream in
                stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http))
                    // A stream's reads happen inside the connection's: the connection's clock.
                    let handler = HTTPExchangeHandler(arrival: arrival)
                    try stream.pipeline.syncOperations.addHandler(handler)
                    return NIOLoopBound(handler, eventLoop: stream.eventLoop)
                }
            }
        }
        let loop = handler.eventLoop
        try await loop.flatSubmit {
            let done = loop.makePromise(of: Void.self)
            handler.value.start(parts, receiver: receiver, done: done)
            return done.futureResult
        }.get()
    }

    /// Sends a request and reads the whole response.
    mutating func send(_ head: HTTPRequestHead, body requestBody: ByteBuffer? = nil) async throws -> (HTTPResponseHead, ByteBuffer) {
        let response = CollectingReceiver()
        try await exchange(head, requestBody: requestBody, receiver: response)
        guard let responseHead = response.head else { throw HTTPClientError.connectionClosed }
        return (responseHead, response.body)
    }
}

/// Why an HTTP exchange failed.
enum HTTPClientError: Error, CustomStringConvertible {
    case connectionClosed
    case unexpectedHead
    case status(HTTPResponseStatus, String)
    /// The response's `Content-Encoding` is one the request did not offer or the client cannot decode.
    case contentEncoding(String)
    /// A body labelled gzip that does not decode.
    case undecodableBody(GzipError)

    var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection before the response ended"
        case .unexpectedHead: "a response head arrived in the middle of a response"
        case .status(let status, let body): "the server answered \(status.code) \(status.reasonPhrase): \(body)"
        case .contentEncoding(let problem): problem
        case .undecodableBody(let error): "the response body labelled gzip does not decode: \(error)"
        }
    }
}
