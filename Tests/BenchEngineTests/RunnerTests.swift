import BenchCore
import BenchEngine
import BenchTransports
import Testing

@Suite("Runner")
struct RunnerTests {
    /// A transport and the connection mode its scenario asks for.
    struct Row: Sendable, CustomTestStringConvertible {
        var transport: any TransportDescriptor
        var mode = ConnectionMode.keepAlive
        var testDescription: String { "\(transport.kind.rawValue) \(mode.rawValue)" }
    }

    static let rows = [
        Row(transport: ShortPollingTransport()), Row(transport: ShortPollingTransport(), mode: .perRequest),
        Row(transport: LongPollingTransport()), Row(transport: LongPollingTransport(), mode: .perRequest),
        Row(transport: ServerSentEventsTransport()), Row(transport: WebSocketTransport()), Row(transport: HTTPStreamingTransport()),
    ]

    let runner = Runner(registry: .withoutGRPC)

    func scenario(clients: Int = 4, rate: Double = 50, duration: Double = 0.6, pollInterval: Double = 0.1) -> Scenario {
        Scenario(name: "test", clients: clients, eventsPerSecond: rate, payloadBytes: 64, durationSeconds: duration, pollIntervalSeconds: pollInterval)
    }

    @Test("with no faults every client receives every event exactly once", arguments: rows)
    func lossless(row: Row) async throws {
        var scenario = scenario()
        scenario.connectionMode = row.mode
        let result = try await runner.run(scenario, transport: row.transport)
        #expect(result.eventsPublished == 30)
        #expect(result.deliveriesExpected == 4 * 30)
        #expect(result.eventsDelivered == 4 * 30)
        #expect(result.eventsLost == 0)
        #expect(result.eventsDuplicated == 0)
        #expect(result.lostSequences.isEmpty)
        #expect(result.latencySamples == 4 * 30)
        #expect(result.isClean)
        // Each delivered event's envelope is 41 bytes of JSON punctuation and names
        // (`{"payload":""` … `}`), the 64-byte payload and the digits of two integers, so the
        // payload total lies between these bounds for 120 deliveries.
        #expect(result.payloadBytes >= 120 * (41 + 64 + 1 + 1))
        #expect(result.payloadBytes <= 120 * (41 + 64 + 20 + 2))
        #expect(result.overheadBytes == result.bytesUp + result.bytesDown - result.payloadBytes)
        #expect(result.overheadBytes > 0)
    }

    @Test("WebSocket echo delivers every event once, times it from the scheduled send, and counts the body both ways")
    func echo() async throws {
        var scenario = scenario(clients: 3, rate: 50, duration: 0.6)
        scenario.direction = .echo
        let result = try await runner.run(scenario, transport: WebSocketTransport())
        #expect(result.eventsDelivered == 3 * 30)
        #expect(result.eventsLost == 0)
        #expect(result.latencyReference == "scheduled send")
        #expect(result.uncorrectedLatencyP50Nanoseconds > 0)
        // Measured from the scheduled time, latency can only be longer than from the actual send.
        #expect(result.latencyMaxNanoseconds >= result.uncorrectedLatencyMaxNanoseconds)
        // Each body crossed the wire twice: 2 × (41 + 64 + digits) per delivery.
        #expect(result.payloadBytes >= 90 * 2 * (41 + 64 + 2))
        #expect(result.payloadBytes <= 90 * 2 * (41 + 64 + 22))
        #expect(result.connections == 3)
    }

    @Test("WebSocket upload: the server's ledger gets every event exactly once")
    func upload() async throws {
        var scenario = scenario(clients: 3, rate: 50, duration: 0.6)
        scenario.direction = .upload
        let result = try await runner.run(scenario, transport: WebSocketTransport())
        #expect(result.eventsDelivered == 3 * 30)
        #expect(result.eventsLost == 0)
        #expect(result.eventsDuplicated == 0)
        #expect(result.latencySamples == 90)
        #expect(result.payloadBytes >= 90 * (41 + 64 + 2))
        // Almost every byte goes up: the bodies, their masked frame headers and the upgrade.
        #expect(result.bytesUp > result.payloadBytes)
        #expect(result.bytesDown < result.bytesUp / 4)
    }

    @Test("polling and SSE refuse echo and upload with a usage error")
    func directionsRefused() async throws {
        var scenario = scenario()
        scenario.direction = .echo
        for transport: any TransportDescriptor in [ShortPollingTransport(), LongPollingTransport(), ServerSentEventsTransport()] {
            let error = #expect(throws: BenchError.self) { try TransportRegistry.withoutGRPC.check(transport, scenario) }
            // The registry names the transports that carry echo.
            #expect(error?.message == "\(transport.kind.rawValue) carries only push; --direction echo needs websocket")
            await #expect(throws: BenchError.self) { try await runner.run(scenario, transport: transport) }
        }
    }

    @Test("json and protobuf runs deliver the same events, and payload totals are the sums of the encoded sizes", arguments: [
        TransportKind.shortPolling, .longPolling, .serverSentEvents, .webSocket,
    ])
    func encodings(kind: TransportKind) async throws {
        var results: [Encoding: RunResult] = [:]
        let before = MonotonicClock.nowNanoseconds()
        for encoding in Encoding.allCases {
            var scenario = scenario(clients: 2, rate: 40, duration: 0.5)
            scenario.encoding = encoding
            results[encoding] = try await runner.run(scenario, transport: try #require(TransportRegistry.withoutGRPC.descriptor(for: kind)))
        }
        let after = MonotonicClock.nowNanoseconds()
        let json = try #require(results[.json])
        let protobuf = try #require(results[.protobuf])
        for result in [json, protobuf] {
            #expect(result.eventsDelivered == 2 * 20)
            #expect(result.eventsLost == 0)
            #expect(result.eventsDuplicated == 0)
        }
        // Every publishedAt lies between `before` and `after`; when both have the same number
        // of decimal digits and the same varint length (true except within microseconds of a
        // power of 10 or 128), each event's size follows from the format rules alone:
        // JSON `{"payload":"…","publishedAt":N,"sequence":S}` is 41 bytes + 64 + digits(N) + digits(S);
        // protobuf is three 1-byte tags, varint(S), varint(N), a 1-byte length and the 64 bytes.
        let digits = { (value: UInt64) in String(value).count }
        let varintBytes = { (value: UInt64) in (64 - value.leadingZeroBitCount + 6) / 7 }
        try #require(digits(before) == digits(after) && varintBytes(before) == varintBytes(after))
        let sequences = (1...20) as ClosedRange<UInt64>
        let jsonSizes = sequences.map { 41 + 64 + digits(before) + digits($0) }
        let protobufSizes = sequences.map { 3 + varintBytes($0) + varintBytes(before) + 1 + 64 }
        #expect(json.payloadBytes == 2 * jsonSizes.reduce(0, +))
        #expect(protobuf.payloadBytes == 2 * protobufSizes.reduce(0, +))
        if kind == .serverSentEvents {
            // SSE carries the protobuf bodies as base64: 4 characters per 3 bytes, padded.
            let inflation = protobufSizes.reduce(0) { $0 + ($1 + 2) / 3 * 4 - $1 }
            #expect(protobuf.base64InflationBytes == 2 * inflation)
            #expect(protobuf.base64InflationBytes > protobuf.payloadBytes / 4)
            #expect(json.base64InflationBytes == 0)
        } else {
            #expect(protobuf.base64InflationBytes == 0)
        }
    }

    @Test("when the server drops connections, every transport reconnects and resumes: nothing lost, nothing twice", arguments: rows)
    func faultInjection(row: Row) async throws {
        var scenario = scenario(clients: 4, rate: 100, duration: 1.2)
        scenario.connectionMode = row.mode
        scenario.dropFraction = 0.5
        scenario.dropIntervalSeconds = 0.25
        let result = try await runner.run(scenario, transport: row.transport)
        #expect(result.eventsDelivered == 4 * 120)
        #expect(result.eventsLost == 0, "lost \(result.lostSequences); errors \(result.clientErrors)")
        #expect(result.eventsDuplicated == 0)
        // Clients that hold their connection lose it at every fault and reconnect. A polling
        // client with a new connection per request is rarely caught with one open.
        if row.mode != .perRequest {
            #expect(result.connectionsDropped >= 4)
            #expect(result.reconnects >= 1)
            #expect(result.connections > 4)
        }
    }

    @Test("a fault-injected echo or upload is refused: only pushed events can be resumed")
    func faultsNeedPush() {
        var scenario = scenario()
        scenario.dropFraction = 0.1
        scenario.direction = .echo
        #expect(throws: BenchError.self) { try scenario.validate() }
    }

    @Test("a new connection per poll opens one TCP connection per request; keep-alive one per client")
    func connectionModes() async throws {
        var scenario = scenario()
        let keepAlive = try await runner.run(scenario, transport: ShortPollingTransport())
        scenario.connectionMode = .perRequest
        let perRequest = try await runner.run(scenario, transport: ShortPollingTransport())
        #expect(keepAlive.connections == 4)
        #expect(perRequest.connections == perRequest.requests)
        #expect(perRequest.requests > 4)
    }

    @Test("a long poll answers within milliseconds of publication, far inside its 30 s hold")
    func longPollLatency() async throws {
        var scenario = scenario(clients: 2, rate: 20, duration: 1)
        scenario.longPollTimeoutSeconds = 30
        let result = try await runner.run(scenario, transport: LongPollingTransport())
        #expect(result.eventsLost == 0)
        // Generous bounds for a loaded debug build; a held request that waited for its timeout
        // would show 30 s here.
        #expect(result.latencyP50Nanoseconds < 50_000_000)
        #expect(result.latencyMaxNanoseconds < 1_000_000_000)
        // With a 30 s hold no poll times out; the only empty answers are the held polls the
        // server ends when the run stops, at most one per client.
        #expect(result.emptyResponses <= scenario.clients)
    }

    @Test("short-poll latencies lie between 0 and the interval plus processing time")
    func shortPollLatency() async throws {
        let interval = 0.2
        let result = try await runner.run(scenario(clients: 3, rate: 5, duration: 1.6, pollInterval: interval), transport: ShortPollingTransport())
        #expect(result.eventsLost == 0)
        #expect(result.latencyMaxNanoseconds <= UInt64((interval + 0.1) * 1e9))
        // Events 200 ms apart against a 200 ms poll at a random phase: the median wait is near
        // 100 ms, far above a push transport's, and about half the polls find nothing.
        #expect(result.latencyP50Nanoseconds > 20_000_000)
        #expect(result.emptyResponses > 0)
    }

    @Test("a client that falls behind the retention window gets a reported gap, never a silent loss")
    func gapIsReported() async throws {
        var scenario = scenario(clients: 1, rate: 200, duration: 0.5, pollInterval: 0.3)
        scenario.retainedEvents = 5
        let result = try await runner.run(scenario, transport: ShortPollingTransport())
        #expect(result.eventsLost > 0)
        #expect(!result.announcedGaps.isEmpty)
        #expect(!result.lostSequences.isEmpty)
        #expect(!result.isClean)
        // Lost + delivered accounts for every expected delivery.
        #expect(result.eventsLost + result.eventsDelivered == result.deliveriesExpected)
    }
}
