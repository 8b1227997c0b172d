import BenchCore
import NIOCore

/// Server-Sent Events' client half: one `text/event-stream` request, read as it arrives, with
/// the reconnection rules of `EventSource`.
///
/// With compression on, the request offers gzip (unless the header profile already offers) and a
/// gzip stream is decoded read by read, so events are parsed as they arrive; a stream labelled
/// gzip that does not decode is an error that ends the connection, as a broken stream does.
///
/// When the stream ends or breaks before the run is over, the client waits the server's
/// `retry:` time (growing with full jitter after repeated failures) and reconnects with
/// `Last-Event-ID`, so nothing is lost and nothing arrives twice.
public struct ServerSentEventsClient: TransportClient {
    public let kind = TransportKind.serverSentEvents
    public var variant: String { "event-stream" }

    public init() {}

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let codec = EventCodec(target.scenario.encoding)
        var query = "\(ServerSentEventsEndpoint().path)?encoding=\(target.scenario.encoding.rawValue)"
        if let heartbeat = target.scenario.heartbeatIntervalSeconds { query += "&heartbeat=\(Int((heartbeat * 1000).rounded()))" }
        // EventSource cannot set headers: the token travels in the query, as a browser's must.
        query += target.tokenQuery(.eventSource)
        let arrivals = Arrivals(for: recorder, resume: EventStreamBody.Resume())
        // The server's retry time (1 s until it names one), plus exponential growth with jitter
        // if failures repeat.
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x55E, retryBaseSeconds: 1)
        await loop.run(recorder: &recorder) { loop, recorder in
            try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                recorder.noteConnectionOpened()
                let compression = CompressionCounter()
                defer { recorder.compression = recorder.compression + compression.tally }
                let fields = HTTPClientConnection.offeringGzip(
                    target.requestFields(.eventSource), if: target.scenario.compression.enabled)
                var head = connection.get(query, fields: fields)
                if let lastEventID = arrivals.resume.lastEventID { head.headers.add(name: "Last-Event-ID", value: lastEventID) }
                recorder.requestsSent += 1
                defer {
                    let resume = arrivals.resume
                    if let retry = resume.retryMilliseconds { loop.retryBaseSeconds = Double(retry) / 1000 }
                    if arrivals.takeProgress() { loop.resetBackoff() }
                }
                let parser = EventStreamBody(codec: codec, resume: arrivals.resume)
                try await connection.exchange(
                    head, receiver: StreamedResponseReceiver(request: head, parser: parser, counter: compression, arrivals: arrivals))
            }
            // The stream ended before the run did: no error, but a reconnect.
            return .endedEarly(noting: nil)
        }
        arrivals.collect(into: &recorder)
    }
}
