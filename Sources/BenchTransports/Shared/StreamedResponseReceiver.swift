import BenchCore
import NIOCore
import NIOHTTP1

/// What a streamed response's body format (an event stream, NDJSON lines, gRPC-Web frames) makes
/// of the bytes of each read: a parser fed as the network delivers, across any split.
protocol StreamedBodyParser {
    /// What a client resumes from after a reconnect (a cursor, the last event ID).
    associatedtype Resume: Sendable

    /// Parses the decoded bytes of one read: the events and announced gaps they completed, and
    /// how many messages (events, gap notices) that was.
    ///
    /// - Throws: when the bytes break the format; the exchange then ends with the error.
    mutating func feed(_ bytes: ByteBuffer) throws -> StreamedBody

    /// Carries what the messages fed so far say about resuming into `resume`.
    func update(_ resume: inout Resume)

    /// Refuses a 200 response whose head this format cannot read (gRPC-Web: another content
    /// type). Default: every head is read.
    func check(_ head: HTTPResponseHead) throws

    /// Refuses a body that ended where the format says it may not (gRPC-Web: inside a frame,
    /// or before the trailers). Default: a body may end anywhere.
    func finish() throws
}

extension StreamedBodyParser {
    func check(_ head: HTTPResponseHead) throws {}
    func finish() throws {}
}

/// What one read of a streamed body brought.
struct StreamedBody: Sendable {
    var events: [Event] = []
    var gaps: [ClosedRange<UInt64>] = []
    /// Messages completed, notices included: any at all is progress.
    var messages = 0
}

/// Reads one streamed response (an event stream, NDJSON lines, gRPC-Web frames) on the event
/// loop: each read is decoded (gzip when the response says so), parsed, and its events recorded
/// in ``Arrivals`` in the read that brought them.
///
/// A response other than 200 is read whole and ends the exchange with its status and body.
final class StreamedResponseReceiver<Parser: StreamedBodyParser>: ResponseReceiver, @unchecked Sendable {
    // Used on the connection's event loop only, while the exchange runs.
    private let request: HTTPRequestHead
    private let counter: CompressionCounter
    private let arrivals: Arrivals<Parser.Resume>
    private var decoding: ResponseDecoding?
    private var refused: HTTPResponseStatus?
    private var refusal = ByteBuffer()
    private var parser: Parser

    init(request: HTTPRequestHead, parser: Parser, counter: CompressionCounter, arrivals: Arrivals<Parser.Resume>) {
        (self.request, self.parser, self.counter, self.arrivals) = (request, parser, counter, arrivals)
    }

    func receiveHead(_ head: HTTPResponseHead) throws {
        decoding = try ResponseDecoding(request: request, response: head, counter: counter)
        guard head.status == .ok else {
            refused = head.status
            return
        }
        try parser.check(head)
        arrivals.progress.markReady()
    }

    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws {
        guard refused == nil else {
            var part = part
            refusal.writeBuffer(&part)
            return
        }
        // Each read decodes at once: the server flushes its gzip stream after every write.
        let body = try parser.feed(try decoding!.decode(part))
        let parser = self.parser
        arrivals.record { state in
            for gap in body.gaps { state.recorder.ledger.recordAnnouncedGap(gap) }
            for event in body.events { state.recorder.deliver(event, receivedAt: arrivedAt) }
            parser.update(&state.resume)
            if body.messages > 0 { state.progressed = true }
        }
    }

    func receiveEnd(arrivedAt: UInt64) throws {
        if let refused {
            throw HTTPClientError.status(refused, String(buffer: try decoding!.decodeWhole(refusal)))
        }
        try decoding?.finish()
        try parser.finish()
    }
}
