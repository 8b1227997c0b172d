import BenchCore
import NIOCore
import NIOHTTP1

/// A gRPC-Web response body as the client reads it (``GRPCWebFrameParser``): message frames are
/// events, and the trailers frame ends the call.
///
/// A non-zero `grpc-status` in the trailers is an error; `bench-gap` is an announced gap that
/// moves the cursor past it, and the next call goes at once. A response with another content
/// type, or that ends inside a frame or without trailers, is an error too.
struct GRPCWebBody: StreamedBodyParser {
    /// What the next call resumes from.
    struct Resume: Sendable {
        /// The last sequence received or announced missing.
        var cursor: UInt64 = 0
        /// Whether the last call ended with a gap, so the next one goes at once.
        var calledAgainAfterGap = false
    }

    private let codec: EventCodec
    private var parser: GRPCWebFrameParser
    private var cursor: UInt64 = 0
    private var gap: ClosedRange<UInt64>?

    init(format: GRPCWebFormat, codec: EventCodec) {
        self.codec = codec
        parser = GRPCWebFrameParser(format: format)
    }

    func check(_ head: HTTPResponseHead) throws {
        let type = head.headers.first(name: "Content-Type") ?? ""
        guard GRPCWebFormat.parse(contentType: type)?.format == parser.format else { throw GRPCWebError.contentType(type) }
    }

    mutating func feed(_ bytes: ByteBuffer) throws -> StreamedBody {
        var body = StreamedBody()
        for frame in try parser.feed(bytes) {
            switch frame {
            case .message(let message):
                let event = try codec.decode(message)
                body.events.append(event)
                cursor = max(cursor, event.sequence)
            case .trailers(let trailers):
                if trailers.status != 0 { throw GRPCWebError.status(trailers.status, trailers.message) }
                if let gap = trailers.gap {
                    body.gaps.append(gap)
                    self.gap = gap
                    cursor = max(cursor, gap.upperBound)
                }
            }
            body.messages += 1
        }
        return body
    }

    func update(_ resume: inout Resume) {
        resume.cursor = max(resume.cursor, cursor)
        resume.calledAgainAfterGap = gap != nil
    }

    func finish() throws {
        guard parser.isAtFrameBoundary else { throw GRPCWebError.truncated }
        guard parser.sawTrailers else { throw GRPCWebError.missingTrailers }
    }
}
