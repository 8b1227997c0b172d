import BenchCore
import BenchMessages
import NIOCore
import SwiftProtobuf

/// gRPC-Web's client half: `Subscribe` as a browser's gRPC-Web client makes it, one POST whose
/// streamed response is read frame by frame as it arrives (``GRPCWebBody``).
///
/// The request carries the `Cursor` after the last event received, in one frame (base64 in the
/// text format). When the call ends with a `bench-gap` trailer the client calls again at once
/// after the gap; when the connection drops, or the call ends before the run does, it reconnects
/// with backoff and full jitter from the cursor, so nothing is lost and nothing arrives twice.
public struct GRPCWebClient: TransportClient {
    public let format: GRPCWebFormat
    public var kind: TransportKind { format.kind }
    public var variant: String { "server-streaming" }

    public init(format: GRPCWebFormat) {
        self.format = format
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let (format, encoding) = (format, target.scenario.encoding)
        let arrivals = Arrivals(for: recorder, resume: GRPCWebBody.Resume())
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x6EB)
        await loop.run(recorder: &recorder) { loop, recorder in
            try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                recorder.noteConnectionOpened()
                // A gRPC-Web call is a fetch from the page: the profile's fetch head.
                var head = connection.get(GRPCWebEndpoint.path, fields: target.requestFields(.longPoll))
                head.method = .POST
                let body = try Self.request(after: arrivals.resume.cursor, format: format, encoding: encoding)
                head.headers.add(name: "Content-Type", value: format.contentType(encoding))
                head.headers.add(name: "Content-Length", value: String(body.readableBytes))
                recorder.requestsSent += 1
                defer { if arrivals.takeProgress() { loop.resetBackoff() } }
                arrivals.record { $0.resume.calledAgainAfterGap = false }
                let parser = GRPCWebBody(format: format, codec: EventCodec(encoding))
                let receiver = StreamedResponseReceiver(request: head, parser: parser, counter: CompressionCounter(), arrivals: arrivals)
                try await connection.exchange(head, requestBody: body, receiver: receiver)
            }
            // The receiver has checked the trailers' status and recorded any gap.
            return arrivals.resume.calledAgainAfterGap ? .again : .endedEarly(noting: nil)
        }
        arrivals.collect(into: &recorder)
    }

    /// The request body: one frame carrying `Cursor { after }` in `encoding`, as `format` writes it.
    static func request(after cursor: UInt64, format: GRPCWebFormat, encoding: Encoding) throws -> ByteBuffer {
        let message = Transportbench_Cursor.with { $0.after = cursor }
        let bytes: [UInt8] = encoding == .json ? try message.jsonUTF8Bytes() : try message.serializedBytes()
        return format.encode(GRPCWebFrame.message(ByteBuffer(bytes: bytes)).bytes)
    }
}
