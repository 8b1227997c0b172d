import BenchCore
import NIOCore
import NIOHTTP1

extension EndpointContext {
    /// The fields a gzip response adds after its `Content-Type`: the coding, and `Vary` so a
    /// cache keeps it apart from the plain answer to a request that did not accept gzip (RFC 9110
    /// §12.5.5). As nginx's `gzip_vary on`, only responses that are compressed carry `Vary`.
    public static let gzipFields: HTTPHeaders = ["Content-Encoding": "gzip", "Vary": "Accept-Encoding"]

    /// Whether the response to `request` may be gzip: the server's compression policy is on and
    /// the request's `Accept-Encoding` accepts gzip (``AcceptEncoding``).
    public func acceptsGzip(_ request: HTTPRequest) -> Bool {
        configuration.compression.enabled && AcceptEncoding(request.head.headers["Accept-Encoding"]).acceptsGzip
    }

    /// A whole response body as `request` gets it, with the fields to add after `Content-Type`:
    /// gzip (``Gzip/compress(_:)``), `Content-Encoding: gzip` and `Vary: Accept-Encoding` when
    /// gzip is accepted and the body has at least ``CompressionSettings/gzipMinLength`` bytes
    /// (nginx's `gzip_min_length`: a smaller body goes as is, counted as a message sent plain);
    /// otherwise the body as is and no fields. The compressor is counted in the connection's
    /// compression tally.
    public func encodeBody(_ body: ByteBuffer, for request: HTTPRequest) throws -> (body: ByteBuffer, fields: HTTPHeaders) {
        guard acceptsGzip(request) else { return (body, [:]) }
        guard body.readableBytes >= configuration.compression.gzipMinLength else {
            meter.compression.countPlainMessage()
            return (body, [:])
        }
        let compressed = try meter.compression.compress(
            plainBytes: body.readableBytes, { () throws(GzipError) in try Gzip.compress(body) }, compressedBytes: \.readableBytes)
        return (compressed, Self.gzipFields)
    }

    /// The body of a streamed response to `request`: gzip when accepted (whatever the size of
    /// its parts: a stream's length is not known when its head goes out), else as is.
    public func streamingBody(for request: HTTPRequest, writer: HTTPResponseWriter) throws -> StreamingResponseBody {
        try StreamingResponseBody(writer: writer, gzip: acceptsGzip(request), counter: meter.compression)
    }
}

/// A streamed response's body (chunked on HTTP/1.1, DATA frames on HTTP/2), gzip-encoded when the
/// request accepted it.
///
/// With gzip, each ``write(_:)`` compresses its part with a sync flush (``GzipStreamCompressor``)
/// and writes it at once, so the client can decode everything written so far: the stream never
/// holds a part back waiting for the next. ``end()`` writes the member's last block and trailer,
/// then ends the response. Every compressor call is counted in the connection's compression
/// tally: one message per part; the trailer adds its bytes and time but no message.
///
/// ```swift
/// let body = try context.streamingBody(for: request, writer: writer)
/// var headers: HTTPHeaders = ["Content-Type": "text/event-stream"]
/// headers.add(contentsOf: body.fields)
/// try await writer.writeHead(status: .ok, headers: context.responseHeaders(.eventSource, headers))
/// try await body.write(ByteBuffer(string: "data: hello\n\n"))
/// try await body.end()
/// ```
///
/// One writer at a time uses it: the endpoint's task, or the connection's event loop while the
/// endpoint streams the hub from there (``writeNow(_:)``).
public struct StreamingResponseBody: @unchecked Sendable {
    public let writer: HTTPResponseWriter
    private let gzip: GzipStreamCompressor?
    private let counter: CompressionCounter

    /// The fields the response head adds after its `Content-Type` (``EndpointContext/gzipFields``
    /// with gzip, none without).
    public var fields: HTTPHeaders { gzip == nil ? [:] : EndpointContext.gzipFields }

    init(writer: HTTPResponseWriter, gzip: Bool, counter: CompressionCounter) throws(GzipError) {
        self.writer = writer
        self.gzip = gzip ? try GzipStreamCompressor() : nil
        self.counter = counter
    }

    /// Writes one part: compressed and flushed with gzip, as is without.
    public func write(_ part: ByteBuffer) async throws {
        try await writer.writeBodyPart(try encode(part))
    }

    /// ``write(_:)`` from the event loop; the future of the write.
    public func writeNow(_ part: ByteBuffer) throws -> EventLoopFuture<Void> {
        writer.writeBodyPartNow(try encode(part))
    }

    /// A part as it goes out: compressed (and counted) with gzip, as is without.
    private func encode(_ part: ByteBuffer) throws -> ByteBuffer {
        guard let gzip else { return part }
        return try counter.compress(
            plainBytes: part.readableBytes, { () throws(GzipError) in try gzip.compress(part) }, compressedBytes: \.readableBytes)
    }

    /// Ends the response: with gzip, the last deflate block and the trailer first.
    public func end() async throws {
        if let gzip {
            // The trailer's bytes and time count; it carries no message of its own.
            let trailer = try counter.compress(
                plainBytes: 0, message: false, { () throws(GzipError) in try gzip.finish() }, compressedBytes: \.readableBytes)
            try await writer.writeBodyPart(trailer)
        }
        try await writer.writeEnd()
    }
}
