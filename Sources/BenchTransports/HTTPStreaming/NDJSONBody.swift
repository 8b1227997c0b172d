import BenchCore
import Foundation
import NIOCore

/// An NDJSON body (newline-delimited JSON 1.0) as HTTP streaming's client reads it: lines split
/// on `\n` across reads, empty lines (heartbeats) skipped, `{"gap":"FIRST-LAST"}` a gap notice,
/// a JSON string a binary event's base64, any other line an event's JSON.
struct NDJSONBody: StreamedBodyParser {
    /// What a client resumes from: the last sequence it read (`after=`).
    struct Resume: Sendable {
        var after: UInt64 = 0
    }

    /// A line that is not an event, a gap notice or empty.
    struct MalformedLine: Error, CustomStringConvertible {
        var line: String
        var description: String { "malformed NDJSON line: \(line.prefix(80))" }
    }

    private static let gapPrefix = Array(#"{"gap":""#.utf8)

    private let codec: EventCodec
    private var partial: [UInt8] = []
    private var last: UInt64?

    init(codec: EventCodec) {
        self.codec = codec
    }

    mutating func feed(_ bytes: ByteBuffer) throws -> StreamedBody {
        var body = StreamedBody()
        partial += bytes.readableBytesView
        var start = partial.startIndex
        while let end = partial[start...].firstIndex(of: UInt8(ascii: "\n")) {
            try read(partial[start..<end], into: &body)
            start = end + 1
        }
        partial.removeSubrange(..<start)
        return body
    }

    func update(_ resume: inout Resume) {
        if let last { resume.after = max(resume.after, last) }
    }

    private mutating func read(_ line: ArraySlice<UInt8>, into body: inout StreamedBody) throws {
        guard !line.isEmpty else { return }
        body.messages += 1
        if line.starts(with: Self.gapPrefix), line.last == UInt8(ascii: "}") {
            let text = String(decoding: line.dropFirst(Self.gapPrefix.count).dropLast(2), as: UTF8.self)
            guard let gap = GapNotice.parse(text) else { throw MalformedLine(line: String(decoding: line, as: UTF8.self)) }
            body.gaps.append(gap)
            return
        }
        let event: Event
        if line.first == UInt8(ascii: "\""), line.count >= 2, line.last == UInt8(ascii: "\"") {
            event = try codec.decodeText(String(decoding: line.dropFirst().dropLast(), as: UTF8.self))
        } else {
            event = try codec.decode(ByteBuffer(bytes: line))
        }
        body.events.append(event)
        last = event.sequence
    }
}
