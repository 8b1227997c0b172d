import BenchCore
import BenchServer
import BenchTLS
import BenchTransports
import Foundation

/// The server end of a run, as the ``Runner`` drives it: a ``LoopbackServer`` in this process
/// (``LocalRunServer``) or one that `bench serve` started for the run on another host
/// (``RemoteRunServer``, through its control API).
///
/// The runner connects its clients to ``host`` and ``port(for:)``, calls ``start()`` once every
/// client is ready, ``finishPublishing()`` when the run's duration is over, ``end()`` after it
/// asked its clients to stop, and ``counts()`` once they have.
protocol RunServer: Sendable {
    var host: String { get }
    func port(for transport: TransportKind) -> Int
    /// The port client `index` (numbered across hosts) connects to: ``port(for:)`` unless the
    /// server side has several nodes and nothing balances them.
    func port(for transport: TransportKind, client index: Int) -> Int
    /// The index of this host's first client within the run: clients are numbered across hosts.
    var firstClientIndex: Int { get }
    /// What the clients need to speak TLS to the server; `nil` for cleartext.
    var clientTLS: ClientTLS? { get }
    /// How the clients' clock relates to the server's, for push latency.
    var clock: ClockRelation { get }
    /// The token the run's clients present when its server requires one (``JWTAuthority``).
    var bearerToken: String? { get }
    /// Upload arrivals, recorded where they arrive; `nil` when the server is elsewhere.
    var uploads: UploadRegistry? { get }
    /// Starts the run's schedule: publishing (push) and fault injection.
    func start() async throws
    /// Events published so far (for progress lines).
    var publishedCount: Int { get }
    /// Waits until publishing is over and fault injection stopped.
    func finishPublishing() async throws -> PublishingRecord
    /// Ends the server's streams (SSE's last chunk, WebSocket's close handshake).
    func end() async throws
    /// The server's counts once every connection has closed (or 5 s have passed).
    func counts() async throws -> ServerCounts
}

extension RunServer {
    func port(for transport: TransportKind, client index: Int) -> Int { port(for: transport) }
}

/// What the server published, and the faults it injected.
public struct PublishingRecord: Codable, Sendable {
    /// The encoded size of each published event in the run's encoding (index 0 is sequence 1).
    public var encodedSizes: [Int]
    /// Connections dropped on purpose (fault injection).
    public var connectionsDropped: Int
}

/// The server's side of a finished run.
public struct ServerCounts: Codable, Sendable {
    public var traffic: TrafficTotals
    /// Connections still open 5 s after the clients stopped.
    public var connectionsStillOpen: Int
    /// The server process's CPU time and peak resident memory over the run, when the server ran
    /// in a process of its own (`nil` in-process, where the run's process figures cover both).
    public var userCPUSeconds: Double?
    public var systemCPUSeconds: Double?
    public var peakResidentBytes: Int?
    /// A scale-out node's backplane over the run; `nil` for a server without one.
    public var backplane: BackplaneTally?

    init(traffic: TrafficTotals, connectionsStillOpen: Int) {
        self.traffic = traffic
        self.connectionsStillOpen = connectionsStillOpen
    }

    /// `server`'s counts once every connection has closed, or 5 s have passed.
    init(closing server: LoopbackServer) async {
        let allClosed = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
        traffic = server.traffic.allTotals
        connectionsStillOpen = allClosed ? 0 : server.traffic.openConnectionCount
    }
}

/// The run's server in this process.
struct LocalRunServer: RunServer {
    let server: LoopbackServer
    let schedule: ServerSchedule
    let clientTLS: ClientTLS?
    let bearerToken: String?

    init(server: LoopbackServer, scenario: Scenario, bearerToken: String? = nil) throws(BenchError) {
        self.server = server
        self.schedule = ServerSchedule(server: server, scenario: scenario)
        self.clientTLS = try server.tls?.clientTLS
        self.bearerToken = bearerToken
    }

    var host: String { server.host }
    func port(for transport: TransportKind) -> Int { server.port(for: transport) }
    var firstClientIndex: Int { 0 }
    var clock: ClockRelation { .oneProcess }
    var uploads: UploadRegistry? { server.uploads }
    func start() async throws { schedule.start() }
    var publishedCount: Int { schedule.publishedCount }
    func finishPublishing() async throws -> PublishingRecord { try await schedule.finish() }
    func end() async throws { server.hub.finish() }

    func counts() async throws -> ServerCounts { await ServerCounts(closing: server) }
}

extension ServerConfiguration {
    /// The server a run of `scenario` (at wall clock) needs: its retention, encoding and link,
    /// room for its clients' connections, and an idle timeout held long polls and quiet streams
    /// stay inside, its TLS, and its handshake policy with `tokenAuthority` (``JWTAuthority/forRun(_:)``).
    static func forRun(
        _ scenario: Scenario, host: String = "127.0.0.1", port: Int = 0, tokenAuthority: JWTAuthority? = nil
    ) throws(BenchError) -> ServerConfiguration {
        var configuration = ServerConfiguration(host: host, port: port, retainedEvents: scenario.retainedEvents, encodings: [scenario.encoding])
        configuration.link = scenario.link
        configuration.linkSeed = scenario.seed
        configuration.headers = scenario.headers
        configuration.compression = scenario.compression
        configuration.tls = scenario.tls.enabled ? try ServerTLS(scenario.tls) : nil
        configuration.security = scenario.security
        configuration.tokenAuthority = tokenAuthority
        configuration.maxConnections = Swift.max(configuration.maxConnections, scenario.clients + 1000)
        configuration.offeredHeartbeat = scenario.heartbeatIntervalSeconds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        let quiet = Swift.max(scenario.longPollTimeoutSeconds, scenario.heartbeatIntervalSeconds ?? 0)
        configuration.idleTimeout = .seconds(Swift.max(300, Int64((2 * quiet).rounded(.up))))
        return configuration
    }
}

extension JWTAuthority {
    /// A new key for a run of `scenario` (at wall clock) when its server requires tokens, with
    /// the scenario's algorithm; `nil` when it requires none.
    static func forRun(_ scenario: Scenario) async throws -> JWTAuthority? {
        guard scenario.security.requiresToken else { return nil }
        return try await generate(scenario.security.tokenAlgorithm)
    }

    /// A token for a run of `scenario`'s clients: valid for the run and an hour more, as a
    /// session's access token would be.
    func runToken(for scenario: Scenario) async throws -> String {
        try await issue(lifetimeSeconds: 3600 + 2 * scenario.durationSeconds)
    }
}
