import BenchCore
import BenchEngine
import BenchGRPC
import BenchTransports
import Testing

/// gRPC's client byte meter (first in the channel grpc-swift opens, in front of TLS) against
/// the server's WireMeter, through the engine on loopback.
@Suite("gRPC client wire bytes", .serialized)
struct GRPCClientWireTests {
    static let runner = Runner(registry: TransportRegistry([GRPCTransport()]))

    @Test(
        "the clients' received bytes equal the server's sent bytes, and their sent bytes the server's received, exactly",
        arguments: [
            (Direction.push, GRPCTransportClient.Call.serverStreaming), (.push, .unary), (.upload, .clientStreaming),
            (.echo, .bidirectionalStreaming),
        ], [false, true])
    func clientsMatchServer(shape: (direction: Direction, call: GRPCTransportClient.Call), tls: Bool) async throws {
        let (direction, call) = shape
        var scenario = Scenario(
            name: "test", clients: 3, eventsPerSecond: 50, payloadBytes: 64, encoding: .protobuf, direction: direction,
            durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        if tls { scenario.tls = .on }
        let result = try await Self.runner.run(scenario, transport: GRPCTransport(.init(pushCall: call)))
        #expect(result.eventsLost == 0 && result.clientErrors.isEmpty, "\(result.clientErrors)")
        #expect(result.bytesDown > 0 && result.bytesUp > 0)
        #expect(result.clientWireBytesReceived == result.bytesDown, "server → clients")
        #expect(result.clientWireBytesSent == result.bytesUp, "clients → server")
    }
}
