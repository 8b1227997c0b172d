import BenchCore
import BenchTransports
import Foundation

/// `bench scale`: what thousands of connections cost a server, per connection-holding transport.
///
/// The server is a `bench serve` process of its own (``ServeProcess``), so its memory and CPU
/// time are its alone (an in-process run would also hold every client, and two descriptors per
/// connection). For each transport it opens ``Configuration/clients`` connections, reads the
/// server's resident memory, then has the server publish ``Configuration/events`` events at once
/// to all of them and times the fan-out until every client has every event, reading the server's
/// CPU time around it. It also times opening the connections and reads the server's CPU time
/// over that: with TLS, each connection's full handshake (``Configuration/tls``). With
/// ``Configuration/nodes`` above 1 the clients connect through nginx to that many `bench serve
/// --redis` nodes and the events are PUBLISHed once to Redis (``ScaleDeployment``).
///
/// ```swift
/// let configuration = Scale.Configuration.defaults
/// let runs = try Planner.connectionHolding(transports: "sse,websocket", scenario: configuration.scenario, registry: registry)
/// let rows = try await Scale.run(configuration, runs: runs)
/// ```
public enum Scale {
    /// How many connections, and what the server publishes to them.
    public struct Configuration: Sendable, Hashable {
        /// Concurrent connections per transport.
        public var clients: Int
        /// Events the server publishes at once to every client (the fan-out).
        public var events: Int
        /// Payload size per event, in bytes.
        public var payloadBytes: Int
        /// The heads the clients' requests and the server's responses carry.
        public var headers: HeaderProfile = .minimal
        /// The server's compression policy and what the clients offer.
        public var compression: CompressionSettings = .off
        /// What the events' payloads look like.
        public var payloadContent: PayloadContent = .random
        /// The TLS every connection speaks: the server process gets the same settings and makes
        /// its certificate, which the clients trust.
        public var tls: TLSSettings = .off
        /// The server's handshake checks, and what the clients present (the token the server prints).
        public var security: SecuritySettings = .open

        /// Server nodes: above 1, each a `bench serve` process relaying the events from Redis,
        /// behind nginx (``ScaleDeployment``); 1 is one `bench serve` process publishing itself.
        public var nodes = 1
        /// With ``nodes`` above 1: an existing Redis (`redis://HOST:PORT`) instead of the
        /// `redis-server` started for each transport.
        public var redisURL: String?

        public static let defaults = Configuration(clients: 10_000, events: 10, payloadBytes: Scenario.defaults.payloadBytes)

        public init(clients: Int, events: Int, payloadBytes: Int) {
            (self.clients, self.events, self.payloadBytes) = (clients, events, payloadBytes)
        }

        /// The scenario every transport's clients run: the defaults with ``clients`` and
        /// ``payloadBytes``, and long polls held 600 s so that none returns while it is measured.
        public var scenario: Scenario {
            var scenario = Scenario.defaults
            scenario.clients = clients
            scenario.payloadBytes = payloadBytes
            scenario.longPollTimeoutSeconds = 600
            scenario.headers = headers
            scenario.compression = compression
            scenario.payloadContent = payloadContent
            scenario.tls = tls
            scenario.security = security
            if nodes > 1 { scenario.scaleOut = ScaleOutSettings(nodes: nodes, redisURL: redisURL) }
            return scenario
        }

        /// `bench serve`'s flags for this configuration's server half.
        var serveArguments: [String] {
            ["--payload-bytes", "\(payloadBytes)", "--max-connections", "\(clients + 1000)", "--headers", headers.name,
             "--payload-content", payloadContent.rawValue] + compression.serveArguments + security.serveArguments
        }
    }

    /// Where the measurement is, for progress lines.
    public enum Step: Sendable {
        /// Transport number `index` (from 1) of `count` begins.
        case started(index: Int, count: Int, transport: TransportKind)
        /// Its figures are in.
        case measured(ScaleRow)
    }

    /// Measures each transport in turn: `runs` holds one run per transport on `configuration`'s
    /// ``Configuration/scenario`` (``Planner/connectionHolding(transports:scenario:registry:)``).
    public static func run(_ configuration: Configuration, runs: [PlannedRun], progress: (Step) -> Void = { _ in }) async throws -> [ScaleRow] {
        if configuration.nodes > 1 {
            try NodeCapacity.check(nodes: configuration.nodes, clients: configuration.clients)
            // nginx, which inherits this limit, holds two descriptors per client: its side and the node's.
            try OpenFileLimit.ensure(2 * configuration.clients + 512, for: "\(configuration.clients) client connections through nginx")
        } else {
            try OpenFileLimit.ensure(configuration.clients + 256, for: "\(configuration.clients) client connections")
        }
        var rows: [ScaleRow] = []
        for (index, run) in runs.enumerated() {
            progress(.started(index: index + 1, count: runs.count, transport: run.transport.kind))
            let client = run.transport.makeClient(for: run.scenario)
            var row = try await configuration.nodes > 1
                ? measureNodes(client, transport: run.transport, configuration) : measure(client, configuration)
            row.transportName = run.transport.displayName
            row.compression = configuration.compression.label
            row.tls = configuration.tls.label
            rows.append(row)
            progress(.measured(rows[rows.count - 1]))
        }
        return rows
    }

    /// One transport: a fresh `bench serve`, its memory idle and with every connection open,
    /// then the fan-out.
    static func measure(_ client: any TransportClient, _ configuration: Configuration) async throws -> ScaleRow {
        let (clients, events) = (configuration.clients, configuration.events)
        let scenario = configuration.scenario
        let server = try ServeProcess.start(arguments: configuration.serveArguments, tls: configuration.tls)
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let idle = try server.residentBytes()
        let expected = events * clients
        let (figures, recorders, opening) = try await server.withClients(scenario, client: client, readyWithin: .seconds(30 + clients / 50)) { progresses in
            let connected = try server.residentBytes()
            let cpuBefore = try server.cpuSeconds()
            let start = ContinuousClock.now
            let control = ClientTarget(host: "127.0.0.1", port: server.controlPort, clientIndex: 0, scenario: scenario, tls: server.clientTLS)
            _ = try await HTTPClientConnection.request(.POST, "/control/publish?count=\(events)", to: control)
            let (delivered, seconds) = try await fanOut(to: progresses, expected: expected, since: start)
            // The deliveries are in; let the server finish what it was doing before reading its clock.
            try await Task.sleep(for: .milliseconds(200))
            let cpuAfter = try server.cpuSeconds()
            // Idle again, every connection having carried the events: what per-connection state
            // the events left behind (a compression context kept for the next message).
            let afterFanOut = try server.residentBytes()
            return (
                connected: connected, afterFanOut: afterFanOut, delivered: delivered, seconds: seconds,
                user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system
            )
        }
        var latency = LatencyHistogram()
        for recorder in recorders { latency.merge(recorder.latency) }
        var row = ScaleRow(
            transport: client.kind.rawValue, connections: clients, events: events, deliveriesExpected: expected, deliveries: figures.delivered,
            residentBytesIdle: idle, residentBytesConnected: figures.connected, peakResidentBytes: try server.peakResidentBytes(),
            fanOutSeconds: figures.seconds, serverUserCPUSeconds: figures.user, serverSystemCPUSeconds: figures.system,
            latencyP50Nanoseconds: latency.valueAtPercentile(50), latencyP99Nanoseconds: latency.valueAtPercentile(99), latencyMaxNanoseconds: latency.maxNanoseconds
        )
        row.residentBytesAfterFanOut = figures.afterFanOut
        row.connectSeconds = opening.seconds
        row.serverConnectUserCPUSeconds = opening.userCPUSeconds
        row.serverConnectSystemCPUSeconds = opening.systemCPUSeconds
        return row
    }
}

extension Scale {
    /// Waits until `progresses` have `expected` deliveries between them (or a minute more than
    /// ten thousand deliveries a second would take): the deliveries, and the seconds since `start`.
    static func fanOut(to progresses: [ClientProgress], expected: Int, since start: ContinuousClock.Instant) async throws -> (delivered: Int, seconds: Double) {
        let deadline = start + .seconds(60 + expected / 10_000)
        var delivered = 0
        while ContinuousClock.now < deadline {
            delivered = progresses.reduce(0) { $0 + $1.delivered }
            if delivered >= expected { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        return (delivered, (ContinuousClock.now - start).seconds)
    }
}

extension CompressionSettings {
    /// The `bench serve` flags that set this policy.
    var serveArguments: [String] {
        guard enabled else { return ["--compression", "off"] }
        var arguments = [
            "--compression", "on", "--ws-max-window-bits", "\(webSocketMaxWindowBits)", "--ws-compress-threshold", "\(webSocketThreshold)",
            "--gzip-min-length", "\(gzipMinLength)", "--grpc-compression", grpcAlgorithm.rawValue,
        ]
        if !webSocketContextTakeover { arguments.append("--ws-no-context-takeover") }
        return arguments
    }
}

extension TLSSettings {
    /// The `bench serve` flags that set these settings; none when TLS is off. Resumption is
    /// left out: the server issues tickets either way.
    var serveArguments: [String] {
        guard enabled else { return [] }
        var arguments = ["--tls", "--tls-version", version.rawValue, "--tls-key", key.rawValue, "--tls-key-exchange", keyExchange.rawValue]
        if let certificatePath { arguments += ["--cert", certificatePath] }
        if let privateKeyPath { arguments += ["--key", privateKeyPath] }
        return arguments
    }
}

extension SecuritySettings {
    /// The `bench serve` flags that set this policy.
    var serveArguments: [String] {
        allowedOrigins.flatMap { ["--allowed-origin", $0] } + ["--auth", authentication.rawValue, "--jwt-alg", tokenAlgorithm.rawValue]
    }
}
