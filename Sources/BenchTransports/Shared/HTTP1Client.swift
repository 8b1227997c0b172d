import BenchCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// One HTTP/1.1 client connection on SwiftNIO's codec, used by the HTTP transports' clients.
///
/// ```swift
/// try await HTTP1Connection.withConnection(to: target) { connection in
///     let response = try await connection.send(connection.get("/poll?after=0"))
/// }
/// ```
struct HTTP1Connection {
    private var responses: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
    let authority: String

    /// Connects, runs `body` with the connection and closes it.
    static func withConnection<Result>(
        to target: ClientTarget,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        _ body: (inout HTTP1Connection) async throws -> Result
    ) async throws -> Result {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(.seconds(10))
            .connect(host: target.host, port: target.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var connection = HTTP1Connection(responses: inbound.makeAsyncIterator(), outbound: outbound, authority: target.authority)
            return try await body(&connection)
        }
    }

    /// A GET request head with the headers a typical non-browser client sends.
    func get(_ uri: String, accept: String = "application/json", close: Bool = false) -> HTTPRequestHead {
        var headers: HTTPHeaders = [
            "Host": authority,
            "User-Agent": "TransportBench/0.1",
            "Accept": accept,
        ]
        if close { headers.add(name: "Connection", value: "close") }
        return HTTPRequestHead(version: .http1_1, method: .GET, uri: uri, headers: headers)
    }

    /// Writes a request with no body.
    mutating func write(_ head: HTTPRequestHead) async throws {
        try await outbound.write(contentsOf: [.head(head), .end(nil)])
    }

    /// Reads the next response head.
    mutating func readHead() async throws -> HTTPResponseHead {
        while let part = try await responses.next() {
            if case .head(let head) = part { return head }
        }
        throw HTTP1ClientError.connectionClosed
    }

    /// Reads the next body part of the current response; `nil` at its end.
    mutating func readBodyPart() async throws -> ByteBuffer? {
        guard let part = try await responses.next() else { throw HTTP1ClientError.connectionClosed }
        switch part {
        case .body(let buffer): return buffer
        case .end: return nil
        case .head: throw HTTP1ClientError.unexpectedHead
        }
    }

    /// Sends a request and reads the whole response.
    mutating func send(_ head: HTTPRequestHead) async throws -> (HTTPResponseHead, ByteBuffer) {
        try await write(head)
        let responseHead = try await readHead()
        var body = ByteBuffer()
        while var part = try await readBodyPart() { body.writeBuffer(&part) }
        return (responseHead, body)
    }
}

/// Why an HTTP exchange failed.
enum HTTP1ClientError: Error, CustomStringConvertible {
    case connectionClosed
    case unexpectedHead
    case status(HTTPResponseStatus, String)

    var description: String {
        switch self {
        case .connectionClosed: "the server closed the connection before the response ended"
        case .unexpectedHead: "a response head arrived in the middle of a response"
        case .status(let status, let body): "the server answered \(status.code) \(status.reasonPhrase): \(body)"
        }
    }
}
