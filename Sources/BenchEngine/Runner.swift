import BenchCore
import BenchServer
import BenchTransports

/// Where a run is, for progress lines on long runs.
public struct RunProgress: Sendable {
    public enum Phase: String, Sendable { case connecting, publishing, draining }
    public var transport: TransportKind
    public var variant: String
    public var phase: Phase
    public var elapsedSeconds: Double
    /// Planned publishing time, in seconds.
    public var plannedSeconds: Double
    public var eventsPublished: Int
    public var eventsPlanned: Int
    /// Distinct deliveries so far, over all clients.
    public var deliveries: Int
    public var deliveriesExpected: Int
}

/// Runs one scenario over one transport and measures it.
///
/// It starts a ``LoopbackServer``, starts `C` clients of the transport, waits until every client
/// is ready, publishes the scenario's events on its schedule, waits until every client has every
/// event (or the drain timeout passes), stops the clients, waits for the server to see every
/// connection close, and turns the ledgers, histograms and wire counts into a ``RunResult``.
///
/// ```swift
/// let result = try await Runner().run(.defaults, client: LongPollingClient(connectionMode: .keepAlive))
/// ```
public struct Runner: Sendable {
    /// How long clients may take to become ready.
    public var readyTimeout: Duration = .seconds(15)
    /// Called about once a second while the run goes on.
    public var onProgress: (@Sendable (RunProgress) -> Void)?

    public init(onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.onProgress = onProgress
    }

    /// How long to wait after the last publish for every client to have every event.
    public static func drainTimeout(for scenario: Scenario) -> Duration {
        .seconds(Swift.max(2.0, 2 * scenario.pollIntervalSeconds + 0.5))
    }

    public func run(_ scenario: Scenario, client: some TransportClient) async throws -> RunResult {
        try scenario.validate()
        let schedule = EventSchedule(scenario)
        let payloads = PayloadFactory(byteCount: scenario.payloadBytes, seed: scenario.seed)
        let configuration = ServerConfiguration(retainedEvents: scenario.retainedEvents, encodings: [scenario.encoding])
        let eventCount = schedule.offsetsNanoseconds.count
        let expected = eventCount * scenario.clients

        return try await withLoopbackServer(configuration: configuration, routes: TransportCatalog.routes) { server in
            let progresses = (0..<scenario.clients).map { _ in ClientProgress() }
            func report(_ phase: RunProgress.Phase, since start: ContinuousClock.Instant, published: Int) {
                onProgress?(
                    RunProgress(
                        transport: client.kind, variant: client.variant, phase: phase,
                        elapsedSeconds: (ContinuousClock.now - start).seconds, plannedSeconds: scenario.durationSeconds,
                        eventsPublished: published, eventsPlanned: eventCount,
                        deliveries: progresses.reduce(0) { $0 + $1.delivered }, deliveriesExpected: expected
                    )
                )
            }

            var encodedSizes: [Int] = []
            encodedSizes.reserveCapacity(eventCount)
            let (recorders, wallSeconds) = try await withThrowingTaskGroup(of: (Int, DeliveryRecorder).self) { group in
                for index in 0..<scenario.clients {
                    let target = ClientTarget(host: server.host, port: server.port, clientIndex: index, scenario: scenario)
                    let progress = progresses[index]
                    group.addTask {
                        var recorder = DeliveryRecorder(progress: progress)
                        await client.run(target, recorder: &recorder)
                        return (index, recorder)
                    }
                }

                let connectStart = ContinuousClock.now
                let allReady = await poll(until: connectStart + readyTimeout) { progresses.allSatisfy(\.isReady) }
                guard allReady else {
                    group.cancelAll()
                    let ready = progresses.filter(\.isReady).count
                    throw BenchError.runFailed(
                        "only \(ready) of \(scenario.clients) \(client.kind.rawValue) clients connected within \(readyTimeout); see the server's limits"
                    )
                }

                // Publish on the schedule.
                let start = ContinuousClock.now
                var lastReport = start
                for (index, offset) in schedule.offsetsNanoseconds.enumerated() {
                    let payload = payloads.payload(for: UInt64(index + 1))
                    try await Task.sleep(until: start + .nanoseconds(Int64(offset)), clock: .continuous)
                    let stored = server.hub.publish(payload: payload)
                    encodedSizes.append(stored.body(scenario.encoding)!.readableBytes)
                    if ContinuousClock.now - lastReport >= .seconds(1) {
                        lastReport = .now
                        report(.publishing, since: start, published: index + 1)
                    }
                }

                // Drain: wait until every client has every event, or the drain timeout.
                let drainDeadline = ContinuousClock.now + Self.drainTimeout(for: scenario)
                _ = await poll(until: drainDeadline) {
                    if ContinuousClock.now - lastReport >= .seconds(1) {
                        lastReport = .now
                        report(.draining, since: start, published: eventCount)
                    }
                    return progresses.allSatisfy { $0.delivered >= eventCount }
                }
                let wallSeconds = (ContinuousClock.now - start).seconds
                group.cancelAll()
                var recorders = [DeliveryRecorder?](repeating: nil, count: scenario.clients)
                for try await (index, recorder) in group { recorders[index] = recorder }
                return (recorders.map { $0! }, wallSeconds)
            }

            // Every client has closed its connections; wait for the server to see each close so
            // the byte totals are final.
            let allClosed = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            return RunResult(
                scenario: scenario,
                transport: client.kind,
                variant: client.variant,
                recorders: recorders,
                encodedSizes: encodedSizes,
                traffic: server.traffic.allTotals,
                wallSeconds: wallSeconds,
                connectionsStillOpen: allClosed ? 0 : server.traffic.openConnectionCount
            )
        }
    }

    /// Checks `condition` every millisecond until it holds (true) or `deadline` passes (false).
    private func poll(until deadline: ContinuousClock.Instant, _ condition: () -> Bool) async -> Bool {
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}
