import BenchCore
import NIOCore

/// HTTP streaming's client half: one `fetch` of `/stream`, its NDJSON lines read as they arrive.
///
/// When the response ends or breaks before the run is over, the client reconnects with
/// `after=` the last sequence it read (at once, then backing off with full jitter if failures
/// repeat, as the WebSocket client does: a `fetch` has no `retry:` of its own), so
/// nothing is lost and nothing arrives twice. With compression on, the request offers gzip and
/// the stream is decoded read by read.
public struct HTTPStreamingClient: TransportClient {
    public let kind = TransportKind.httpStreaming
    public var variant: String { "ndjson" }

    public init() {}

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let codec = EventCodec(target.scenario.encoding)
        var query = "\(HTTPStreamingEndpoint().path)?encoding=\(target.scenario.encoding.rawValue)"
        if let heartbeat = target.scenario.heartbeatIntervalSeconds { query += "&heartbeat=\(Int((heartbeat * 1000).rounded()))" }
        let arrivals = Arrivals(for: recorder, resume: NDJSONBody.Resume())
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x5EA)
        await loop.run(recorder: &recorder) { loop, recorder in
            try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                recorder.noteConnectionOpened()
                let compression = CompressionCounter()
                defer { recorder.compression = recorder.compression + compression.tally }
                let fields = HTTPClientConnection.offeringGzip(
                    target.requestFields(.fetchStream), if: target.scenario.compression.enabled)
                let head = connection.get(query + "&after=\(arrivals.resume.after)", fields: fields)
                recorder.requestsSent += 1
                defer { if arrivals.takeProgress() { loop.resetBackoff() } }
                let parser = NDJSONBody(codec: codec)
                try await connection.exchange(
                    head, receiver: StreamedResponseReceiver(request: head, parser: parser, counter: compression, arrivals: arrivals))
            }
            // The response ended before the run did: no error, but a reconnect.
            return .endedEarly(noting: nil)
        }
        arrivals.collect(into: &recorder)
    }
}
