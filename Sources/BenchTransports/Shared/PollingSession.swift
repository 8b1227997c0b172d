import BenchCore
import NIOCore

/// The request loop short and long polling share: GETs with a cursor (HTTP/1.1 or HTTP/2), on one kept-alive
/// connection or a new connection per request, reconnecting with backoff after a failure.
///
/// With compression on, every poll offers gzip and gzip answers are decoded; what the decoder did
/// is counted per connection and added to the recorder's compression tally when the connection
/// ends. A gzip answer that does not decode is an error that ends the connection (the reconnect
/// loop records it and polls again).
struct PollingSession {
    let target: ClientTarget
    let connectionMode: ConnectionMode
    let path: String
    /// Which of the profile's request heads the polls carry.
    let kind: HeaderProfile.Kind
    /// Extra query text appended to every request, such as `&timeout=30000`.
    var extraQuery = ""
    /// Where each response's events are recorded, in the read that ends the response; the
    /// cursor the next poll asks from.
    private let arrivals: Arrivals<PollReceiver>
    private let codec: EventCodec

    init(
        target: ClientTarget, connectionMode: ConnectionMode, path: String, kind: HeaderProfile.Kind, extraQuery: String = "",
        recorder: DeliveryRecorder
    ) {
        self.target = target
        self.kind = kind
        self.connectionMode = connectionMode
        self.path = path
        self.extraQuery = extraQuery
        self.codec = EventCodec(target.scenario.encoding)
        self.arrivals = Arrivals(for: recorder, resume: PollReceiver(encoding: target.scenario.encoding))
    }

    /// Polls until the run asks the client to stop or cancels it; `beforePoll` runs before every
    /// request (it may sleep).
    func run(recorder: inout DeliveryRecorder, beforePoll: () async throws -> Void) async {
        defer { arrivals.collect(into: &recorder) }
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex))
        await loop.run(recorder: &recorder) { loop, recorder in
            switch connectionMode {
            case .keepAlive:
                try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                    recorder.noteConnectionOpened()
                    let compression = CompressionCounter()
                    defer { recorder.compression = recorder.compression + compression.tally }
                    while true {
                        try await beforePoll()
                        if recorder.progress.isStopRequested { return }
                        try await poll(&connection, compression: compression, recorder: &recorder)
                        loop.resetBackoff()
                    }
                }
                return .finished  // the connection's loop returns only once the run asks to stop
            case .perRequest:
                while true {
                    try await beforePoll()
                    if recorder.progress.isStopRequested { return .finished }
                    try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                        recorder.noteConnectionOpened()
                        let compression = CompressionCounter()
                        defer { recorder.compression = recorder.compression + compression.tally }
                        try await poll(&connection, compression: compression, recorder: &recorder)
                        loop.resetBackoff()
                    }
                }
            }
        }
    }

    /// One poll: offers gzip when the scenario compresses (unless the profile already offers),
    /// decodes a gzip answer (counted in `compression`, the connection's tally) and records its events.
    private func poll(
        _ connection: inout HTTPClientConnection, compression: CompressionCounter, recorder: inout DeliveryRecorder
    ) async throws {
        let fields = HTTPClientConnection.offeringGzip(target.requestFields(kind), if: target.scenario.compression.enabled)
        let head = connection.get(arrivals.resume.uri(path: path, extra: extraQuery), fields: fields, close: connectionMode == .perRequest)
        recorder.progress.markReady()
        try await connection.exchange(head, receiver: PollResponseReceiver(request: head, codec: codec, counter: compression, arrivals: arrivals))
        recorder.requestsSent += 1
    }
}
