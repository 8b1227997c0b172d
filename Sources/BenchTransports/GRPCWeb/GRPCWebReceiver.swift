import BenchCore
import NIOCore
import NIOHTTP1

/// Reads one gRPC-Web response on the event loop: each read's frames are parsed (across read
/// boundaries, and base64 quads in the text format) and its events recorded in ``Arrivals`` in
/// the read that brought them.
///
/// The trailers end the call: a non-zero `grpc-status` is an error; `bench-gap` is recorded in
/// the ledger as an announced gap and moves the cursor past it. A response other than 200, with
/// another content type, or that ends without trailers is an error too.
final class GRPCWebReceiver: ResponseReceiver, @unchecked Sendable {
    /// What the next call resumes from.
    struct Resume: Sendable {
        /// The last sequence received or announced missing.
        var cursor: UInt64 = 0
        /// Whether the last call ended with a gap, so the next one goes at once.
        var calledAgainAfterGap = false
    }

    // Used on the connection's event loop only, while the exchange runs.
    private let codec: EventCodec
    private let arrivals: Arrivals<Resume>
    private var parser: GRPCWebFrameParser
    private var refused: HTTPResponseStatus?
    private var refusal = ByteBuffer()

    init(format: GRPCWebFormat, codec: EventCodec, arrivals: Arrivals<Resume>) {
        (self.codec, self.arrivals) = (codec, arrivals)
        parser = GRPCWebFrameParser(format: format)
        arrivals.record { $0.resume.calledAgainAfterGap = false }
    }

    func receiveHead(_ head: HTTPResponseHead) throws {
        guard head.status == .ok else {
            refused = head.status
            return
        }
        let type = head.headers.first(name: "Content-Type") ?? ""
        guard GRPCWebFormat.parse(contentType: type)?.format == parser.format else { throw GRPCWebError.contentType(type) }
        arrivals.progress.markReady()
    }

    func receiveBody(_ part: ByteBuffer, arrivedAt: UInt64) throws {
        guard refused == nil else {
            var part = part
            refusal.writeBuffer(&part)
            return
        }
        var events: [Event] = []
        var trailers: GRPCWebTrailers?
        for frame in try parser.feed(part) {
            switch frame {
            case .message(let body): events.append(try codec.decode(body))
            case .trailers(let last): trailers = last
            }
        }
        if let trailers, trailers.status != 0 { throw GRPCWebError.status(trailers.status, trailers.message) }
        let gap = trailers?.gap
        arrivals.record { state in
            for event in events {
                state.recorder.deliver(event, receivedAt: arrivedAt)
                state.resume.cursor = max(state.resume.cursor, event.sequence)
            }
            if let gap {
                state.recorder.ledger.recordAnnouncedGap(gap)
                state.resume.cursor = max(state.resume.cursor, gap.upperBound)
                state.resume.calledAgainAfterGap = true
            }
            if !events.isEmpty { state.progressed = true }
        }
    }

    func receiveEnd(arrivedAt: UInt64) throws {
        if let refused { throw HTTPClientError.status(refused, String(buffer: refusal)) }
        guard parser.isAtFrameBoundary else { throw GRPCWebError.truncated }
        guard parser.sawTrailers else { throw GRPCWebError.missingTrailers }
    }
}
