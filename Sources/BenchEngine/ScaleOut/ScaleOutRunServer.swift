import BenchCore
import BenchRedis
import BenchServer
import BenchTLS
import BenchTransports
import Foundation
import Synchronization

/// The server side of a scale-out run (``ScaleOutSettings``): `N` nodes, each a `bench serve`
/// process serving the run (a hosted run, as for `--target`), Redis between them, nginx in
/// front — each started here on free loopback ports and stopped when the run ends.
///
/// With the Redis backplane, this process is the publishing application: it PUBLISHes each
/// event of the scenario's schedule once (``BackplanePublisher``), and every node relays what
/// its subscription brings into its own hub (``BackplaneRelay``). Without one, the first node
/// publishes the schedule itself and the other nodes have nothing to send. Clients connect to
/// nginx (or, without a balancer, client `i` to node `i mod N`).
final class ScaleOutRunServer: RunServer {
    /// One node: its process and its run.
    struct Node: Sendable {
        let number: Int
        let process: ServeProcess
        let run: RemoteRunServer

        /// `body`'s value; a failure names the node, and says when its process had died.
        func answering<T>(_ body: () async throws -> T) async throws -> T {
            do {
                return try await body()
            } catch {
                let state = process.process.isRunning ? "stopped answering" : "ended (status \(process.process.terminationStatus))"
                throw BenchError.runFailed("scale-out node \(number) (bench serve, process \(process.process.processIdentifier)) \(state)", cause: error)
            }
        }
    }

    let settings: ScaleOutSettings
    let nodes: [Node]
    let balancer: NginxBalancer?
    let backplane: Backplane?
    private let transport: any TransportTraits
    private let scenario: Scenario
    /// The publisher's schedule: the backplane's, or the first node's.
    private let schedule: ServerSchedule?
    private let killedNode = Mutex<(number: Int, seconds: Double)?>(nil)
    private let killer = Mutex<Task<Void, Never>?>(nil)
    private let nodeCounts = Mutex<[Int: ServerCounts]>([:])
    /// The balancer's access log, read before it stops.
    private let balancerLog = Mutex<NginxAccessLog?>(nil)

    private init(
        settings: ScaleOutSettings, nodes: [Node], balancer: NginxBalancer?, backplane: Backplane?, transport: any TransportTraits,
        scenario: Scenario
    ) {
        self.settings = settings
        self.nodes = nodes
        self.balancer = balancer
        self.backplane = backplane
        self.transport = transport
        self.scenario = scenario
        self.schedule = backplane.map { ServerSchedule(publishingTo: $0.publisher, scenario: scenario) }
    }

    /// Starts the deployment `scenario.scaleOut` describes for a run over `transport`, runs
    /// `body` against it, and stops every process it started, also when `body` throws.
    static func withDeployment<T>(
        _ scenario: Scenario, transport: any TransportTraits, _ body: (ScaleOutRunServer) async throws -> T
    ) async throws -> T {
        let settings = scenario.scaleOut
        try NodeCapacity.check(nodes: settings.nodes, clients: scenario.clients)
        var started: [ServeProcess] = []
        var backplane: Backplane?
        var balancer: NginxBalancer?
        func stopAll() async {
            balancer?.stop()
            for process in started { process.stop() }
            await backplane?.stop()
        }
        do {
            if settings.backplane == .redis {
                backplane = try await Backplane.start(redisURL: settings.redisURL, encoding: scenario.encoding, channelPrefix: "transportbench")
            }
            var nodes: [Node] = []
            for index in 0..<settings.nodes {
                let process = try ServeProcess.start()
                started.append(process)
                let target = try RemoteTarget(url: "http://127.0.0.1:\(process.controlPort)")
                let role = NodeRole(backplane: backplane?.channel, publishes: backplane == nil && index == 0)
                let run = try await RemoteRunServer.open(target, scenario: scenario, transport: transport, node: role)
                nodes.append(Node(number: index + 1, process: process, run: run))
            }
            if settings.balancer == .nginx {
                balancer = try await NginxBalancer.start(
                    nodes: nodes.map { NginxConfiguration.Node(httpPort: $0.run.httpPort, grpcPort: $0.run.ticket.ports[TransportKind.grpc.rawValue]) },
                    sticky: settings.sticky)
            }
            let server = ScaleOutRunServer(
                settings: settings, nodes: nodes, balancer: balancer, backplane: backplane, transport: transport, scenario: scenario)
            let value = try await body(server)
            server.killer.withLock { $0?.cancel() }
            await stopAll()
            return value
        } catch {
            await stopAll()
            throw error
        }
    }

    var host: String { "127.0.0.1" }

    func port(for transport: TransportKind) -> Int { port(for: transport, client: 0) }

    func port(for transport: TransportKind, client index: Int) -> Int {
        guard let balancer else { return nodes[settings.node(forClient: index)].run.port(for: transport) }
        return balancer.port(for: self.transport, scenario: scenario)
    }

    var firstClientIndex: Int { 0 }
    var clientTLS: ClientTLS? { nil }
    /// One kernel: the nodes' clock is this process's.
    var clock: ClockRelation { nodes[0].run.clock }
    var bearerToken: String? { nil }
    var uploads: UploadRegistry? { nil }

    /// Every node's clients are ready (one load host: this one), then publishing starts, and
    /// the kill, if any, is timed from now.
    func start() async throws {
        try await forEachNode { try await $0.run.start() }
        schedule?.start()
        if let seconds = settings.killNodeAtSeconds, let last = nodes.last {
            let started = ContinuousClock.now
            let task = Task {
                guard (try? await Task.sleep(for: .seconds(seconds))) != nil else { return }
                kill(last.process.process.processIdentifier, SIGKILL)
                self.killedNode.withLock { $0 = (last.number, (ContinuousClock.now - started).seconds) }
            }
            killer.withLock { $0 = task }
        }
    }

    var publishedCount: Int { schedule?.publishedCount ?? nodes[0].run.publishedCount }

    func finishPublishing() async throws -> PublishingRecord {
        if let schedule { return try await schedule.finish() }
        return try await nodes[0].run.finishPublishing()
    }

    func end() async throws {
        killer.withLock { $0?.cancel() }
        try await forEachNode { try await $0.run.end() }
    }

    /// Every live node's counts, summed; each one's kept for ``result(published:)``. The
    /// clients have stopped: the balancer goes first (after its access log is read), so its
    /// idle keepalive connections to the nodes close and the nodes' counts are final.
    func counts() async throws -> ServerCounts {
        let log = try? balancer?.accessLog()
        balancerLog.withLock { $0 = log }
        balancer?.stop()
        var total = ServerCounts(traffic: TrafficTotals(), connectionsStillOpen: 0)
        for node in liveNodes {
            let counts = try await node.answering { try await node.run.counts() }
            nodeCounts.withLock { $0[node.number] = counts }
            total.traffic = total.traffic + counts.traffic
            total.connectionsStillOpen += counts.connectionsStillOpen
            total.userCPUSeconds = (total.userCPUSeconds ?? 0) + (counts.userCPUSeconds ?? 0)
            total.systemCPUSeconds = (total.systemCPUSeconds ?? 0) + (counts.systemCPUSeconds ?? 0)
            total.peakResidentBytes = Swift.max(total.peakResidentBytes ?? 0, counts.peakResidentBytes ?? 0)
        }
        return total
    }

    /// The nodes still running: all but a killed one.
    private var liveNodes: [Node] {
        let killed = killedNode.withLock { $0?.number }
        return nodes.filter { $0.number != killed }
    }

    private func forEachNode(_ body: @escaping @Sendable (Node) async throws -> Void) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in liveNodes { group.addTask { try await node.answering { try await body(node) } } }
            try await group.waitForAll()
        }
    }

    /// What the run's server side came to, once ``counts()`` has run: `published` events.
    func result(published: Int) -> ScaleOutResult {
        let counts = nodeCounts.withLock { $0 }
        let killed = killedNode.withLock { $0 }
        var result = ScaleOutResult(settings: settings, nodes: nodes.map { node in
            guard let counts = counts[node.number] else { return ScaleOutResult.Node(number: node.number, killed: node.number == killed?.number) }
            var entry = ScaleOutResult.Node(
                number: node.number, bytesIn: counts.traffic.bytesIn, bytesOut: counts.traffic.bytesOut,
                connections: counts.traffic.connections, requests: counts.traffic.requests)
            entry.userCPUSeconds = counts.userCPUSeconds
            entry.systemCPUSeconds = counts.systemCPUSeconds
            entry.peakResidentBytes = counts.peakResidentBytes
            entry.backplane = counts.backplane
            return entry
        })
        result.nodeKilledAtSeconds = killed?.seconds
        if let backplane {
            let bytes = backplane.publisher.socketBytes
            result.publisherBytesSent = bytes.sent
            result.publisherBytesReceived = bytes.received
            result.fewestNodesReached = backplane.publisher.fewestNodesReached
            result.lostAtPublish = backplane.publisher.lost
            var hop = LatencyHistogram()
            for node in result.nodes {
                guard let tally = node.backplane else { continue }
                let lost = tally.lost(through: UInt64(published))
                if !lost.isEmpty { result.lostAtNodes[node.number] = lost }
                if let encoded = tally.brokerHopHistogram, let histogram = try? LatencyHistogram(encoded: encoded) { hop.merge(histogram) }
            }
            result.brokerHop = hop.count == 0 ? nil : hop.summary
        }
        if let balancer, let log = balancerLog.withLock({ $0 }) {
            result.balancerRequestsByNode = log.requestsByNode(balancer.configuration)
            (result.clientsOnSeveralNodes, result.mostNodesPerClient) = log.sessionSpread(balancer.configuration)
        }
        return result
    }
}
