import BenchCore
import BenchMessages
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import NIOCore
import Testing

@testable import BenchGRPC
@testable import BenchServer
@testable import BenchTransports

/// gRPC's halves against each other and against grpc-swift's own client, on the loopback server.
@Suite("gRPC", .serialized)
struct GRPCTests {
    static let routes = TransportRegistry([ServerSentEventsTransport(), GRPCTransport()]).routes

    /// Starts a push client against `server`'s gRPC listener in its own task.
    static func startClient(_ server: LoopbackServer) -> (ClientProgress, Task<DeliveryRecorder, Never>) {
        let progress = ClientProgress()
        let target = ClientTarget(host: server.host, port: server.port(for: .grpc), clientIndex: 0, scenario: .defaults)
        let task = Task {
            var recorder = DeliveryRecorder(progress: progress)
            await GRPCTransportClient(direction: .push).run(target, recorder: &recorder)
            return recorder
        }
        return (progress, task)
    }

    /// One protobuf `Poll` call from after 0 with `extra` metadata besides the encoding.
    static func poll(_ client: GRPCClient<HTTP2ClientTransport.Posix>, extra: Metadata = [:]) async throws {
        var metadata = extra
        metadata.addString("protobuf", forKey: EventStreamMetadata.encoding)
        try await client.unary(
            request: ClientRequest(message: Transportbench_Cursor(), metadata: metadata),
            descriptor: Transportbench_EventStream.Method.Poll.descriptor,
            serializer: EncodingSerializer<Transportbench_Cursor>(encoding: .protobuf),
            deserializer: EncodedBodySerializer(),
            options: .defaults
        ) { _ = try $0.message }
    }

    /// Waits until `condition` holds, for 10 s at most.
    static func wait(until condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }

    @Test("a second identical Poll call's HEADERS block is smaller than the first: HPACK's dynamic table")
    func secondCallSmaller() async throws {
        try await withLoopbackServer(routes: Self.routes) { server in
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: server.host, port: server.port(for: .grpc)), transportSecurity: .plaintext)
            try await withGRPCClient(transport: transport) { client in
                @Sendable func poll() async throws { try await Self.poll(client) }
                try await poll()
                let first = try #require(server.traffic.totals(for: .grpc).http2)
                try await poll()
                let second = try #require(server.traffic.totals(for: .grpc).http2)
                let firstBlock = first.headerBlocks.up
                let secondBlock = second.headerBlocks.up - first.headerBlocks.up
                #expect(second.headerFields.up - first.headerFields.up == first.headerFields.up, "the same header fields")
                #expect(secondBlock < firstBlock, "first \(firstBlock) B, second \(secondBlock) B")
                #expect(second.streams == 2)
                #expect(server.traffic.totals(for: .grpc).requests == 2)
                #expect(server.traffic.totals(for: .grpc).emptyResponses == 2, "nothing was published")
            }
        }
    }

    @Test("a subscription the client cancels is reported as a cancelled call, and nothing it received is lost")
    func cancelledCall() async throws {
        try await withLoopbackServer(routes: Self.routes) { server in
            let (progress, task) = Self.startClient(server)
            try await Self.wait { progress.isReady }
            for index in 1...20 { server.hub.publish(payload: "event-\(index)") }
            try await Self.wait { progress.delivered == 20 }
            task.cancel()
            let recorder = await task.value
            #expect(recorder.callsCancelled == 1)
            #expect(recorder.reconnects == 0)
            #expect(recorder.connectionErrors.isEmpty, "\(recorder.connectionErrors)")
            #expect(recorder.ledger.delivered == 20)
            #expect(recorder.ledger.missing(through: 20).isEmpty)
        }
    }

    @Test("a subscriber whose cursor fell out of the retention window is told the gap in a trailer and resumes after it")
    func gapAnnounced() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.retainedEvents = 10
        try await withLoopbackServer(configuration: configuration, routes: Self.routes) { server in
            for index in 1...30 { server.hub.publish(payload: "early-\(index)") }
            let (progress, task) = Self.startClient(server)
            try await Self.wait { progress.delivered == 10 }
            progress.requestStop()
            server.hub.finish()
            let recorder = await task.value
            #expect(recorder.ledger.announcedGaps == [1...20])
            #expect(recorder.ledger.delivered == 10)
            #expect(recorder.ledger.missing(through: 30) == [1...20])
        }
    }
}
