import BenchCore
import Foundation
import BenchServer
import BenchTransports

/// Where a run is, for progress lines on long runs.
public struct RunProgress: Sendable {
    public enum Phase: String, Sendable { case publishing, sending, draining }
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
/// It starts a ``LoopbackServer``, starts `C` clients of the transport and waits until every
/// client is ready. For push it publishes the scenario's events on its schedule until the
/// duration has passed; for echo and
/// upload it opens the clients' start gate and they send on their own schedules. It then waits
/// until every event has arrived (or the drain timeout passes), asks the clients to stop and
/// ends the server's streams (so close handshakes happen on the wire), waits for the server to
/// see every connection close, and turns the ledgers, histograms and wire counts into a
/// ``RunResult``.
///
/// ```swift
/// let result = try await Runner().run(.defaults, client: LongPollingClient(connectionMode: .keepAlive))
/// ```
public struct Runner: Sendable {
    /// How long clients may take to become ready.
    public var readyTimeout: Duration = .seconds(15)
    /// How long clients may take to finish after the run asks them to stop, before they are cancelled.
    public var stopTimeout: Duration = .seconds(2)
    /// Called about once a second while the run goes on.
    public var onProgress: (@Sendable (RunProgress) -> Void)?
    /// The loopback server's port; 0 lets the kernel choose (a capture filter may want a fixed one).
    public var port = 0
    /// The server halves the loopback server offers. The engine does not import gRPC: the
    /// command line adds gRPC's route (BenchGRPC) to these.
    public var routes: Routes

    public init(port: Int = 0, routes: Routes = TransportCatalog.routes, onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.port = port
        self.routes = routes
        self.onProgress = onProgress
    }

    /// How long to wait after the last scheduled event for every client to have every event:
    /// two poll intervals, and with fault injection also the longest reconnect wait (the
    /// backoff's 2 s cap plus SSE's default 1 s retry), and over an emulated link four one-way
    /// delays with their jitter. The wait ends as soon as all have arrived.
    public static func drainTimeout(for scenario: Scenario) -> Duration {
        let reconnect = scenario.dropFraction > 0 ? 3.0 : 0
        // An emulated link: a poll's round trip plus a connection's handshake, with jitter.
        let link = scenario.link.map { 4 * ($0.delaySeconds + $0.jitterSeconds) } ?? 0
        return .seconds(Swift.max(2.0, 2 * scenario.pollIntervalSeconds + 0.5) + reconnect + link)
    }

    /// Runs `modeled` at its time scale (``Scenario/wallClock``) and measures it.
    public func run(_ modeled: Scenario, client: some TransportClient) async throws -> RunResult {
        try modeled.validate()
        let scenario = modeled.wallClock
        guard TransportCatalog.directions(for: client.kind).contains(scenario.direction) else {
            throw BenchError.usage("\(client.kind.rawValue) cannot carry direction \(scenario.direction.rawValue)")
        }
        let schedule = EventSchedule(scenario)
        let payloads = PayloadFactory(byteCount: scenario.payloadBytes, seed: scenario.seed)
        var configuration = ServerConfiguration(port: port, retainedEvents: scenario.retainedEvents, encodings: [scenario.encoding])
        configuration.link = scenario.link
        configuration.linkSeed = scenario.seed
        configuration.maxConnections = Swift.max(configuration.maxConnections, scenario.clients + 1000)
        // Both ends of every connection live in this process, plus room for the rest.
        try OpenFileLimit.ensure(2 * scenario.clients + 256, for: "\(scenario.clients) clients (two descriptors per connection: both ends are in this process)")
        // Thousands of connections take a while to open.
        let readyTimeout = Swift.max(self.readyTimeout, .seconds(scenario.clients / 250))
        // Held long polls and quiet streams are not idle connections.
        let quiet = Swift.max(scenario.longPollTimeoutSeconds, scenario.heartbeatIntervalSeconds ?? 0)
        configuration.idleTimeout = .seconds(Swift.max(300, Int64((2 * quiet).rounded(.up))))
        let eventCount = schedule.offsetsNanoseconds.count
        let expected = eventCount * scenario.clients

        guard routes.serves(client.kind) else {
            throw BenchError.usage("the server has no endpoint for \(client.kind.rawValue)")
        }
        return try await withLoopbackServer(configuration: configuration, routes: routes) { server in
            let progresses = (0..<scenario.clients).map { _ in ClientProgress() }
            // Where arrivals are counted: at the clients, or at the server for uploads.
            let arrivals = scenario.direction == .upload ? (0..<scenario.clients).map { server.uploads.session(for: $0).progress } : progresses
            let gate = StartGate()
            var lastReport = ContinuousClock.now
            func report(_ phase: RunProgress.Phase, since start: ContinuousClock.Instant, published: Int) {
                guard ContinuousClock.now - lastReport >= .seconds(1) else { return }
                lastReport = .now
                onProgress?(
                    RunProgress(
                        transport: client.kind, variant: client.variant, phase: phase,
                        elapsedSeconds: (ContinuousClock.now - start).seconds, plannedSeconds: scenario.durationSeconds,
                        eventsPublished: published, eventsPlanned: eventCount,
                        deliveries: arrivals.reduce(0) { $0 + $1.delivered }, deliveriesExpected: expected
                    )
                )
            }

            _ = ProcessResources.resetPeakResident()
            let cpuBefore = ProcessResources.now()
            var connectionsDropped = 0
            var encodedSizes: [Int] = []
            encodedSizes.reserveCapacity(eventCount)
            let (recorders, wallSeconds) = try await withThrowingTaskGroup(of: (Int, DeliveryRecorder)?.self) { group in
                for index in 0..<scenario.clients {
                    let target = ClientTarget(host: server.host, port: server.port(for: client.kind), clientIndex: index, scenario: scenario, startGate: gate)
                    let progress = progresses[index]
                    group.addTask {
                        var recorder = DeliveryRecorder(progress: progress)
                        await client.run(target, recorder: &recorder)
                        return (index, recorder)
                    }
                }

                let allReady = await poll(until: .now + readyTimeout) { progresses.allSatisfy(\.isReady) }
                guard allReady else {
                    progresses.forEach { $0.requestStop() }
                    group.cancelAll()
                    let ready = progresses.filter(\.isReady).count
                    throw BenchError.runFailed(
                        "only \(ready) of \(scenario.clients) \(client.kind.rawValue) clients connected within \(readyTimeout)"
                    )
                }

                let start = ContinuousClock.now
                let faults = scenario.dropFraction > 0 ? Task { await injectFaults(scenario, traffic: server.traffic) } : nil
                switch scenario.direction {
                case .push:
                    for (index, offset) in schedule.offsetsNanoseconds.enumerated() {
                        let payload = payloads.payload(for: UInt64(index + 1))
                        try await Task.sleep(until: start + .nanoseconds(Int64(offset)), clock: .continuous)
                        let stored = server.hub.publish(payload: payload)
                        encodedSizes.append(stored.body(scenario.encoding)!.readableBytes)
                        report(.publishing, since: start, published: index + 1)
                    }
                    // The run covers the whole duration, so polls and heartbeats between the
                    // last event and the end are counted as the modeled workload has them.
                    let end = start + .seconds(scenario.durationSeconds)
                    while ContinuousClock.now < end {
                        try await Task.sleep(until: Swift.min(end, .now + .seconds(1)), clock: .continuous)
                        report(.publishing, since: start, published: eventCount)
                    }
                case .echo, .upload:
                    gate.open()
                    _ = await poll(until: start + .seconds(scenario.durationSeconds)) {
                        report(.sending, since: start, published: 0)
                        return arrivals.allSatisfy { $0.delivered >= eventCount }
                    }
                }

                faults?.cancel()
                connectionsDropped = await faults?.value ?? 0
                _ = await poll(until: .now + Self.drainTimeout(for: scenario)) {
                    report(.draining, since: start, published: eventCount)
                    return arrivals.allSatisfy { $0.delivered >= eventCount }
                }
                let wallSeconds = (ContinuousClock.now - start).seconds

                // Stop: clients return instead of reconnecting, and the server ends its streams
                // (SSE's last chunk, WebSocket's close handshake). Stragglers are cancelled.
                progresses.forEach { $0.requestStop() }
                server.hub.finish()
                let stopTimeout = self.stopTimeout
                group.addTask {
                    try? await Task.sleep(for: stopTimeout)
                    return nil
                }
                var recorders = [DeliveryRecorder?](repeating: nil, count: scenario.clients)
                var remaining = scenario.clients
                while remaining > 0, let finished = try await group.next() {
                    guard let (index, recorder) = finished else {
                        group.cancelAll()
                        continue
                    }
                    recorders[index] = recorder
                    remaining -= 1
                }
                group.cancelAll()
                return (recorders.map { $0! }, wallSeconds)
            }

            // Every client has closed its connections; wait for the server to see each close so
            // the byte totals are final.
            let allClosed = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            let cpuAfter = ProcessResources.now()
            let outcomes = recorders.enumerated().map { index, recorder in
                ClientOutcome(
                    direction: scenario.direction, recorder: recorder, encodedSizes: encodedSizes,
                    uploads: scenario.direction == .upload ? server.uploads.session(for: index).snapshot : nil,
                    base64Carrier: client.kind == .serverSentEvents && scenario.encoding.isBinary
                )
            }
            var result = RunResult(
                scenario: scenario,
                transport: client.kind,
                variant: client.variant,
                eventCount: eventCount,
                outcomes: outcomes,
                traffic: server.traffic.allTotals,
                wallSeconds: wallSeconds,
                connectionsStillOpen: allClosed ? 0 : server.traffic.openConnectionCount
            )
            result.connectionsDropped = connectionsDropped
            result.processUserCPUSeconds = cpuAfter.userSeconds - cpuBefore.userSeconds
            result.processSystemCPUSeconds = cpuAfter.systemSeconds - cpuBefore.systemSeconds
            result.processPeakResidentBytes = ProcessResources.peakResidentBytes()
            return result
        }
    }

    /// Drops the scenario's fraction of open connections, periodically or at random times,
    /// until cancelled; returns how many it dropped.
    private func injectFaults(_ scenario: Scenario, traffic: TrafficRecorder) async -> Int {
        var generator = SeededGenerator(seed: scenario.seed ^ 0xFA17)
        var dropped = 0
        while !Task.isCancelled {
            let gap = scenario.dropTiming == .fixed
                ? scenario.dropIntervalSeconds
                : -log(generator.nextUnitInterval()) * scenario.dropIntervalSeconds
            do { try await Task.sleep(for: .seconds(gap)) } catch { break }
            dropped += traffic.dropConnections(fraction: scenario.dropFraction, using: &generator)
        }
        return dropped
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
