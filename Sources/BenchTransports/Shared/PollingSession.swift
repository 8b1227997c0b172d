import BenchCore
import NIOCore

/// The request loop short and long polling share: HTTP/1.1 GETs with a cursor, on one kept-alive
/// connection or a new connection per request, reconnecting with backoff after a failure.
struct PollingSession {
    let target: ClientTarget
    let connectionMode: ConnectionMode
    let path: String
    /// Extra query text appended to every request, such as `&timeout=30000`.
    var extraQuery = ""
    private var receiver: PollReceiver
    private var backoff: Backoff

    init(target: ClientTarget, connectionMode: ConnectionMode, path: String, extraQuery: String = "") {
        self.target = target
        self.connectionMode = connectionMode
        self.path = path
        self.extraQuery = extraQuery
        self.receiver = PollReceiver(encoding: target.scenario.encoding)
        self.backoff = Backoff(seed: target.scenario.seed ^ UInt64(target.clientIndex))
    }

    /// Polls until the run asks the client to stop or cancels it; `beforePoll` runs before every
    /// request (it may sleep).
    mutating func run(recorder: inout DeliveryRecorder, beforePoll: () async throws -> Void) async {
        while !Task.isCancelled && !recorder.progress.isStopRequested {
            do {
                switch connectionMode {
                case .keepAlive:
                    try await HTTP1Connection.withConnection(to: target) { connection in
                        recorder.connectionsOpened += 1
                        while true {
                            try await beforePoll()
                            if recorder.progress.isStopRequested { return }
                            try await poll(&connection, recorder: &recorder)
                        }
                    }
                case .perRequest:
                    while true {
                        try await beforePoll()
                        if recorder.progress.isStopRequested { return }
                        try await HTTP1Connection.withConnection(to: target) { connection in
                            recorder.connectionsOpened += 1
                            try await poll(&connection, recorder: &recorder)
                        }
                    }
                }
            } catch {
                if Task.isCancelled || error is CancellationError || recorder.progress.isStopRequested { return }
                recorder.noteConnectionError(error)
                recorder.reconnects += 1
                do { try await backoff.wait() } catch { return }
            }
        }
    }

    private mutating func poll(_ connection: inout HTTP1Connection, recorder: inout DeliveryRecorder) async throws {
        let head = connection.get(receiver.uri(path: path, extra: extraQuery), close: connectionMode == .perRequest)
        try await connection.write(head)
        recorder.requestsSent += 1
        recorder.progress.markReady()
        let responseHead = try await connection.readHead()
        var body = ByteBuffer()
        while var part = try await connection.readBodyPart() { body.writeBuffer(&part) }
        try receiver.receive(responseHead, body, into: &recorder)
        backoff.reset()
    }
}
