import BenchCore
import BenchServer
import NIOCore
import NIOHTTP1

/// Server-Sent Events' server half: `GET /sse?encoding=E&heartbeat=MS` answers one long
/// `text/event-stream` response over HTTP/1.1 chunked transfer coding.
///
/// - The stream opens with `retry: MS` (the reconnection time the client should use).
/// - Each event is `id: SEQUENCE` and `data: BODY` (binary encodings base64-encoded: SSE
///   carries text only), so a reconnecting client's `Last-Event-ID`
///   header (or `after=N`) resumes right after the last event it saw.
/// - Events that left the retention window are announced as `event: gap` with `data: FIRST-LAST`.
/// - With `heartbeat=MS`, a comment line `:` is sent after every idle interval.
/// - When the run ends the response ends with the terminating chunk.
/// - With the server's compression on and a request whose `Accept-Encoding` accepts gzip, the
///   stream is one gzip member (`Content-Encoding: gzip`, `Vary: Accept-Encoding`): every write
///   below (the retry line, each batch of events with its gap notice, each heartbeat) is
///   compressed with a sync flush and sent at once, so it decodes on arrival; the member's
///   trailer goes out just before the terminating chunk.
public struct ServerSentEventsEndpoint: HTTPRoute {
    public let transport: TransportKind? = .serverSentEvents
    public let path = "/sse"

    public init() {}

    /// One heartbeat: a comment line and the blank line that ends the block.
    public static let heartbeat = ByteBuffer(string: ":\n\n")

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        var (cursor, encoding) = try PollResponse.parameters(request, configuration: context.configuration)
        if let lastEventID = request.head.headers.first(name: "Last-Event-ID") {
            guard let sequence = UInt64(lastEventID.trimmingCharacters(in: .whitespaces)) else {
                throw HTTPRequestError(message: "Last-Event-ID must be an event sequence number, got '\(lastEventID)'")
            }
            cursor = sequence
        }
        let heartbeat = try request.unsignedParameter("heartbeat").map { TimeAmount.milliseconds(Int64($0)) }
        let retry = try request.unsignedParameter("retry") ?? UInt64(context.configuration.sseRetryMilliseconds)

        let body = try context.streamingBody(for: request, writer: writer)
        var headers: HTTPHeaders = ["Content-Type": "text/event-stream"]
        headers.add(contentsOf: body.fields)
        try await writer.writeHead(status: .ok, headers: context.responseHeaders(.eventSource, headers))
        try await body.write(ByteBuffer(string: "retry: \(retry)\n\n"))
        // Each batch is written from the connection's event loop as it is published.
        let (meter, served) = (context.meter, encoding)
        let ending = await context.hub.stream(after: cursor, heartbeat: heartbeat, to: writer.channel) { batch in
            switch batch.reason {
            case .finished, .cancelled:
                return nil
            case .timedOut:
                meter.countHeartbeat()
                return try? body.writeNow(Self.heartbeat)
            case .available:
                return try? body.writeNow(Self.chunk(batch, encoding: served))
            }
        }
        if ending == .finished { try await body.end() }
    }

    /// One batch as the stream carries it: a gap notice, then each event's `id:` and `data:` lines.
    static func chunk(_ batch: EventHub.Batch, encoding: Encoding) -> ByteBuffer {
        var chunk = ByteBuffer()
        if let gap = batch.gap { chunk.writeString("event: gap\ndata: \(GapNotice.text(gap))\n\n") }
        for stored in batch.events {
            chunk.writeString("id: \(stored.event.sequence)\ndata: ")
            chunk.writeImmutableBuffer(stored.textBody(encoding)!)
            chunk.writeString("\n\n")
        }
        return chunk
    }
}
