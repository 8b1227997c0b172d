import BenchCore
import BenchEngine
import BenchServer
import BenchTransports
import NIOCore
import Testing

/// A transport that exists only in this test: it proves that one registration is all a new
/// transport needs. Its server half answers `GET /fake?after=N` with the retained events after
/// N as a JSON batch; its client asks every 20 ms on a new connection.
struct FakeTransport: TransportDescriptor {
    static let name = TransportKind(rawValue: "fake-poll")

    var kind: TransportKind { Self.name }
    var displayName: String { "Fake poll" }
    func delivery(variant: String) -> DeliveryPattern { .poll }
    var holdsConnections: Bool { false }

    func register(in routes: inout Routes) { routes.add(Endpoint()) }
    func makeClient(for scenario: Scenario) -> any TransportClient { Client() }

    struct Endpoint: HTTPRoute {
        var transport: TransportKind? { FakeTransport.name }
        var path: String { "/fake" }

        func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
            let batch = context.hub.events(after: try request.unsignedParameter("after") ?? 0)
            if batch.events.isEmpty { context.meter.countEmptyResponse() }
            let body = EventCodec.batch(of: batch.events.map { $0.body(.json)! }, encoding: .json)
            try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: body)
        }
    }

    struct Client: TransportClient {
        var kind: TransportKind { FakeTransport.name }
        var variant: String { "per-request" }

        func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
            var cursor: UInt64 = 0
            let codec = EventCodec(.json)
            while !Task.isCancelled && !recorder.progress.isStopRequested {
                do {
                    let body = try await HTTPClientConnection.request(.GET, "/fake?after=\(cursor)", to: target)
                    recorder.connectionsOpened += 1
                    recorder.requestsSent += 1
                    recorder.progress.markReady()
                    let receivedAt = MonotonicClock.nowNanoseconds()
                    for event in try codec.decodeBatch(ByteBuffer(string: body)) {
                        recorder.deliver(event, receivedAt: receivedAt)
                        cursor = max(cursor, event.sequence)
                    }
                    try await Task.sleep(for: .milliseconds(20))
                } catch {
                    if Task.isCancelled || recorder.progress.isStopRequested { return }
                    recorder.noteConnectionError(error)
                }
            }
        }
    }
}

@Suite("Transport registry")
struct TransportRegistryTests {
    let registry = TransportRegistry.withoutGRPC

    @Test("lists parse names in the order given, drop repeats, and 'all' means every transport that carries the direction")
    func lists() throws {
        #expect(try registry.parse("long-polling, short-polling,long-polling").map(\.kind) == [.longPolling, .shortPolling])
        #expect(try registry.parse("all").map(\.kind) == [.shortPolling, .longPolling, .serverSentEvents, .webSocket, .httpStreaming])
        #expect(try registry.parse("all", carrying: .echo).map(\.kind) == [.webSocket])
        let error = #expect(throws: BenchError.self) { try registry.parse("carrier-pigeon") }
        #expect(error?.message == "unknown transport 'carrier-pigeon'; choose from short-polling, long-polling, sse, websocket, http-streaming, all")
    }

    @Test("the planner runs a fixed-HTTP-version transport once per encoding and the others once per HTTP version")
    func planning() throws {
        var http11 = Scenario.defaults
        http11.httpVersion = .http1_1
        var http2 = http11
        http2.httpVersion = .http2
        let runs = try Planner.runs(transports: "sse,websocket", scenarios: [http11, http2], registry: registry)
        #expect(runs.map(\.label) == ["sse (event-stream, HTTP/1.1)", "sse (event-stream, HTTP/2)", "websocket (push)"])
        let suite = try Planner.suite(.defaults, registry: registry)
        #expect(suite.map(\.label) == [
            "short-polling (keep-alive, HTTP/1.1)", "short-polling (keep-alive, HTTP/2)", "short-polling (per-request, HTTP/1.1)",
            "long-polling (keep-alive, HTTP/1.1)", "long-polling (per-request, HTTP/1.1)", "sse (event-stream, HTTP/1.1)", "websocket (push)",
            "http-streaming (ndjson, HTTP/1.1)",
        ])
        let scale = try Planner.connectionHolding(transports: "all", scenario: .defaults, registry: registry)
        #expect(scale.map(\.transport.kind) == [.longPolling, .serverSentEvents, .webSocket, .httpStreaming])
        #expect(throws: BenchError.self) { try Planner.connectionHolding(transports: "short-polling", scenario: .defaults, registry: registry) }
    }

    @Test("a transport added through one registration runs end to end: served, planned, counted under its name, modelled as a poll")
    func fakeTransport() async throws {
        let registry = TransportRegistry(self.registry.descriptors + [FakeTransport()])
        #expect(registry.routes.serves(FakeTransport.name))
        let scenario = Scenario(name: "fake", clients: 2, eventsPerSecond: 20, payloadBytes: 32, durationSeconds: 0.5, pollIntervalSeconds: 0.1)
        let run = try Planner.runs(transports: "fake-poll", scenarios: [scenario], registry: registry)
        #expect(run.map(\.label) == ["fake-poll (per-request, HTTP/1.1)"])
        let result = try await Runner(registry: registry).run(try #require(run.first))
        #expect(result.transport == "fake-poll")
        #expect(result.displayName == "Fake poll")
        #expect(result.delivery == .poll)
        #expect(result.eventsDelivered == 2 * 10)
        #expect(result.eventsLost == 0)
        // Every request was counted at the server under the fake transport: one per connection.
        #expect(result.requests > 2)
        #expect(result.connections == result.requests)
        #expect(result.bytesUp > 0 && result.bytesDown > result.payloadBytes)
        // A poll's model: half the poll interval on loopback.
        #expect(result.modelLatencyP50Nanoseconds == 50_000_000)
    }
}
