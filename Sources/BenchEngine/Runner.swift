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
/// It starts a ``LoopbackServer`` (or, with a ``RemoteTarget``, has `bench serve` on another
/// host start one for the run: see ``RunServer``), starts `C` clients of the transport and
/// waits until every client is ready. For push it publishes the scenario's events on its schedule until the
/// duration has passed; for echo and
/// upload it opens the clients' start gate and they send on their own schedules. It then waits
/// until every event has arrived (or the drain timeout passes), asks the clients to stop and
/// ends the server's streams (so close handshakes happen on the wire), waits for the server to
/// see every connection close, and turns the ledgers, histograms and wire counts into a
/// ``RunResult``.
///
/// ```swift
/// let registry = TransportRegistry([LongPollingTransport(), WebSocketTransport()])
/// let result = try await Runner(registry: registry).run(.defaults, transport: LongPollingTransport())
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
    /// The transports whose server halves the loopback server offers. The engine does not
    /// import gRPC: the command line's registry brings gRPC's (BenchGRPC).
    public var registry: TransportRegistry

    public init(registry: TransportRegistry, port: Int = 0, onProgress: (@Sendable (RunProgress) -> Void)? = nil) {
        self.registry = registry
        self.port = port
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

    /// Runs `modeled` at its time scale (``Scenario/wallClock``) over `transport` and measures
    /// it, on a loopback server of its own that offers every registered transport.
    public func run(_ modeled: Scenario, transport: any TransportDescriptor) async throws -> RunResult {
        try modeled.validate()
        let scenario = modeled.wallClock
        try registry.check(transport, scenario)
        if scenario.scaleOut.isDeployed {
            try OpenFileLimit.ensure(3 * scenario.clients + 256, for: "\(scenario.clients) clients through a balancer (each client's connection, and the balancer's two ends)")
            return try await ScaleOutRunServer.withDeployment(scenario, transport: transport) { server in
                var result = try await measure(scenario, transport: transport, on: server)
                result.scaleOut = server.result(published: result.eventsPublished)
                // A killed node's counts died with it: the clients' sockets saw every byte.
                if result.scaleOut?.nodeKilledAtSeconds != nil { result.countBytesAtClients() }
                return result
            }
        }
        let routes = registry.routes
        guard routes.serves(transport.kind) else {
            throw BenchError.usage("the server has no endpoint for \(transport.kind.rawValue)")
        }
        // Both ends of every connection live in this process, plus room for the rest.
        try OpenFileLimit.ensure(2 * scenario.clients + 256, for: "\(scenario.clients) clients (two descriptors per connection: both ends are in this process)")
        let authority = try await JWTAuthority.forRun(scenario)
        let token = try await authority?.runToken(for: scenario)
        return try await withLoopbackServer(configuration: .forRun(scenario, port: port, tokenAuthority: authority), routes: routes) { server in
            try await measure(scenario, transport: transport, on: try LocalRunServer(server: server, scenario: scenario, bearerToken: token))
        }
    }

    /// Runs `run`, in this process or, with `target`, against `bench serve` elsewhere.
    public func run(_ run: PlannedRun, target: RemoteTarget? = nil) async throws -> RunResult {
        if let target { return try await self.run(run.scenario, transport: run.transport, target: target) }
        return try await self.run(run.scenario, transport: run.transport)
    }

    /// Runs `modeled` against a server `bench serve` started on `target` (its control URL, for
    /// example `http://10.0.0.1:8080`), together with the other hosts of run `runID` when
    /// `hosts` is above 1. The result's byte counts are the server's for the whole run (every
    /// host's connections); deliveries and latency are this host's clients'.
    public func run(_ modeled: Scenario, transport: any TransportDescriptor, target: RemoteTarget) async throws -> RunResult {
        try modeled.validate()
        let scenario = modeled.wallClock
        try registry.check(transport, scenario)
        guard !scenario.scaleOut.isDeployed else {
            throw BenchError.usage("--target runs against one bench serve; --nodes, --balancer and --backplane start their own nodes on this host")
        }
        try RemoteTarget.check(scenario.direction)
        try RemoteTarget.check(scenario.tls)
        try OpenFileLimit.ensure(scenario.clients + 256, for: "\(scenario.clients) clients")
        let server = try await RemoteRunServer.open(target, scenario: scenario, transport: transport)
        // No floor probe: this host's loopback is not the path to the server, nor its clock the server's.
        var result = try await measure(scenario, transport: transport, on: server, probesFloor: false)
        result.target = target.url
        result.runID = server.ticket.id
        result.hosts = server.ticket.hosts
        result.clock = server.clock
        return result
    }

    /// The run itself, against `server`: clients, schedule, drain, stop, counts, this
    /// process's CPU time and peak resident memory over it, and its conditions (``RunMonitor``:
    /// the in-run floor when `probesFloor`, the machine's load, whether it was disturbed).
    private func measure(_ scenario: Scenario, transport: any TransportDescriptor, on server: some RunServer, probesFloor: Bool = true) async throws -> RunResult {
        let client = transport.makeClient(for: scenario)
        _ = ProcessResources.resetPeakResident()
        let cpuBefore = ProcessResources.now()
        let eventCount = EventSchedule(scenario).offsetsNanoseconds.count
        let expected = eventCount * scenario.clients
        // Thousands of connections take a while to open.
        let readyTimeout = Swift.max(self.readyTimeout, .seconds(scenario.clients / 250))
        let progresses = (0..<scenario.clients).map { _ in ClientProgress() }
        // Where arrivals are counted: at the clients, or at the server for uploads.
        let uploads = server.uploads
        let firstClient = server.firstClientIndex
        let arrivals = scenario.direction == .upload ? (0..<scenario.clients).map { uploads!.session(for: firstClient + $0).progress } : progresses
        let gate = StartGate()
        var lastReport = ContinuousClock.now
        func report(_ phase: RunProgress.Phase, since start: ContinuousClock.Instant, published: Int) {
            guard ContinuousClock.now - lastReport >= .seconds(1) else { return }
            lastReport = .now
            onProgress?(
                RunProgress(
                    transport: transport.kind, variant: client.variant, phase: phase,
                    elapsedSeconds: (ContinuousClock.now - start).seconds, plannedSeconds: scenario.durationSeconds,
                    eventsPublished: published, eventsPlanned: eventCount,
                    deliveries: arrivals.reduce(0) { $0 + $1.delivered }, deliveriesExpected: expected
                )
            )
        }

        var publishing = PublishingRecord(encodedSizes: [], connectionsDropped: 0)
        // The floor's first burst, before any client starts: the probe's bursts before and after
        // take about 0.1 s each, and a poller would go on polling (and be counted) through them.
        let monitor = try await RunMonitor.start(probing: probesFloor)
        defer { monitor.cancel() }
        let clockOffset = server.clock.offsetNanoseconds
        let (recorders, wallSeconds) = try await withThrowingTaskGroup(of: (Int, DeliveryRecorder)?.self) { group in
            for index in 0..<scenario.clients {
                let target = ClientTarget(
                    host: server.host, port: server.port(for: transport.kind, client: firstClient + index), clientIndex: firstClient + index,
                    scenario: scenario, startGate: gate, tls: server.clientTLS, bearerToken: server.bearerToken, wire: ClientWireCounter()
                )
                let progress = progresses[index]
                group.addTask {
                    var recorder = DeliveryRecorder(progress: progress)
                    recorder.clockOffsetNanoseconds = clockOffset
                    await client.run(target, recorder: &recorder)
                    // Every connection of the client has closed: its socket counts are final.
                    target.wire?.collect(into: &recorder)
                    return (index, recorder)
                }
            }

            let allReady = await poll(until: .now + readyTimeout) { progresses.allSatisfy(\.isReady) }
            guard allReady else {
                progresses.forEach { $0.requestStop() }
                group.cancelAll()
                let ready = progresses.filter(\.isReady).count
                throw BenchError.runFailed(
                    "only \(ready) of \(scenario.clients) \(transport.kind.rawValue) clients connected within \(readyTimeout)"
                )
            }

            try await server.start()
            let start = ContinuousClock.now
            switch scenario.direction {
            case .push:
                // Only progress to report: the schedule publishes on its own.
                _ = await poll(until: start + .seconds(scenario.durationSeconds), every: .seconds(1)) {
                    report(.publishing, since: start, published: server.publishedCount)
                    return false
                }
            case .echo, .upload:
                gate.open()
                _ = await poll(until: start + .seconds(scenario.durationSeconds)) {
                    report(.sending, since: start, published: 0)
                    return arrivals.allSatisfy { $0.delivered >= eventCount }
                }
            }
            publishing = try await server.finishPublishing()
            _ = await poll(until: .now + Self.drainTimeout(for: scenario)) {
                report(.draining, since: start, published: eventCount)
                return arrivals.allSatisfy { $0.delivered >= eventCount }
            }
            let wallSeconds = (ContinuousClock.now - start).seconds

            // Stop: clients return instead of reconnecting, and the server ends its streams
            // (SSE's last chunk, WebSocket's close handshake). Stragglers are cancelled.
            progresses.forEach { $0.requestStop() }
            try await server.end()
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

        // Every client has closed its connections; the server waits to see each close so the
        // byte totals are final.
        // The floor's last burst, once every client has stopped.
        let conditions = await monitor.finish(link: scenario.link)
        let counts = try await server.counts()
        let outcomes = recorders.enumerated().map { index, recorder in
            ClientOutcome(
                direction: scenario.direction, recorder: recorder, encodedSizes: publishing.encodedSizes,
                uploads: scenario.direction == .upload ? uploads!.session(for: firstClient + index).snapshot : nil,
                base64Inflation: { transport.base64InflationBytes(bodyBytes: $0, encoding: scenario.encoding) }
            )
        }
        var result = RunResult(
            scenario: scenario,
            transport: transport,
            variant: client.variant,
            eventCount: eventCount,
            outcomes: outcomes,
            traffic: counts.traffic,
            wallSeconds: wallSeconds,
            connectionsStillOpen: counts.connectionsStillOpen
        )
        result.connectionsDropped = publishing.connectionsDropped
        result.serverUserCPUSeconds = counts.userCPUSeconds
        result.serverSystemCPUSeconds = counts.systemCPUSeconds
        result.serverPeakResidentBytes = counts.peakResidentBytes
        let cpuAfter = ProcessResources.now()
        result.processUserCPUSeconds = cpuAfter.userSeconds - cpuBefore.userSeconds
        result.processSystemCPUSeconds = cpuAfter.systemSeconds - cpuBefore.systemSeconds
        result.processPeakResidentBytes = ProcessResources.peakResidentBytes()
        result.recordConditions(floor: conditions.floor, load: conditions.load)
        return result
    }

    /// Checks `condition` every `step` until it holds (true) or `deadline` passes (false), never
    /// sleeping past the deadline. The step is the runner's own cost during a run (a wake-up of
    /// this process each time), counted in the run's CPU: 5 ms by default, a second while it
    /// only reports progress.
    private func poll(until deadline: ContinuousClock.Instant, every step: Duration = .milliseconds(5), _ condition: () -> Bool) async -> Bool {
        while !condition() {
            let now = ContinuousClock.now
            if now >= deadline { return false }
            try? await Task.sleep(for: Swift.min(step, deadline - now))
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
