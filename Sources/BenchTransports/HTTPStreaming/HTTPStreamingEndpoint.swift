import BenchCore
import BenchServer
import NIOCore
import NIOHTTP1

/// HTTP streaming's server half: `GET /stream?after=N&encoding=E&heartbeat=MS` answers one long
/// `application/x-ndjson` response, chunked over HTTP/1.1 or in DATA frames over HTTP/2.
///
/// - Each event is one line (NDJSON 1.0: a JSON text and `\n`): the event's JSON, or with a
///   binary encoding its bytes base64-encoded in a JSON string, `"…"`. A client resumes with
///   `after=` the last sequence it read, so the stream needs no IDs of its own.
/// - Events that left the retention window are announced by the line `{"gap":"FIRST-LAST"}`.
/// - With `heartbeat=MS`, an empty line is sent after every idle interval (NDJSON lets a parser
///   skip empty lines; NDJSON itself defines no heartbeat).
/// - When the run ends the response ends (the terminating chunk, or END_STREAM).
/// - The layer's framing, counted apart from HTTP's: each line's `\n`, a binary body's two
///   quotes, gap lines and heartbeat lines whole.
/// - With the server's compression on and a request that accepts gzip, the stream is one gzip
///   member flushed after every write, as SSE's is.
public struct HTTPStreamingEndpoint: HTTPRoute {
    public let transport: TransportKind? = .httpStreaming
    public let path = "/stream"

    public init() {}

    /// One heartbeat: an empty line.
    public static let heartbeat = ByteBuffer(string: "\n")

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let (cursor, encoding) = try PollResponse.parameters(request, configuration: context.configuration)
        let heartbeat = try request.unsignedParameter("heartbeat").map { TimeAmount.milliseconds(Int64($0)) }

        let body = try context.streamingBody(for: request, writer: writer)
        var headers: HTTPHeaders = ["Content-Type": "application/x-ndjson"]
        headers.add(contentsOf: body.fields)
        try await writer.writeHead(status: .ok, headers: context.responseHeaders(.fetchStream, headers))
        // Each batch is written from the connection's event loop as it is published.
        let meter = context.meter
        let ending = await context.hub.stream(after: cursor, heartbeat: heartbeat, to: writer.channel) { batch in
            switch batch.reason {
            case .finished, .cancelled:
                return nil
            case .timedOut:
                meter.countHeartbeat()
                meter.countLayerFraming(Self.heartbeat.readableBytes)
                return try? body.writeNow(Self.heartbeat)
            case .available:
                let (lines, framing) = Self.lines(batch, encoding: encoding)
                meter.countLayerFraming(framing)
                return try? body.writeNow(lines)
            }
        }
        if ending == .finished { try await body.end() }
    }

    /// One batch as the stream carries it: a gap line, then a line for each event; and how many
    /// of those bytes are the format's framing rather than event bodies.
    static func lines(_ batch: EventHub.Batch, encoding: Encoding) -> (lines: ByteBuffer, framing: Int) {
        var lines = ByteBuffer()
        var framing = 0
        if let gap = batch.gap {
            framing += lines.writeString("{\"gap\":\"\(GapNotice.text(gap))\"}\n")
        }
        let quote = encoding.isBinary ? "\"" : ""
        for stored in batch.events {
            framing += lines.writeString(quote)
            lines.writeImmutableBuffer(stored.textBody(encoding)!)
            framing += lines.writeString(quote + "\n")
        }
        return (lines, framing)
    }
}
