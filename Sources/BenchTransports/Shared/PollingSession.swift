import BenchCore
import NIOCore

/// The request loop short and long polling share: GETs with a cursor (HTTP/1.1 or HTTP/2), on one kept-alive
/// connection or a new connection per request, reconnecting with backoff after a failure.
struct PollingSession {
    let target: ClientTarget
    let connectionMode: ConnectionMode
    let path: String
    /// Which of the profile's request heads the polls carry.
    let kind: HeaderProfile.Kind
    /// Extra query text appended to every request, such as `&timeout=30000`.
    var extraQuery = ""
    private var receiver: PollReceiver

    init(target: ClientTarget, connectionMode: ConnectionMode, path: String, kind: HeaderProfile.Kind, extraQuery: String = "") {
        self.target = target
        self.kind = kind
        self.connectionMode = connectionMode
        self.path = path
        self.extraQuery = extraQuery
        self.receiver = PollReceiver(encoding: target.scenario.encoding)
    }

    /// Polls until the run asks the client to stop or cancels it; `beforePoll` runs before every
    /// request (it may sleep).
    mutating func run(recorder: inout DeliveryRecorder, beforePoll: () async throws -> Void) async {
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex))
        await loop.run(recorder: &recorder) { loop, recorder in
            switch connectionMode {
            case .keepAlive:
                try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                    recorder.connectionsOpened += 1
                    while true {
                        try await beforePoll()
                        if recorder.progress.isStopRequested { return }
                        try await poll(&connection, recorder: &recorder)
                        loop.resetBackoff()
                    }
                }
                return .finished  // the connection's loop returns only once the run asks to stop
            case .perRequest:
                while true {
                    try await beforePoll()
                    if recorder.progress.isStopRequested { return .finished }
                    try await HTTPClientConnection.withConnection(to: target, version: target.scenario.httpVersion) { connection in
                        recorder.connectionsOpened += 1
                        try await poll(&connection, recorder: &recorder)
                        loop.resetBackoff()
                    }
                }
            }
        }
    }

    private mutating func poll(_ connection: inout HTTPClientConnection, recorder: inout DeliveryRecorder) async throws {
        let head = connection.get(
            receiver.uri(path: path, extra: extraQuery), fields: target.scenario.headers.request(kind), close: connectionMode == .perRequest)
        let progress = recorder.progress
        let (responseHead, body) = try await connection.exchange(head) { response in
            progress.markReady()
            return (try await response.readHead(), try await response.readBody())
        }
        recorder.requestsSent += 1
        try receiver.receive(responseHead, body, into: &recorder)
    }
}
