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
        if batch.events.isEmpty { context.meter.countEmptyResponse() }
        var gap: HTTPHeaders = [:]
        if let range = batch.gap { gap.add(name: gapHeader, value: GapNotice.text(range)) }
        let batchBody = EventCodec.batch(of: batch.events.map { $0.body(encoding)! }, encoding: encoding)
        let (body, fields) = try context.encodeBody(batchBody, for: request)
        var own: HTTPHeaders = ["Content-Type": EventCodec.batchContentType(encoding)]
        own.add(contentsOf: fields)
        try await writer.respond(status: .ok, headers: context.responseHeaders(kind, own, trailing: gap), body: body)
    }
}

/// The client side of a poll: decodes a batch response and records its events.
struct PollReceiver {
    /// The highest sequence received or skipped (after an announced gap); the next poll asks for
    /// what comes after it.
    private(set) var cursor: UInt64 = 0
    private let codec: EventCodec

    init(encoding: Encoding) {
        self.codec = EventCodec(encoding)
    }

    /// The request URI for the next poll.
    func uri(path: String, extra: String = "") -> String {
        "\(path)?after=\(cursor)&encoding=\(codec.encoding.rawValue)\(extra)"
    }

    /// Records the events of one response; returns how many it carried.
    @discardableResult
    mutating func receive(_ head: HTTPResponseHead, _ body: ByteBuffer, into recorder: inout DeliveryRecorder) throws -> Int {
        guard head.status == .ok else {
            throw HTTPClientError.status(head.status, String(buffer: body))
        }
        let events = try codec.decodeBatch(body)
        let receivedAt = MonotonicClock.nowNanoseconds()
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
