import BenchCore
import BenchServer
import BenchTransports
import Foundation
import Synchronization

/// `bench serve`'s control API for runs driven from other hosts (`bench run --target`): each
/// run gets a server of its own (its own hub, event stream and byte counts, on new ports),
/// which lives until every host of the run has fetched its result (or 10 minutes pass without
/// a request). ``ControlPath`` lists the requests and their answers.
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
        ControlPath.allCases.map { ControlRoute(endpoint: $0, control: self) }
    }

    /// The run a request's `?id=` names; the request counts as activity.
    func run(_ request: HTTPRequest) throws(HTTPRequestError) -> HostedRun {
        guard let id = request.query["id"] else { throw HTTPRequestError(message: "\(request.path) needs ?id=RUN") }
        guard let run = runs.withLock({ $0[id] }) else {
            throw HTTPRequestError(message: "no run '\(id)' on this server (finished, expired, or never opened)")
        }
        run.touch()
        return run
    }

    /// Checks the request, then joins the run it names or registers a new one: the run, this
    /// host's index, and whether it is new.
    private func register(_ request: RunRequest, tokenAuthority: JWTAuthority?) throws(HTTPRequestError) -> (HostedRun, Int, Bool) {
        do { try request.scenario.validate() } catch { throw HTTPRequestError(message: "the run's scenario is not valid: \(error)") }
        guard (1...1000).contains(request.hosts) else {
            throw HTTPRequestError(message: "hosts must be between 1 and 1000 (got \(request.hosts))")
        }
        return try runs.withLock { runs throws(HTTPRequestError) in
            if let id = request.id, let existing = runs[id] {
                return (existing, try existing.join(request), false)
            }
            let run = HostedRun(
                id: request.id ?? UUID().uuidString, hosts: request.hosts, scenario: request.scenario, tokenAuthority: tokenAuthority,
                node: request.node, expiry: Self.expiry)
            runs[run.id] = run
            return (run, 0, true)
        }
    }

    /// Opens a run, or joins the one the request names; answers once the run's server listens,
    /// with a token of the run's key for this host's clients when the scenario requires one.
    func open(_ request: RunRequest) async throws -> RunTicket {
        // A new run's key (a joining host's is not used: the run has one).
        let (run, hostIndex, isNew) = try register(request, tokenAuthority: try await JWTAuthority.forRun(request.scenario))
        if isNew {
            var total = request.scenario
            total.clients *= request.hosts
            let (routes, host) = (routes, host)
            Task {
                do {
                    try await withLoopbackServer(configuration: .forRun(total, host: host, tokenAuthority: run.tokenAuthority), routes: routes) { server in
                        // A scale-out node subscribes before its ticket goes out, so it has every
                        // event the publisher sends once the run starts.
                        var relay: BackplaneRelay?
                        if let channel = run.node?.backplane { relay = try await BackplaneRelay.subscribe(to: channel, hub: server.hub) }
                        run.attach(server, relay: relay)
                        await run.waitUntilRetired()
                        await relay?.stop()
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
        return RunTicket(
            id: run.id, host: hostIndex, hosts: run.hosts, firstClientIndex: hostIndex * request.scenario.clients, ports: ports,
            certificatePEM: server.tls?.identity.certificatePEM,
            bearerToken: try await run.tokenAuthority?.runToken(for: run.scenario))
    }
}
