import BenchCore
import BenchEngine
import BenchServer
import BenchTransports
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

@testable import BenchGRPC

/// gRPC through the load balancer: nginx's h2c listener passes the `EventStream` service to the
/// nodes' gRPC listeners as gRPC (`grpc_pass`).
@Suite("gRPC through nginx", .serialized, .timeLimit(.minutes(2)))
struct NginxGRPCTests {
    static let routes = TransportRegistry([GRPCTransport()]).routes

    @Test("a subscription receives every event through nginx, and unary calls take turns on the nodes")
    func throughBalancer() async throws {
        try await withLoopbackServer(routes: Self.routes) { first in
            try await withLoopbackServer(routes: Self.routes) { second in
                let nodes = [first, second].map { NginxConfiguration.Node(httpPort: $0.port, grpcPort: $0.port(for: .grpc)) }
                let balancer = try await NginxBalancer.start(nodes: nodes, sticky: false)
                defer { balancer.stop() }

                let progress = ClientProgress()
                let target = ClientTarget(host: "127.0.0.1", port: balancer.http2Port, clientIndex: 0, scenario: .defaults)
                let subscriber = Task {
                    var recorder = DeliveryRecorder(progress: progress)
                    await GRPCTransportClient(direction: .push).run(target, recorder: &recorder)
                    return recorder
                }
                try await GRPCTests.wait { progress.isReady }
                // The subscription is on one node: publish on both, as the backplane would.
                for index in 1...20 {
                    for server in [first, second] { _ = server.hub.publish(payload: "event-\(index)") }
                }
                try await GRPCTests.wait { progress.delivered == 20 }
                subscriber.cancel()
                let recorder = await subscriber.value
                #expect(recorder.ledger.delivered == 20)
                #expect(recorder.ledger.missing(through: 20).isEmpty)
                #expect(recorder.connectionErrors.isEmpty, "\(recorder.connectionErrors)")

                let transport = try HTTP2ClientTransport.Posix(
                    target: .ipv4(address: "127.0.0.1", port: balancer.http2Port), transportSecurity: .plaintext)
                let requestsBefore = [first, second].map { $0.traffic.totals(for: .grpc).requests }
                try await withGRPCClient(transport: transport) { client in
                    for _ in 0..<2 { try await GRPCTests.poll(client) }
                }
                // Round robin: one Poll on each node.
                #expect(first.traffic.totals(for: .grpc).requests == requestsBefore[0] + 1)
                #expect(second.traffic.totals(for: .grpc).requests == requestsBefore[1] + 1)
                let polls = try balancer.accessLog().entries.filter { $0.request == "HTTP/2.0 POST /transportbench.EventStream/Poll" }
                #expect(Set(polls.compactMap(\.servedBy)) == Set(nodes.map { "127.0.0.1:\($0.grpcPort!)" }))
            }
        }
    }
}
