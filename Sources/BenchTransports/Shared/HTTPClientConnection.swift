import BenchCore
import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix

/// One HTTP client connection on SwiftNIO, HTTP/1.1 or HTTP/2, used by the HTTP transports'
/// clients.
///
/// - HTTP/1.1: NIO's HTTP/1 codec; requests go one after another on the connection.
/// - TLS (when the target has it) goes first, offering `http/1.1` or `h2` by ALPN as browsers do.
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
        case http1(HTTPResponseReader, NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>)
        case http2(NIOHTTP2Handler.AsyncStreamMultiplexer<Void>)
    }

    private var connection: Session
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
        switch version {
        case .http1_1:
            let channel = try await bootstrap.connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try target.addTLS(to: channel, offering: ["http/1.1"])
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
            return try await channel.executeThenClose { inbound, outbound in
                var connection = HTTPClientConnection(
                    connection: .http1(HTTPResponseReader(inbound.makeAsyncIterator()), outbound), authority: target.authority, version: version
                )
                return try await body(&connection)
            }
        case .http2:
            let (channel, multiplexer) = try await bootstrap.connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try target.addTLS(to: channel, offering: ["h2"])
                    let multiplexer = try channel.pipeline.syncOperations.configureAsyncHTTP2Pipeline(mode: .client) { stream in
                        // The server opens no streams (no server push).
                        stream.close()
                    }
                    return (channel, multiplexer)
                }
            }
            var connection = HTTPClientConnection(connection: .http2(multiplexer), authority: target.authority, version: version)
            do {
                let result = try await body(&connection)
                try? await channel.close()
                return result
            } catch {
                try? await channel.close()
                throw error
            }
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

    /// Sends a request (with no body unless `requestBody` is given) and runs `body` with its
    /// response: on HTTP/1.1 the next response on the connection, on HTTP/2 a new stream's.
    mutating func exchange<Result>(
        _ head: HTTPRequestHead, requestBody: ByteBuffer? = nil, _ body: (inout HTTPResponseReader) async throws -> Result
    ) async throws -> Result {
        let parts: [HTTPClientRequestPart] = requestBody.map { [.head(head), .body(.byteBuffer($0)), .end(nil)] } ?? [.head(head), .end(nil)]
        switch connection {
        case .http1(var reader, let outbound):
            try await outbound.write(contentsOf: parts)
            defer { connection = .http1(reader, outbound) }
            return try await body(&reader)
        case .http2(let multiplexer):
            let stream = try await multiplexer.openStream { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(HTTP2FramePayloadToHTTP1ClientCodec(httpProtocol: .http))
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
            return try await stream.executeThenClose { inbound, outbound in
                try await outbound.write(contentsOf: parts)
                var reader = HTTPResponseReader(inbound.makeAsyncIterator())
                return try await body(&reader)
            }
        }
    }

    /// Sends a request and reads the whole response.
    mutating func send(_ head: HTTPRequestHead, body requestBody: ByteBuffer? = nil) async throws -> (HTTPResponseHead, ByteBuffer) {
        try await exchange(head, requestBody: requestBody) { response in
            let responseHead = try await response.readHead()
            return (responseHead, try await response.readBody())
        }
    }
}

/// Reads one response: its head, then its body part by part.
struct HTTPResponseReader {
    private var parts: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator

    init(_ parts: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator) {
        self.parts = parts
    }

    /// Reads the response head.
    mutating func readHead() async throws -> HTTPResponseHead {
        while let part = try await parts.next() {
            if case .head(let head) = part { return head }
        }
        throw HTTPClientError.connectionClosed
    }

    /// Reads the next body part; `nil` at the end of the response.
    mutating func readBodyPart() async throws -> ByteBuffer? {
        guard let part = try await parts.next() else { throw HTTPClientError.connectionClosed }
        switch part {
        case .body(let buffer): return buffer
        case .end: return nil
        case .head: throw HTTPClientError.unexpectedHead
        }
    }

    /// Reads the rest of the body.
    mutating func readBody() async throws -> ByteBuffer {
        var body = ByteBuffer()
        while var part = try await readBodyPart() { body.writeBuffer(&part) }
        return body
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
