import BenchCore
import BenchServer
import BenchTransports
import Foundation
import Testing

@testable import BenchEngine

/// `bench run --tls --target`, with the load host and the serving host's control API in one
/// process: the control API is cleartext, the run's own server speaks TLS.
@Suite("remote runs over TLS", .serialized, .timeLimit(.minutes(2)))
struct RemoteTLSRunTests {
    func scenario() -> Scenario {
        var scenario = Scenario(name: "tls", clients: 3, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        scenario.tls = .on
        return scenario
    }

    @Test(
        "the ticket carries the run server's certificate, the clients trust it: every event arrives, and each client made one handshake",
        arguments: [WebSocketTransport(), ServerSentEventsTransport()] as [any TransportDescriptor])
    func overTLS(transport: any TransportDescriptor) async throws {
        let control = RunControl(routes: TransportRegistry.withoutGRPC.routes, host: "127.0.0.1")
        try await withLoopbackServer(routes: Routes(http: control.httpRoutes)) { server in
            let target = try RemoteTarget(url: "http://127.0.0.1:\(server.port)")
            let result = try await Runner(registry: .withoutGRPC).run(scenario(), transport: transport, target: target)
            // 50 events/s for 0.6 s, to each of 3 clients.
            #expect(result.eventsPublished == 30)
            #expect(result.eventsDelivered == 3 * 30 && result.eventsLost == 0)
            #expect(result.tls == "TLS 1.3, P-256")
            let tally = try #require(result.serverTLS)
            #expect(tally.handshakes == 3 && tally.handshakeFailures == 0 && tally.handshakeTimeouts == 0)
            #expect(result.connections == 3)
            #expect(result.target == target.url)
        }
    }

    @Test("--cert with --target is refused before the server is asked: the file would be read on the serving host")
    func certificateFilesRefused() async throws {
        var scenario = scenario()
        scenario.tls.certificatePath = "cert.pem"
        scenario.tls.privateKeyPath = "key.pem"
        // Nothing listens on port 1: a refusal that asked the server would say it cannot reach it.
        let error = await #expect(throws: BenchError.self) {
            _ = try await Runner(registry: .withoutGRPC).run(scenario, transport: WebSocketTransport(), target: try RemoteTarget(url: "http://127.0.0.1:1"))
        }
        #expect(error?.message.hasPrefix("--cert and --key with --target") == true)
    }
}
