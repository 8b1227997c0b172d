import BenchCore
import BenchServer
import BenchTransports
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Where `bench run --target` finds `bench serve`: its control URL, and the run's load hosts.
public struct RemoteTarget: Sendable {
    /// The URL as given, for example `http://10.0.0.1:8080`.
    public var url: String
    public var host: String
    public var port: Int
    /// Load hosts that take part in each run; the server starts the schedule when all are ready.
    public var hosts: Int
    /// The name every host of a multi-host run gives, so they join the same run; `nil` for one host.
    public var runID: String?

    /// - Throws: ``BenchError`` (usage) when `url` is not `http://HOST:PORT`.
    public init(url: String, hosts: Int = 1, runID: String? = nil) throws(BenchError) {
        guard let components = URLComponents(string: url), components.scheme == "http", let host = components.host, !host.isEmpty,
            let port = components.port, components.path.isEmpty || components.path == "/"
        else {
            throw .usage("--target must be bench serve's control URL, http://HOST:PORT (got '\(url)')")
        }
        guard hosts >= 1 else { throw .usage("--hosts must be at least 1 (got \(hosts))") }
        guard hosts == 1 || runID != nil else { throw .usage("--hosts \(hosts) needs --run-id NAME, the same on every host, so their clients join one run") }
        self.url = url
        self.host = host
        self.port = port
        self.hosts = hosts
        self.runID = runID
    }

    /// What a server elsewhere can run: push and echo, whose arrivals the clients record.
    /// - Throws: ``BenchError`` (usage) for upload, whose arrivals are recorded at the server.
    public static func check(_ direction: Direction) throws(BenchError) {
        guard direction != .upload else {
            throw .usage("--target runs push and echo: upload's arrivals are recorded at the server, which is elsewhere (run upload in-process)")
        }
    }
}

/// What a load host asks `bench serve` for: a run of `scenario` (at wall clock; `clients` is
/// this host's), shared by `hosts` hosts that all name the same `id`.
struct RunRequest: Codable {
    var id: String?
    var hosts: Int
    var scenario: Scenario
}

/// The server's answer: the run, this host's place in it, and the run's ports by transport.
public struct RunTicket: Codable, Sendable {
    public var id: String
    public var host: Int
    public var hosts: Int
    /// Hosts number their clients from here, so every client of the run has its own index.
    public var firstClientIndex: Int
    public var ports: [String: Int]
}

/// `GET /control/clock`: the server's monotonic clock and its kernel's boot ID.
struct ClockReading: Codable {
    var nanoseconds: UInt64
    var bootID: String?

    static var now: ClockReading { ClockReading(nanoseconds: MonotonicClock.nowNanoseconds(), bootID: bootID) }

    /// Linux's `/proc/sys/kernel/random/boot_id`: two processes that read the same one share
    /// `CLOCK_MONOTONIC` (network namespaces included).
    static let bootID: String? = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

struct RunStatus: Codable {
    var started: Bool
    var published: Int
}

/// The run's server on another host, driven through `bench serve`'s control API (``RunControl``).
final class RemoteRunServer: RunServer {
    let target: RemoteTarget
    let ticket: RunTicket
    let clock: ClockRelation
    private let published = Atomic<Int>(0)
    private let statusTask = Mutex<Task<Void, Never>?>(nil)

    private init(target: RemoteTarget, ticket: RunTicket, clock: ClockRelation) {
        self.target = target
        self.ticket = ticket
        self.clock = clock
    }

    deinit { statusTask.withLock { $0?.cancel() } }

    /// Relates the clocks, then opens (or joins) the run.
    static func open(_ target: RemoteTarget, scenario: Scenario, transport: any TransportTraits) async throws -> RemoteRunServer {
        let clock = try await measureClock(target)
        // One run per plan entry: the transport, and what else an entry can vary by.
        let entry = "\(transport.kind.rawValue)-\(scenario.encoding.rawValue)" + (transport.hasHTTPVersionChoice ? "-http\(scenario.httpVersion.rawValue)" : "")
        let request = RunRequest(id: target.runID.map { "\($0)/\(entry)" }, hosts: target.hosts, scenario: scenario)
        let ticket: RunTicket = try await control(.POST, ControlRoute.Action.open.rawValue, on: target, body: JSONEncoder().encode(request))
        guard ticket.ports[transport.kind.rawValue] != nil else {
            throw BenchError.usage("the server at \(target.url) has no endpoint for \(transport.kind.rawValue)")
        }
        return RemoteRunServer(target: target, ticket: ticket, clock: clock)
    }

    /// The offset from the control round trip with the smallest time (as NTP and Cristian's
    /// algorithm take it): the server read its clock somewhere inside the round trip, assumed
    /// its middle, so the offset is off by at most half of it. One kernel (the same boot ID,
    /// two processes or two network namespaces on one machine) means one clock: offset 0.
    static func measureClock(_ target: RemoteTarget) async throws -> ClockRelation {
        var best: (roundTrip: UInt64, offset: Int64)?
        var bootID: String?
        for _ in 0..<8 {
            let sent = MonotonicClock.nowNanoseconds()
            let reading: ClockReading = try await control(.GET, ControlRoute.Action.clock.rawValue, on: target)
            let received = MonotonicClock.nowNanoseconds()
            bootID = reading.bootID
            let middle = sent + (received - sent) / 2
            let sample = (roundTrip: received - sent, offset: Int64(bitPattern: reading.nanoseconds &- middle))
            if best.map({ sample.roundTrip < $0.roundTrip }) ?? true { best = sample }
        }
        if let bootID, bootID == ClockReading.bootID {
            return ClockRelation(offsetNanoseconds: 0, uncertaintyNanoseconds: 0, source: "one kernel (same boot ID)")
        }
        return ClockRelation(offsetNanoseconds: best!.offset, uncertaintyNanoseconds: best!.roundTrip / 2, source: "estimated over the network")
    }

    var host: String { target.host }
    func port(for transport: TransportKind) -> Int { ticket.ports[transport.rawValue] ?? 0 }
    var firstClientIndex: Int { ticket.firstClientIndex }
    var uploads: UploadRegistry? { nil }
    var publishedCount: Int { published.load(ordering: .relaxed) }
    private var query: String { "?id=" + (ticket.id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ticket.id) }

    /// Tells the server this host's clients are ready; returns when every host's are and the
    /// server has started the schedule.
    func start() async throws {
        let _: RunStatus = try await Self.control(.POST, ControlRoute.Action.ready.rawValue + query, on: target)
        let (target, query) = (target, query)
        statusTask.withLock { task in
            task = Task { [weak self] in
                while !Task.isCancelled {
                    if let status: RunStatus = try? await Self.control(.GET, ControlRoute.Action.status.rawValue + query, on: target) {
                        self?.published.store(status.published, ordering: .relaxed)
                    }
                    try? await Task.sleep(for: .milliseconds(500))
                }
            }
        }
    }

    func finishPublishing() async throws -> PublishingRecord {
        let record: PublishingRecord = try await Self.control(.POST, ControlRoute.Action.published.rawValue + query, on: target)
        statusTask.withLock { $0?.cancel() }
        published.store(record.encodedSizes.count, ordering: .relaxed)
        return record
    }

    func end() async throws {
        let _: RunStatus = try await Self.control(.POST, ControlRoute.Action.done.rawValue + query, on: target)
    }

    func counts() async throws -> ServerCounts {
        try await Self.control(.GET, ControlRoute.Action.result.rawValue + query, on: target)
    }

    /// One control request, its JSON answer decoded.
    static func control<Answer: Decodable>(_ method: HTTPMethod, _ uri: String, on target: RemoteTarget, body: Data? = nil) async throws -> Answer {
        let control = ClientTarget(host: target.host, port: target.port, clientIndex: 0, scenario: .defaults)
        let text: String
        do {
            text = try await HTTPClientConnection.request(method, uri, to: control, body: body.map { ByteBuffer(bytes: $0) })
        } catch let error as BenchError {
            throw error
        } catch {
            throw BenchError.runFailed("cannot reach bench serve at \(target.url) (\(method) \(uri))", cause: error)
        }
        do {
            return try JSONDecoder().decode(Answer.self, from: Data(text.utf8))
        } catch {
            throw BenchError.runFailed("bench serve at \(target.url) answered \(uri) with something other than \(Answer.self): \(text.prefix(200))")
        }
    }
}

/// `bench serve`'s control API for runs driven from other hosts (`bench run --target`): each
/// run gets a server of its own (its own hub, event stream and byte counts, on new ports),
/// which lives until every host of the run has fetched its result (or 10 minutes pass without
/// a request).
///
/// | request | answer |
/// | --- | --- |
/// | `GET /control/clock` | the server's monotonic clock and boot ID |
/// | `POST /control/run/open`, body ``RunRequest`` | ``RunTicket``: opens the run, or joins the one with that `id` |
/// | `POST /control/run/ready?id=` | when every host is ready: the schedule has started |
/// | `GET /control/run/status?id=` | events published so far |
/// | `POST /control/run/published?id=` | when the schedule is over: ``PublishingRecord`` |
/// | `POST /control/run/done?id=` | when every host is done: the streams are ended |
/// | `GET /control/run/result?id=` | when every connection has closed: ``ServerCounts`` |
public final class RunControl: Sendable {
    /// Idle runs are retired after this long.
    static let expiry: Duration = .seconds(600)

    private let routes: Routes
    private let host: String
    private let runs = Mutex<[String: HostedRun]>([:])

    /// - Parameters:
    ///   - routes: the transports' server halves, for each run's server.
    ///   - host: the address each run's server binds (`bench serve --host`).
    public init(routes: Routes, host: String) {
        self.routes = routes
        self.host = host
    }

    /// The control endpoints, for `bench serve`'s routes.
    public var httpRoutes: [any HTTPRoute] {
        ControlRoute.Action.allCases.map { ControlRoute(action: $0, control: self) }
    }

    func run(_ request: HTTPRequest) throws(HTTPRequestError) -> HostedRun {
        guard let id = request.query["id"] else { throw HTTPRequestError(message: "\(request.path) needs ?id=RUN") }
        guard let run = runs.withLock({ $0[id] }) else { throw HTTPRequestError(message: "no run '\(id)' on this server (finished, expired, or never opened)") }
        run.touch()
        return run
    }

    func open(_ request: RunRequest) async throws -> RunTicket {
        do { try request.scenario.validate() } catch { throw HTTPRequestError(message: "the run's scenario is not valid: \(error)") }
        guard (1...1000).contains(request.hosts) else { throw HTTPRequestError(message: "hosts must be between 1 and 1000 (got \(request.hosts))") }
        let (run, hostIndex, isNew) = try runs.withLock { runs throws(HTTPRequestError) in
            if let id = request.id, let existing = runs[id] {
                let index = try existing.join(request)
                return (existing, index, false)
            }
            let run = HostedRun(id: request.id ?? UUID().uuidString, hosts: request.hosts, scenario: request.scenario)
            runs[run.id] = run
            return (run, 0, true)
        }
        if isNew {
            var total = request.scenario
            total.clients *= request.hosts
            let (routes, host) = (routes, host)
            Task {
                do {
                    try await withLoopbackServer(configuration: .forRun(total, host: host), routes: routes) { server in
                        run.attach(server)
                        await run.waitUntilRetired(expiry: Self.expiry)
                    }
                } catch {
                    run.fail(error)
                }
                _ = self.runs.withLock { $0.removeValue(forKey: run.id) }
            }
        }
        let server = try await run.server()
        var ports: [String: Int] = [:]
        for kind in routes.transports { ports[kind.rawValue] = server.port(for: kind) }
        return RunTicket(id: run.id, host: hostIndex, hosts: run.hosts, firstClientIndex: hostIndex * request.scenario.clients, ports: ports)
    }
}

/// One run `bench serve` hosts for load hosts elsewhere.
final class HostedRun: Sendable {
    private struct State {
        var joined = 1
        var ready = 0
        var done = 0
        var fetched = 0
        var server: LoopbackServer?
        var schedule: ServerSchedule?
        var failure: String?
        var retired = false
        var lastRequest = ContinuousClock.now
    }

    let id: String
    let hosts: Int
    /// One host's scenario (every host runs the same).
    let scenario: Scenario
    private let state = Mutex(State())
    private let cpuBefore = ProcessResources.now()

    init(id: String, hosts: Int, scenario: Scenario) {
        self.id = id
        self.hosts = hosts
        self.scenario = scenario
        _ = ProcessResources.resetPeakResident()
    }

    func touch() { state.withLock { $0.lastRequest = .now } }

    /// Another host joins; returns its index. Every host must run the same scenario.
    func join(_ request: RunRequest) throws(HTTPRequestError) -> Int {
        guard request.scenario == scenario, request.hosts == hosts else {
            throw HTTPRequestError(message: "run '\(id)' exists with another scenario or host count; every host of a run must give the same options")
        }
        return try state.withLock { state throws(HTTPRequestError) in
            guard state.joined < hosts else { throw HTTPRequestError(message: "run '\(id)' already has its \(hosts) hosts") }
            guard state.ready < hosts else { throw HTTPRequestError(message: "run '\(id)' has started; its hosts must all join before it starts") }
            state.joined += 1
            return state.joined - 1
        }
    }

    func attach(_ server: LoopbackServer) {
        state.withLock {
            $0.server = server
            $0.schedule = ServerSchedule(server: server, scenario: scenario)
        }
    }

    func fail(_ error: any Error) { state.withLock { $0.failure = "\(error)" } }

    /// The run's server, once it listens.
    func server() async throws -> LoopbackServer {
        try await waitFor("the run's server to listen", timeout: .seconds(30)) { state throws(HTTPRequestError) in
            if let failure = state.failure { throw HTTPRequestError(message: "the run's server did not start: \(failure)") }
            return state.server != nil
        }
        return state.withLock { $0.server! }
    }

    /// Counts this host ready; when every host is, starts the schedule.
    func ready() async throws -> RunStatus {
        state.withLock { $0.ready += 1 }
        try await waitFor("every host's clients to be ready", timeout: .seconds(120)) { $0.ready >= self.hosts }
        let schedule = state.withLock { $0.schedule! }
        schedule.start()
        return RunStatus(started: true, published: schedule.publishedCount)
    }

    var status: RunStatus {
        state.withLock { RunStatus(started: $0.ready >= hosts, published: $0.schedule?.publishedCount ?? 0) }
    }

    func publishing() async throws -> PublishingRecord {
        guard let schedule = state.withLock({ $0.ready >= hosts ? $0.schedule : nil }) else {
            throw HTTPRequestError(message: "run '\(id)' has not started")
        }
        return try await schedule.finish()
    }

    /// Counts this host done; when every host is, ends the server's streams.
    func done() async throws -> RunStatus {
        state.withLock { $0.done += 1 }
        try await waitFor("every host to finish", timeout: .seconds(60 + Int64(scenario.durationSeconds))) { $0.done >= self.hosts }
        let server = state.withLock { $0.server! }
        server.hub.finish()
        return status
    }

    /// The server's counts once its connections have closed; the last host's request retires the run.
    func result() async throws -> ServerCounts {
        var counts = await ServerCounts(closing: state.withLock { $0.server! })
        let cpu = ProcessResources.now()
        counts.userCPUSeconds = cpu.userSeconds - cpuBefore.userSeconds
        counts.systemCPUSeconds = cpu.systemSeconds - cpuBefore.systemSeconds
        counts.peakResidentBytes = ProcessResources.peakResidentBytes()
        state.withLock {
            $0.fetched += 1
            if $0.fetched >= hosts { $0.retired = true }
        }
        return counts
    }

    func waitUntilRetired(expiry: Duration) async {
        while !Task.isCancelled {
            let (retired, idle) = state.withLock { ($0.retired, ContinuousClock.now - $0.lastRequest) }
            if retired || idle > expiry { return }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    private func waitFor(_ what: String, timeout: Duration, _ condition: (inout State) throws(HTTPRequestError) -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while try !state.withLock({ state throws(HTTPRequestError) in try condition(&state) }) {
            guard ContinuousClock.now < deadline else { throw HTTPRequestError(message: "run '\(id)': gave up after \(timeout) waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(1))
        }
        touch()
    }
}

/// One control endpoint of ``RunControl``.
struct ControlRoute: HTTPRoute {
    enum Action: String, CaseIterable {
        case clock = "/control/clock"
        case open = "/control/run/open"
        case ready = "/control/run/ready"
        case status = "/control/run/status"
        case published = "/control/run/published"
        case done = "/control/run/done"
        case result = "/control/run/result"
    }

    let action: Action
    let control: RunControl
    let transport: TransportKind? = nil
    var path: String { action.rawValue }

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let answer: any Encodable
        switch action {
        case .clock: answer = ClockReading.now
        case .open:
            let body = Data(request.body.readableBytesView)
            let runRequest: RunRequest
            do { runRequest = try JSONDecoder().decode(RunRequest.self, from: body) } catch {
                throw HTTPRequestError(message: "POST /control/run/open takes a JSON RunRequest body (\(error))")
            }
            answer = try await control.open(runRequest)
        case .ready: answer = try await control.run(request).ready()
        case .status: answer = try control.run(request).status
        case .published: answer = try await control.run(request).publishing()
        case .done: answer = try await control.run(request).done()
        case .result: answer = try await control.run(request).result()
        }
        let json = try JSONEncoder().encode(answer)
        try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: ByteBuffer(bytes: json))
    }
}
