import BenchCore
import NIOCore

/// A `text/event-stream` body as an `EventSource` reads it (``SSEParser``): each message an
/// event (its data decoded, base64 first for binary encodings) or, typed `gap`, a gap notice.
struct EventStreamBody: StreamedBodyParser {
    /// What a client resumes from: the last event ID (`Last-Event-ID`) and the server's
    /// `retry:` time, once named.
    struct Resume: Sendable {
        var lastEventID: String?
        var retryMilliseconds: Int?
    }

    private let codec: EventCodec
    private var parser: SSEParser

    init(codec: EventCodec, resume: Resume) {
        self.codec = codec
        parser = SSEParser(lastEventID: resume.lastEventID ?? "")
    }

    mutating func feed(_ bytes: ByteBuffer) throws -> StreamedBody {
        var body = StreamedBody()
        for message in parser.feed(bytes) {
            body.messages += 1
            if message.type == "gap" {
                if let gap = GapNotice.parse(message.data) { body.gaps.append(gap) }
            } else {
                body.events.append(try codec.decodeText(message.data))
            }
        }
        return body
    }

    func update(_ resume: inout Resume) {
        if !parser.lastEventID.isEmpty { resume.lastEventID = parser.lastEventID }
        if let retry = parser.retryMilliseconds { resume.retryMilliseconds = retry }
    }
}
