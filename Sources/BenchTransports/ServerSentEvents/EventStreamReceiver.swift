import BenchCore
import NIOCore
import NIOHTTP1

/// Reads one `text/event-stream` response on the event loop: each read is decoded (gzip when
/// the response says so), parsed, and its events recorded in ``Arrivals`` in the read that
/// brought them, as an `EventSource` dispatches them.
///
/// A response other than 200 is read whole and ends the exchange with its status and body.
final class EventStreamReceiver: ResponseReceiver, @unchecked Sendable {
    /// What a client resumes from: the last event ID (`Last-Event-ID`) and the server's
    /// `retry:` time, once named.
    struct Resume: Sendable {
        var lastEventID: String?
        var retryMilliseconds: Int?
    }

    // Used on the connection's event loop only, while the exchange runs.
    private let request: HTTPRequestHead
    private let codec: EventCodec
    private let counter: CompressionCounter
    private let arrivals: Arrivals<Resume>
    private var decoding: ResponseDecoding?
    private var refused: HTTPResponseStatus?
    private var refusal = ByteBuffer()
    private var parser: SSEParser

    init(request: HTTPRequestHead, codec: EventCodec, counter: CompressionCounter, arrivals: Arrivals<Resume>) {
        (self.request, self.codec, self.counter, self.arrivals) = (request, codec, counter, arrivals)
        parser = SSEParser(lastEventID: arrivals.resume.lastEventID ?? "")
    }

    func receiveHead(_ head: HTTPResponseHead) throws {
        decoding = try ResponseDecoding(request: request, response: head, counter: counter)
        guard head.status == .ok else {
            refused = head.status
            return
        }
        arrivals.progress.markReady()
    }

    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws {
        guard refused == nil else {
            var part = part
            refusal.writeBuffer(&part)
            return
        }
        // Each read decodes at once: the server flushes its gzip stream after every write.
        let messages = parser.feed(try decoding!.decode(part))
        var events: [Event] = []
        var gaps: [ClosedRange<UInt64>] = []
        for message in messages {
            if message.type == "gap" {
                if let gap = GapNotice.parse(message.data) { gaps.append(gap) }
            } else {
                events.append(try codec.decodeText(message.data))
            }
        }
        let (lastEventID, retry) = (parser.lastEventID, parser.retryMilliseconds)
        arrivals.record { state in
            for gap in gaps { state.recorder.ledger.recordAnnouncedGap(gap) }
            for event in events { state.recorder.deliver(event, receivedAt: arrivedAt) }
            if !lastEventID.isEmpty { state.resume.lastEventID = lastEventID }
            if let retry { state.resume.retryMilliseconds = retry }
            if !messages.isEmpty { state.progressed = true }
        }
    }

    func receiveEnd(arrivedAt: UInt64) throws {
        if let refused {
            throw HTTPClientError.status(refused, String(buffer: try decoding!.decodeWhole(refusal)))
        }
        try decoding?.finish()
    }
}
