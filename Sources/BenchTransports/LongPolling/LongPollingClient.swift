import BenchCore

/// Long polling's client half: a GET that the server holds until an event exists, re-sent at
/// once after every response.
public struct LongPollingClient: TransportClient {
    public let kind = TransportKind.longPolling
    public let connectionMode: ConnectionMode
    public var variant: String { connectionMode.rawValue }

    public init(connectionMode: ConnectionMode) {
        self.connectionMode = connectionMode
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let timeoutMilliseconds = Int((target.scenario.longPollTimeoutSeconds * 1000).rounded())
        let session = PollingSession(
            target: target,
            connectionMode: connectionMode,
            path: LongPollingEndpoint().path,
            kind: .longPoll,
            extraQuery: "&timeout=\(timeoutMilliseconds)",
            recorder: recorder
        )
        await session.run(recorder: &recorder) {}
    }
}
