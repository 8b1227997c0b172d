/// How event bodies are encoded on the wire.
public enum Encoding: String, CaseIterable, Codable, Sendable, Hashable {
    /// Foundation's `JSONEncoder`, compact, keys sorted.
    case json
    /// swift-protobuf's binary format of `transportbench.Event` (Protos/transportbench.proto).
    case protobuf

    /// Whether bodies are binary: text-only carriers (SSE) send them base64-encoded.
    public var isBinary: Bool { self == .protobuf }
}

/// Which way the workload's events travel.
public enum Direction: String, CaseIterable, Codable, Sendable, Hashable {
    /// Server → client: the server publishes, every client receives every event.
    case push
    /// Client → server → client.
    case echo
    /// Client → server.
    case upload
}

/// When events are published.
public enum ArrivalProcess: String, CaseIterable, Codable, Sendable, Hashable {
    /// Evenly spaced, `1 / rate` apart.
    case fixed
    /// Exponentially distributed gaps with mean `1 / rate`, from the scenario's seed.
    case poisson
}

/// How an HTTP polling client uses TCP connections.
public enum ConnectionMode: String, CaseIterable, Codable, Sendable, Hashable {
    /// One persistent HTTP/1.1 connection reused for every request.
    case keepAlive = "keep-alive"
    /// A new TCP connection for every request (`Connection: close`), as the study notes assume.
    case perRequest = "per-request"
}

/// The workload: everything a run needs except the transport.
///
/// A scenario is independent of the transport so the same one can be run over each of them and
/// the results compared row by row.
///
/// ```swift
/// var scenario = Scenario.defaults
/// scenario.clients = 50
/// scenario.eventsPerSecond = 200
/// try scenario.validate()
/// ```
public struct Scenario: Codable, Sendable, Hashable {
    /// A short label for reports.
    public var name: String
    /// Number of concurrent clients `C`.
    public var clients: Int
    /// Event rate, events per second.
    public var eventsPerSecond: Double
    /// Fixed spacing or Poisson arrivals.
    public var arrival: ArrivalProcess
    /// Size of each event's payload field, in bytes, before encoding.
    public var payloadBytes: Int
    /// How event bodies are encoded.
    public var encoding: Encoding
    /// Which way events travel.
    public var direction: Direction
    /// How long events are published for, in seconds; the event count is `rate × duration`.
    public var durationSeconds: Double
    /// Short polling: time between polls, in seconds.
    public var pollIntervalSeconds: Double
    /// Long polling: how long the server holds a request with nothing to say, in seconds.
    public var longPollTimeoutSeconds: Double
    /// Polling transports: reuse one connection or open one per request.
    public var connectionMode: ConnectionMode
    /// SSE comment lines and WebSocket pings after this many idle seconds; `nil` sends none.
    public var heartbeatIntervalSeconds: Double?
    /// Fault injection: the fraction of open connections the server drops at each fault (0 = none).
    public var dropFraction: Double
    /// Fault injection: seconds between faults (periodic), or their mean (random).
    public var dropIntervalSeconds: Double
    /// Fault injection: faults every interval, or at exponentially distributed times.
    public var dropTiming: ArrivalProcess
    /// Seed for Poisson arrivals, payload bytes and client start offsets.
    public var seed: UInt64
    /// How many recent events the server keeps for clients that ask "everything after N".
    public var retainedEvents: Int
    /// The HTTP version of the HTTP transports (polling, SSE); gRPC always speaks HTTP/2 and
    /// WebSocket upgrades from HTTP/1.1.
    public var httpVersion: HTTPProtocolVersion
    /// gRPC streams: a deadline for each call, after which the client opens a new one from its
    /// cursor; `nil` for none.
    public var callDeadlineSeconds: Double?
    /// Time scale: 1 means wall time; 100 means the run happens 100× faster than the workload
    /// it models. Every time in the scenario (rate, duration, poll interval, long-poll hold,
    /// heartbeat, fault interval, deadline) is the modeled one; ``wallClock`` is what the run
    /// executes. Byte and request counts do not depend on it; latency does (reports say so).
    public var timeScale: Double
    /// The emulated network between clients and server; `nil` for loopback as it is.
    public var link: LinkConditions?
    /// The heads requests and responses carry besides what the stack adds (`--headers`);
    /// `nil` in documents written before header profiles, which ran ``HeaderProfile/minimal``.
    public var headerProfile: HeaderProfile?
    /// The compression layer (`--compression`); `nil` in documents written before it, which ran
    /// without compression.
    public var compressionSettings: CompressionSettings?
    /// What payloads look like (`--payload-content`); `nil` in documents written before it,
    /// which carried `random` filler.
    public var payloadContentKind: PayloadContent?
    /// The TLS layer (`--tls`); `nil` in documents written before it, which ran cleartext.
    public var tlsSettings: TLSSettings?

    /// The TLS layer: cleartext, or TLS on every connection.
    public var tls: TLSSettings {
        get { tlsSettings ?? .off }
        set { tlsSettings = newValue }
    }
    /// The handshake checks (`--allowed-origin`, `--auth`); `nil` in documents written before
    /// them, which ran with none.
    public var securitySettings: SecuritySettings?
    /// The server side's deployment (`--nodes`, `--balancer`, `--backplane`, …); `nil` in
    /// documents written before scale-out, which ran one server in bench's process.
    public var scaleOutSettings: ScaleOutSettings?

    /// One server in bench's process, or nodes behind a balancer sharing a broker.
    public var scaleOut: ScaleOutSettings {
        get { scaleOutSettings ?? .single }
        set { scaleOutSettings = newValue.isDeployed ? newValue : nil }
    }

    /// The compression layer: off, or each transport's standard compression.
    public var compression: CompressionSettings {
        get { compressionSettings ?? .off }
        set { compressionSettings = newValue }
    }

    /// What the server checks at the handshake and the clients present.
    public var security: SecuritySettings {
        get { securitySettings ?? .open }
        set { securitySettings = newValue }
    }

    /// What payloads look like.
    public var payloadContent: PayloadContent {
        get { payloadContentKind ?? .random }
        set { payloadContentKind = newValue }
    }

    /// The events' payloads: ``payloadBytes`` bytes of ``payloadContent`` from ``seed``.
    public var payloads: PayloadFactory {
        PayloadFactory(byteCount: payloadBytes, seed: seed, content: payloadContent)
    }

    /// The heads requests and responses carry besides what the stack adds.
    public var headers: HeaderProfile {
        get { headerProfile ?? .minimal }
        set { headerProfile = newValue }
    }

    public init(
        name: String = "default",
        clients: Int = 10,
        eventsPerSecond: Double = 20,
        arrival: ArrivalProcess = .fixed,
        payloadBytes: Int = 128,
        encoding: Encoding = .json,
        direction: Direction = .push,
        durationSeconds: Double = 5,
        pollIntervalSeconds: Double = 0.5,
        longPollTimeoutSeconds: Double = 30,
        connectionMode: ConnectionMode = .keepAlive,
        heartbeatIntervalSeconds: Double? = nil,
        dropFraction: Double = 0,
        dropIntervalSeconds: Double = 1,
        dropTiming: ArrivalProcess = .fixed,
        seed: UInt64 = 1,
        retainedEvents: Int = 100_000,
        httpVersion: HTTPProtocolVersion = .http1_1,
        callDeadlineSeconds: Double? = nil,
        timeScale: Double = 1,
        link: LinkConditions? = nil,
        headers: HeaderProfile = .minimal,
        compression: CompressionSettings = .off,
        payloadContent: PayloadContent = .random,
        security: SecuritySettings = .open
    ) {
        self.name = name
        self.clients = clients
        self.eventsPerSecond = eventsPerSecond
        self.arrival = arrival
        self.payloadBytes = payloadBytes
        self.encoding = encoding
        self.direction = direction
        self.durationSeconds = durationSeconds
        self.pollIntervalSeconds = pollIntervalSeconds
        self.longPollTimeoutSeconds = longPollTimeoutSeconds
        self.connectionMode = connectionMode
        self.heartbeatIntervalSeconds = heartbeatIntervalSeconds
        self.dropFraction = dropFraction
        self.dropIntervalSeconds = dropIntervalSeconds
        self.dropTiming = dropTiming
        self.seed = seed
        self.retainedEvents = retainedEvents
        self.httpVersion = httpVersion
        self.callDeadlineSeconds = callDeadlineSeconds
        self.timeScale = timeScale
        self.link = link
        self.headerProfile = headers
        self.compressionSettings = compression
        self.payloadContentKind = payloadContent
        self.securitySettings = security
    }

    /// The default suite's scenario: 10 clients, 20 events/s of 128-byte payloads for 5 s.
    public static var defaults: Scenario { Scenario() }

    /// How many events the run publishes: `rate × duration`, rounded.
    public var eventCount: Int {
        Int((eventsPerSecond * durationSeconds).rounded())
    }

    /// The scenario as the run executes it: every time divided by ``timeScale`` and the rate
    /// multiplied by it, so the run publishes the same events, polls as often per event and
    /// sends the same heartbeats per event as the modeled workload, only faster.
    ///
    /// ```swift
    /// var minute = Scenario(eventsPerSecond: 1, durationSeconds: 60, pollIntervalSeconds: 1)
    /// minute.timeScale = 60
    /// minute.wallClock.durationSeconds      // 1
    /// minute.wallClock.pollIntervalSeconds  // 1/60
    /// ```
    public var wallClock: Scenario {
        guard timeScale != 1 else { return self }
        var scaled = self
        scaled.eventsPerSecond = eventsPerSecond * timeScale
        scaled.durationSeconds = durationSeconds / timeScale
        scaled.pollIntervalSeconds = pollIntervalSeconds / timeScale
        scaled.longPollTimeoutSeconds = longPollTimeoutSeconds / timeScale
        scaled.heartbeatIntervalSeconds = heartbeatIntervalSeconds.map { $0 / timeScale }
        scaled.dropIntervalSeconds = dropIntervalSeconds / timeScale
        scaled.callDeadlineSeconds = callDeadlineSeconds.map { $0 / timeScale }
        scaled.link = link?.scaled(by: timeScale)
        scaled.scaleOutSettings?.killNodeAtSeconds = scaleOut.killNodeAtSeconds.map { $0 / timeScale }
        return scaled
    }

    /// Checks every field, and at a time scale other than 1 the wall-clock scenario too, and
    /// throws one clear sentence for the first bad one.
    public func validate() throws(BenchError) {
        try validateFields()
        guard timeScale != 1 else { return }
        do {
            try wallClock.validateFields()
        } catch {
            throw .usage("at --time-scale \(timeScale.rounded() == timeScale && timeScale < 1e9 ? String(Int(timeScale)) : String(timeScale)) the run itself is out of range: \(error.message)")
        }
    }

    private func validateFields() throws(BenchError) {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(BenchError) {
            if !condition { throw .usage(message()) }
        }
        try check(clients >= 1, "--clients must be at least 1 (got \(clients))")
        try check(clients <= 100_000, "--clients must be at most 100000 (got \(clients))")
        try check(eventsPerSecond.isFinite && eventsPerSecond > 0, "--rate must be a positive number of events per second (got \(eventsPerSecond))")
        try check(eventsPerSecond <= 1_000_000, "--rate must be at most 1000000 events per second (got \(eventsPerSecond))")
        try check(payloadBytes >= 0, "--payload-bytes must not be negative (got \(payloadBytes))")
        try check(payloadBytes <= 16 << 20, "--payload-bytes must be at most 16777216 (got \(payloadBytes))")
        try check(durationSeconds.isFinite && durationSeconds > 0, "--duration must be a positive number of seconds (got \(durationSeconds))")
        try check(eventCount >= 1, "--rate × --duration gives no events (\(eventsPerSecond) × \(durationSeconds) s); raise one of them")
        try check(eventCount <= 10_000_000, "--rate × --duration gives \(eventCount) events; at most 10000000 per run")
        try check(pollIntervalSeconds.isFinite && pollIntervalSeconds > 0, "--poll-interval must be a positive number of seconds (got \(pollIntervalSeconds))")
        try check(longPollTimeoutSeconds.isFinite && longPollTimeoutSeconds > 0, "--long-poll-timeout must be a positive number of seconds (got \(longPollTimeoutSeconds))")
        if let heartbeat = heartbeatIntervalSeconds {
            try check(heartbeat.isFinite && heartbeat >= 0.001, "--heartbeat must be at least 0.001 seconds (got \(heartbeat))")
        }
        try check(dropFraction.isFinite && dropFraction >= 0 && dropFraction <= 1, "--drop-fraction must be between 0 and 1 (got \(dropFraction))")
        try check(dropFraction == 0 || (dropIntervalSeconds.isFinite && dropIntervalSeconds >= 0.01), "--drop-interval must be at least 0.01 seconds (got \(dropIntervalSeconds))")
        try check(dropFraction == 0 || direction == .push, "--drop-fraction needs --direction push: only pushed events are kept for clients to resume")
        if let deadline = callDeadlineSeconds {
            try check(deadline.isFinite && deadline >= 0.01, "--deadline must be at least 0.01 seconds (got \(deadline))")
        }
        try check(retainedEvents >= 1, "--retained-events must be at least 1 (got \(retainedEvents))")
        try check(timeScale.isFinite && timeScale > 0, "time scale must be positive (got \(timeScale))")
        try link?.validate()
        try compression.validate()
        try security.validate()
        try scaleOut.validate()
        try scaleOut.check(self)
    }
}
