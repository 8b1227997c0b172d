import BenchCore
import NIOCore
import NIOPosix
import Testing

@testable import BenchServer
@testable import BenchTransports

/// Random and mutated inputs against one server, bounded in count and time; afterwards the server
/// holds no stray connection and serves well-behaved clients without loss.
@Suite("Fuzzing")
struct FuzzTests {
    /// Well-formed inputs per protocol, the starting points of mutation.
    static let seeds: [String: [[UInt8]]] = [
        "HTTP/1.1": [
            Array("GET /poll?after=0&encoding=json HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("GET /long-poll?after=0&timeout=50 HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("GET /sse?encoding=protobuf HTTP/1.1\r\nHost: x\r\nLast-Event-ID: 3\r\n\r\n".utf8),
            Array("POST /poll HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nbody".utf8),
        ],
        "WebSocket": [
            MalformedInputTests.upgrade + MalformedInputTests.frame(opcode: 0x1, payload: Array("{\"sequence\":1}".utf8)),
            MalformedInputTests.upgrade + MalformedInputTests.frame(opcode: 0x9, payload: Array("ping".utf8))
                + MalformedInputTests.frame(opcode: 0x8, payload: [0x03, 0xE8]),
        ],
        "HTTP/2": [http2Poll],
    ]

    /// HTTP/2 with prior knowledge: the preface, an empty SETTINGS frame and a HEADERS frame for
    /// `GET /poll?after=0` (HPACK: indexed `:method GET`, `:scheme http`; literal `:path` and
    /// `:authority`, RFC 7541 §6.2.1), END_STREAM | END_HEADERS on stream 1.
    static var http2Poll: [UInt8] {
        let block: [UInt8] = [0x82, 0x86, 0x44, 13] + Array("/poll?after=0".utf8) + [0x41, 1, UInt8(ascii: "x")]
        let settings: [UInt8] = [0, 0, 0, 0x4, 0, 0, 0, 0, 0]
        let headers: [UInt8] = [0, 0, UInt8(block.count), 0x1, 0x5, 0, 0, 0, 1] + block
        return Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + settings + headers
    }

    /// One input: one of `seeds` with a few bytes flipped, inserted, deleted or truncated, or
    /// pure noise.
    static func input(_ seeds: [[UInt8]], _ generator: inout SeededGenerator) -> [UInt8] {
        if generator.next() % 8 == 0 {
            return (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        }
        var bytes = seeds[Int(generator.next() % UInt64(seeds.count))]
        for _ in 0..<(1 + generator.next() % 4) where !bytes.isEmpty {
            let index = Int(generator.next() % UInt64(bytes.count))
            switch generator.next() % 4 {
            case 0: bytes[index] = UInt8(truncatingIfNeeded: generator.next())
            case 1: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: index)
            case 2: bytes.remove(at: index)
            default: bytes.removeSubrange(index...)
            }
        }
        return bytes
    }

    /// Connects, writes `bytes`, waits a moment and closes without reading.
    static func send(_ bytes: [UInt8], port: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        try? await channel.close().get()
    }

    @Test("thousands of random and mutated inputs per protocol leave the server whole", arguments: ["HTTP/1.1", "WebSocket", "HTTP/2"])
    func fuzz(protocolName: String) async throws {
        let seeds = try #require(Self.seeds[protocolName])
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            for index in 1...20 { server.hub.publish(payload: "before-\(index)") }
            var generator = SeededGenerator(seed: 2026 &+ UInt64(protocolName.utf8.count))
            let deadline = ContinuousClock.now + .seconds(20)
            var sent = 0
            while sent < 2_000 && ContinuousClock.now < deadline {
                // A few at a time, so the server sees concurrent garbage too.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        let bytes = Self.input(seeds, &generator)
                        group.addTask { try await Self.send(bytes, port: server.port) }
                    }
                    try await group.waitForAll()
                }
                sent += 8
            }
            #expect(sent >= 1_000, "only \(sent) inputs within the time bound")
            // Every fuzz connection was closed by its client: none may linger on the server.
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(10)), "\(server.traffic.openConnectionCount) connections left open")

            // Well-behaved clients of every transport still get everything.
            let clients: [any TransportClient] = [
                ShortPollingClient(connectionMode: .keepAlive), LongPollingClient(connectionMode: .keepAlive),
                ServerSentEventsClient(), WebSocketClient(direction: .push),
            ]
            var scenario = Scenario.defaults
            scenario.pollIntervalSeconds = 0.05
            let running = clients.enumerated().map { RunningClient($0.element, server: server, clientIndex: $0.offset, scenario: scenario) }
            for client in running { try await client.waitUntilReady() }
            for index in 21...70 { server.hub.publish(payload: "after-\(index)") }
            let waitUntil = ContinuousClock.now + .seconds(10)
            while running.contains(where: { $0.progress.delivered < 70 }) && ContinuousClock.now < waitUntil {
                try await Task.sleep(for: .milliseconds(5))
            }
            server.hub.finish()
            for client in running {
                let recorder = await client.stop()
                expectEveryEventOnce(recorder, count: 70)
            }
        }
    }
}
