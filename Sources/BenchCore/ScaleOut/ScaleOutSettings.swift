/// How a run's server side is deployed (`--nodes`, `--backplane`, `--balancer`, `--sticky`,
/// `--redis`, `--kill-node-at`): one server in bench's own process, as every run before
/// scale-out measured, or server nodes of their own (`bench serve` processes) behind a real load
/// balancer (nginx) sharing one event stream through a real broker (Redis Pub/Sub).
///
/// One value, so a scenario, a claim file's `run` line and a report row carry the same thing.
///
/// ```swift
/// var scaleOut = ScaleOutSettings(nodes: 3)   // nginx in front, Redis between the nodes
/// scaleOut.sticky = true                      // nginx hashes the tb_session cookie
/// try scaleOut.validate()
/// scaleOut.label                              // "3 nodes, nginx sticky, redis"
/// ```
public struct ScaleOutSettings: Codable, Sendable, Hashable {
    /// What sits between the clients and the nodes.
    public enum Balancer: String, CaseIterable, Codable, Sendable, Hashable {
        /// Debian's nginx, started by bench with a generated configuration.
        case nginx
        /// Nothing: client `i` connects straight to node `i mod N`.
        case none
    }

    /// How an event published once reaches every node.
    public enum Backplane: String, CaseIterable, Codable, Sendable, Hashable {
        /// Redis Pub/Sub: the publisher PUBLISHes each event once, every node SUBSCRIBEs.
        case redis
        /// None: the events are published on the first node only, as an application without a
        /// broker publishes where its request landed; the other nodes' clients never see them.
        case none
    }

    /// Server nodes, each a `bench serve` process of its own.
    public var nodes: Int
    public var balancer: Balancer
    /// nginx routes every request of a client to one node (`hash $cookie_tb_session
    /// consistent`), instead of round robin.
    public var sticky: Bool
    public var backplane: Backplane
    /// An existing Redis (`redis://HOST:PORT`) instead of the `redis-server` bench starts.
    public var redisURL: String?
    /// Seconds after publishing starts when the last node is killed (SIGKILL); `nil` for none.
    public var killNodeAtSeconds: Double?

    /// `nodes` nodes; more than one get nginx and Redis by default, as a deployment would.
    public init(
        nodes: Int = 1, balancer: Balancer? = nil, sticky: Bool = false, backplane: Backplane? = nil,
        redisURL: String? = nil, killNodeAtSeconds: Double? = nil
    ) {
        self.nodes = nodes
        self.balancer = balancer ?? (nodes > 1 ? .nginx : .none)
        self.sticky = sticky
        self.backplane = backplane ?? (nodes > 1 ? .redis : .none)
        self.redisURL = redisURL
        self.killNodeAtSeconds = killNodeAtSeconds
    }

    /// One server in bench's process: no nodes, balancer or broker.
    public static var single: ScaleOutSettings { ScaleOutSettings() }

    /// Whether the run's server side is node processes (anything but ``single``).
    public var isDeployed: Bool { nodes > 1 || balancer != .none || backplane != .none }

    /// The node client `index` connects to when nothing balances: `index mod nodes`.
    public func node(forClient index: Int) -> Int { index % nodes }

    /// For reports: "3 nodes, nginx sticky, redis"; "one process" for ``single``.
    public var label: String {
        guard isDeployed else { return "one process" }
        let balanced = balancer == .none ? "direct" : "nginx" + (sticky ? " sticky" : " round robin")
        return "\(nodes) node\(nodes == 1 ? "" : "s"), \(balanced), " + (backplane == .redis ? "redis" : "no backplane")
            + (killNodeAtSeconds.map { ", node \(nodes) killed at \($0) s" } ?? "")
    }

    /// For narrow tables: `2 nginx+redis`, `3 direct, no broker`, `2 nginx sticky+redis, kill`.
    public var shortLabel: String {
        "\(nodes) " + (balancer == .none ? "direct" : sticky ? "nginx sticky" : "nginx") + (backplane == .redis ? "+redis" : ", no broker")
            + (killNodeAtSeconds == nil ? "" : ", kill")
    }

    /// Checks the settings and throws one sentence naming the first bad one.
    public func validate() throws(BenchError) {
        guard (1...ScaleOutSettings.maxNodes).contains(nodes) else {
            throw .usage("--nodes must be between 1 and \(ScaleOutSettings.maxNodes) (got \(nodes))")
        }
        if sticky, balancer == .none { throw .usage("--sticky on needs --balancer nginx: without a balancer each client has its node") }
        if let redisURL {
            guard backplane == .redis else { throw .usage("--redis names the backplane's server: it needs --backplane redis") }
            try Self.checkRedisURL(redisURL)
        }
        if let seconds = killNodeAtSeconds {
            guard seconds.isFinite, seconds > 0 else { throw .usage("--kill-node-at must be a positive number of seconds (got \(seconds))") }
            guard nodes >= 2, balancer == .nginx else {
                throw .usage("--kill-node-at needs --nodes 2 or more behind --balancer nginx: the killed node's clients reconnect through the balancer to another node")
            }
        }
    }

    /// Checks what a scale-out run of `scenario` can honour, one sentence naming the option.
    func check(_ scenario: Scenario) throws(BenchError) {
        guard isDeployed else { return }
        guard scenario.direction == .push else {
            throw .usage("--nodes, --balancer and --backplane run push: the nodes relay published events to their clients (got --direction \(scenario.direction.rawValue))")
        }
        guard !scenario.tls.enabled else {
            throw .usage("--tls with scale-out nodes is not built: nginx would terminate TLS, a layer of its own to measure; run scale-out cleartext")
        }
        guard !scenario.security.requiresToken else {
            throw .usage("--auth jwt with scale-out nodes is not built: each node makes its own key, so a token would fail on the other nodes")
        }
        guard scenario.link == nil else {
            throw .usage("--link with scale-out nodes is not built: the emulated link would sit between the balancer and the nodes, not in front of the clients")
        }
    }

    /// The cookie a session carries behind the balancer, which sticky sessions hash: every
    /// client sends `tb_session=INDEX`, sticky or not, as a logged-in browser sends its session
    /// cookie whatever the balancer does with it.
    public static let sessionCookie = "tb_session"

    /// `fields` with client `index`'s session cookie when nginx balances: merged into the head's
    /// `Cookie` (a request carries one, RFC 6265 §5.4), or added as one; `fields` otherwise.
    public func addingSessionCookie(to fields: [HeaderProfile.Field], client index: Int) -> [HeaderProfile.Field] {
        guard balancer == .nginx else { return fields }
        let cookie = "\(Self.sessionCookie)=\(index)"
        var fields = fields
        if let existing = fields.firstIndex(where: { $0.name.lowercased() == "cookie" }) {
            fields[existing].value = cookie + "; " + fields[existing].value
        } else {
            fields.append(HeaderProfile.Field("Cookie", cookie))
        }
        return fields
    }

    /// `redis://HOST:PORT`, as the backplane's client reads it.
    static func checkRedisURL(_ url: String) throws(BenchError) {
        let parts = url.split(separator: "/", omittingEmptySubsequences: false)
        guard url.hasPrefix("redis://"), parts.count == 3, let colon = parts[2].lastIndex(of: ":"),
            !parts[2][..<colon].isEmpty, Int(parts[2][parts[2].index(after: colon)...]).map({ (1...65535).contains($0) }) == true
        else { throw .usage("--redis must be redis://HOST:PORT (got '\(url)')") }
    }

    /// The most nodes a run starts: each is a process of its own on this machine.
    public static let maxNodes = 16
}
