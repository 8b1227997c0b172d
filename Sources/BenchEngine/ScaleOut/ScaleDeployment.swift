import BenchCore
import BenchRedis
import BenchTransports
import Foundation

/// `bench scale --nodes N`'s server side for one transport: Redis (started here, or
/// `--redis`), `N` `bench serve --redis URL --redis-channel NAME` processes relaying one
/// channel into their hubs, and nginx in front of them, round robin; each started on free
/// loopback ports and stopped when ``with(_:_:)``'s body returns or throws.
///
/// Here is the application that publishes: ``publish(_:payloads:)`` PUBLISHes events once to
/// the channel (``BackplanePublisher``'s format: sequences from 1, stamped just before each
/// PUBLISH), and every node fans them out to the connections nginx gave it.
///
/// ```swift
/// try await ScaleDeployment.with(configuration) { deployment in
///     let port = deployment.port(for: descriptor, scenario: configuration.scenario)   // nginx's
///     deployment.publish(10, payloads: configuration.scenario.payloads)
/// }
/// ```
struct ScaleDeployment {
    /// The nodes, in start order (node `i + 1` is `nodes[i]`).
    let nodes: [ServeProcess]
    let balancer: NginxBalancer
    let publisher: BackplanePublisher
    /// What ``ScaleRow/deployment`` says.
    let settings: ScaleOutSettings

    /// Starts Redis (unless `configuration.redisURL` names one), the nodes and nginx, runs
    /// `body`, and stops everything it started, also when a start or `body` throws.
    /// - Throws: ``BenchError`` (usage) in one sentence when Redis cannot be reached or nginx
    ///   refuses its configuration.
    static func with<T>(_ configuration: Scale.Configuration, _ body: (ScaleDeployment) async throws -> T) async throws -> T {
        let scenario = configuration.scenario
        var backplane: Backplane?
        var nodes: [ServeProcess] = []
        var balancer: NginxBalancer?
        func stopAll() async {
            balancer?.stop()
            for node in nodes { node.stop() }
            await backplane?.stop()
        }
        do {
            backplane = try await Backplane.start(redisURL: configuration.redisURL, encoding: scenario.encoding, channelPrefix: "transportbench-scale")
            for _ in 0..<configuration.nodes {
                // Each node has subscribed once it prints its endpoints.
                nodes.append(try ServeProcess.start(arguments: configuration.serveArguments + backplane!.channel.serveArguments))
            }
            balancer = try await NginxBalancer.start(
                nodes: nodes.map { NginxConfiguration.Node(httpPort: $0.controlPort, grpcPort: $0.ports[TransportKind.grpc.rawValue]) },
                sticky: false)
            let deployment = ScaleDeployment(nodes: nodes, balancer: balancer!, publisher: backplane!.publisher, settings: scenario.scaleOut)
            let value = try await body(deployment)
            await stopAll()
            return value
        } catch {
            await stopAll()
            throw error
        }
    }

    /// nginx's port for `transport`'s clients.
    func port(for transport: any TransportTraits, scenario: Scenario) -> Int {
        balancer.port(for: transport, scenario: scenario)
    }

    /// PUBLISHes events 1…`count` at once, on the publisher's event loop (each stamped just
    /// before its PUBLISH is written), with `payloads`' payloads: what one `bench serve`
    /// publishes for `POST /control/publish?count=N`.
    func publish(_ count: Int, payloads: PayloadFactory) async throws {
        try await publisher.loop.submit {
            for sequence in 1...UInt64(count) {
                _ = publisher.publish(sequence: sequence, payload: payloads.payload(for: sequence), sizeIn: nil)
            }
        }.get()
    }

    /// The nodes' CPU times, summed.
    func cpuSeconds() throws -> (user: Double, system: Double) {
        try nodes.reduce((user: 0.0, system: 0.0)) { sum, node in
            let cpu = try node.cpuSeconds()
            return (sum.user + cpu.user, sum.system + cpu.system)
        }
    }
}
