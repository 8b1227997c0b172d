import BenchCore
import BenchServer
import NIOCore
import NIOHTTP1

/// The response format shared by short and long polling: a batch of encoded events.
///
/// `200` with a batch body (`[]` when nothing is new, counted as an empty response), and a
/// `Bench-Gap: FIRST-LAST` header when the cursor fell out of the server's retention window.
/// With the server's compression on, a body of at least `gzipMinLength` bytes goes gzip to a
/// request that accepts it (``EndpointContext/encodeBody(_:for:)``).
enum PollResponse {
    static let gapHeader = "Bench-Gap"

    /// Reads `after` (default 0) and `encoding` from the request.
    static func parameters(_ request: HTTPRequest, configuration: ServerConfiguration) throws(HTTPRequestError) -> (cursor: UInt64, encoding: Encoding) {
        let encoding = try request.encodingParameter()
        guard configuration.encodings.contains(encoding) else {
            throw HTTPRequestError(message: "this server does not serve encoding '\(encoding.rawValue)'")
        }
        return (try request.unsignedParameter("after") ?? 0, encoding)
    }

    /// Writes the batch as the answer to `request`, with the profile's response head for `kind`.
    static func write(
        _ batch: EventHub.Batch, to request: HTTPRequest, kind: HeaderProfile.Kind, encoding: Encoding,
        writer: HTTPResponseWriter, context: EndpointContext
    ) async throws {
        let (headers, body) = try response(batch, to: request, kind: kind, encoding: encoding, context: context)
        try await writer.respond(status: .ok, headers: headers, body: body)
    }

    /// ``write(_:to:kind:encoding:writer:context:)`` from the connection's event loop.
    static func writeNow(
        _ batch: EventHub.Batch, to request: HTTPRequest, kind: HeaderProfile.Kind, encoding: Encoding,
        writer: HTTPResponseWriter, context: EndpointContext
    ) throws -> EventLoopFuture<Void> {
        let (headers, body) = try response(batch, to: request, kind: kind, encoding: encoding, context: context)
        return writer.respondNow(status: .ok, headers: headers, body: body)
    }

    /// The answer's head fields and body (counting an empty answer).
    private static func response(
        _ batch: EventHub.Batch, to request: HTTPRequest, kind: HeaderProfile.Kind, encoding: Encoding, context: EndpointContext
    ) throws -> (HTTPHeaders, ByteBuffer) {
        if batch.events.isEmpty { context.meter.countEmptyResponse() }
        var gap: HTTPHeaders = [:]
        if let range = batch.gap { gap.add(name: gapHeader, value: GapNotice.text(range)) }
        let batchBody = EventCodec.batch(of: batch.events.map { $0.body(encoding)! }, encoding: encoding)
        let (body, fields) = try context.encodeBody(batchBody, for: request)
        var own: HTTPHeaders = ["Content-Type": EventCodec.batchContentType(encoding)]
        own.add(contentsOf: fields)
        return (context.responseHeaders(kind, own, trailing: gap), body)
    }
}

/// The client side of a poll: decodes a batch response and records its events.
struct PollReceiver: Sendable {
    /// The highest sequence received or skipped (after an announced gap); the next poll asks for
    /// what comes after it.
    private(set) var cursor: UInt64 = 0
    let encoding: Encoding

    init(encoding: Encoding) {
        self.encoding = encoding
    }

    /// The request URI for the next poll.
    func uri(path: String, extra: String = "") -> String {
        "\(path)?after=\(cursor)&encoding=\(encoding.rawValue)\(extra)"
    }

    /// The events of one response.
    static func decode(_ head: HTTPResponseHead, _ body: ByteBuffer, codec: EventCodec) throws -> [Event] {
        guard head.status == .ok else {
            throw HTTPClientError.status(head.status, String(buffer: body))
        }
        return try codec.decodeBatch(body)
    }

    /// Records the events of one response (and its announced gap) as arrived at `receivedAt`.
    @discardableResult
    mutating func record(_ events: [Event], head: HTTPResponseHead, receivedAt: UInt64, into recorder: inout DeliveryRecorder) -> Int {
        if let gap = head.headers.first(name: PollResponse.gapHeader).flatMap(GapNotice.parse) {
            recorder.ledger.recordAnnouncedGap(gap)
            cursor = Swift.max(cursor, gap.upperBound)
        }
        for event in events {
            recorder.deliver(event, receivedAt: receivedAt)
            cursor = Swift.max(cursor, event.sequence)
        }
        return events.count
    }
}

/// Reads one poll's response on the event loop and records its events in ``Arrivals`` in the read
/// that ends it (the response is decoded whole: gzip, then the batch), as arrived at that read.
final class PollResponseReceiver: ResponseReceiver, @unchecked Sendable {
    // Used on the connection's event loop only, while the exchange runs.
    private let request: HTTPRequestHead
    private let codec: EventCodec
    private let counter: CompressionCounter
    private let arrivals: Arrivals<PollReceiver>
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    init(request: HTTPRequestHead, codec: EventCodec, counter: CompressionCounter, arrivals: Arrivals<PollReceiver>) {
        (self.request, self.codec, self.counter, self.arrivals) = (request, codec, counter, arrivals)
    }

    func receiveHead(_ head: HTTPResponseHead) throws { self.head = head }

    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws {
        var part = part
        body.writeBuffer(&part)
    }

    func receiveEnd(arrivedAt: UInt64) throws {
        guard let head else { throw HTTPClientError.connectionClosed }
        let plain = try ResponseDecoding(request: request, response: head, counter: counter).decodeWhole(body)
        let events = try PollReceiver.decode(head, plain, codec: codec)
        arrivals.record { state in _ = state.resume.record(events, head: head, receivedAt: arrivedAt, into: &state.recorder) }
    }
}
