import BenchCore

/// Short polling's client half: a GET every poll interval with the last sequence seen.
///
/// Polls follow a fixed-rate schedule (a late poll does not shift the later ones), starting at a
/// random phase within the first interval so clients are not synchronised. The first poll goes
/// out at once. With ``ConnectionMode/perRequest`` each poll opens a new TCP connection and asks
/// the server to close it (`Connection: close`).
public struct ShortPollingClient: TransportClient {
    public let kind = TransportKind.shortPolling
    public let connectionMode: ConnectionMode
    public var variant: String { connectionMode.rawValue }

    public init(connectionMode: ConnectionMode) {
        self.connectionMode = connectionMode
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let scenario = target.scenario
        let interval = Duration.seconds(scenario.pollIntervalSeconds)
        var generator = SeededGenerator(seed: scenario.seed &+ UInt64(target.clientIndex) &* 0x2545_F491_4F6C_DD1D)
        let phase = interval * generator.nextUnitInterval()
        let session = PollingSession(target: target, connectionMode: connectionMode, path: ShortPollingEndpoint().path, kind: .shortPoll, recorder: recorder)
        var nextPoll: ContinuousClock.Instant? = nil
        await session.run(recorder: &recorder) {
            // Waits for this poll's slot on the schedule.
            guard let slot = nextPoll else {
                nextPoll = ContinuousClock.now + phase
                return
            }
            try await Task.sleep(until: slot, clock: .continuous)
            let now = ContinuousClock.now
            nextPoll = Swift.max(slot + interval, now)
        }
    }
}
