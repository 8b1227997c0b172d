import BenchCore
import BenchEngine
import BenchGRPC
import BenchServer
import BenchTransports
import Testing

/// gRPC's four call shapes through the engine, on the same loopback server as the rest.
@Suite("Runner with gRPC", .serialized)
struct GRPCRunnerTests {
    static let runner = Runner(registry: TransportRegistry([ServerSentEventsTransport(), WebSocketTransport(), GRPCTransport()]))

    func scenario(direction: Direction = .push, clients: Int = 3, rate: Double = 50, duration: Double = 0.6) -> Scenario {
        Scenario(
            name: "test", clients: clients, eventsPerSecond: rate, payloadBytes: 64, encoding: .protobuf, direction: direction,
            durationSeconds: duration, pollIntervalSeconds: 0.1
        )
    }

    @Test("each of the four call shapes delivers every event exactly once", arguments: [
        (Direction.push, GRPCTransportClient.Call.serverStreaming), (.push, .unary), (.upload, .clientStreaming), (.echo, .bidirectionalStreaming),
    ])
    func callShapes(direction: Direction, call: GRPCTransportClient.Call) async throws {
        let scenario = scenario(direction: direction)
        let transport = GRPCTransport(.init(pushCall: call))
        #expect((transport.makeClient(for: scenario) as? GRPCTransportClient)?.call == call)
        let result = try await Self.runner.run(scenario, transport: transport)
        // The model's pattern follows the call: a unary call polls, the streams deliver at once.
        #expect(result.delivery == (call == .unary ? .poll : .stream))
        #expect(result.variant == call.rawValue)
        #expect(result.httpVersion == "2")
        #expect(result.deliveriesExpected == 3 * 30)
        #expect(result.eventsDelivered == 3 * 30)
        #expect(result.eventsLost == 0)
        #expect(result.eventsDuplicated == 0)
        #expect(result.connections == 3)
        #expect(result.clientErrors.isEmpty, "\(result.clientErrors)")
        let frames = try #require(result.http2)
        #expect(frames.totalBytes == result.bytesUp + result.bytesDown, "every byte in one category")
        #expect(frames.dataPayload.total >= result.payloadBytes)
    }

    @Test("server streaming, one message per DATA frame: each event costs its body plus a 9-byte frame header and gRPC's 5-byte prefix")
    func perMessageOverhead() async throws {
        // One client, 25 events 40 ms apart: each is written (and framed) on its own.
        let scenario = scenario(clients: 1, rate: 25, duration: 1)
        let result = try await Self.runner.run(scenario, transport: GRPCTransport())
        #expect(result.eventsDelivered == 25)
        let frames = try #require(result.http2)
        // RFC 9113 §4.1: every frame starts with 9 octets (length 3, type 1, flags 1, stream 4).
        // gRPC over HTTP/2, Length-Prefixed-Message: compressed flag 1 octet + message length 4.
        let perMessage = 9 + 5
        #expect(frames.dataFrameHeaders.down == 9 * 25, "one DATA frame per message")
        #expect(frames.grpcMessagePrefixes.down == 5 * 25)
        #expect(frames.dataPayload.down == result.payloadBytes, "DATA carries exactly the encoded events")
        // Against the WireMeter's own count: everything the server sent that is not DATA, plus
        // 14 bytes and the body per event.
        let notData = frames.settings.down + frames.headers.down + frames.trailers.down + frames.windowUpdates.down + frames.pings.down + frames.other.down
        #expect(result.bytesDown == notData + 25 * perMessage + result.payloadBytes)
    }

    @Test("a call that reaches its deadline is counted as such and reopened from the cursor; nothing is lost or repeated")
    func deadlines() async throws {
        var scenario = scenario(clients: 2, rate: 40, duration: 1.2)
        scenario.callDeadlineSeconds = 0.25
        let result = try await Self.runner.run(scenario, transport: GRPCTransport())
        #expect(result.deadlinesExceeded >= 2 * 3, "about one deadline per 0.25 s per client")
        #expect(result.eventsLost == 0)
        #expect(result.eventsDuplicated == 0)
        #expect(result.reconnects == 0)
        #expect(result.requests == 2 + result.deadlinesExceeded, "one Subscribe call per client, one more after each deadline")
    }
}
