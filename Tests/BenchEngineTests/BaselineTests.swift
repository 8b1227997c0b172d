import BenchCore
import BenchServer
import BenchTLS
import BenchTransports
import Testing

@testable import BenchEngine

@Suite("round-trip baseline", .timeLimit(.minutes(2)))
struct BaselineTests {
    static let cleartextNames = ["raw TCP (the floor)", "NIO TCP echo", "harness WebSocket echo", "harness WebSocket echo, async client"]

    @Test("four echo paths, every round trip timed, each p50 related to the raw TCP floor's")
    func fourRows() async throws {
        let rows = try await Baseline.run(roundTrips: 300, warmup: 50, messageBytes: 100)
        #expect(rows.map(\.name) == Self.cleartextNames)
        #expect(rows.map(\.heldToTarget) == [false, false, true, false])
        #expect(rows.allSatisfy { $0.tls == nil })
        for row in rows {
            #expect(row.roundTrips == 300, "\(row.name)")
            #expect(row.messageBytes == 100)
            #expect(row.p50Nanoseconds > 0 && row.p50Nanoseconds <= row.p90Nanoseconds && row.p90Nanoseconds <= row.p99Nanoseconds)
            #expect(row.p99Nanoseconds <= row.maxNanoseconds)
            #expect(row.roundTripsPerSecond > 0)
            let ratio = Double(row.p50Nanoseconds) / Double(rows[0].p50Nanoseconds)
            #expect(abs(row.p50RatioToFloor - ratio) < 1e-9)
        }
        #expect(rows[0].p50RatioToFloor == 1)
    }

    @Test("with TLS, a fifth row: the event-loop WebSocket echo over TLS, timed as many times, interleaved with the others")
    func overTLS() async throws {
        var steps: [String] = []
        let rows = try await Baseline.run(roundTrips: 200, warmup: 20, messageBytes: 100, rounds: 4, tls: .on) { _, _, label in steps.append(label) }
        #expect(rows.map(\.name) == Self.cleartextNames + ["harness WebSocket echo over TLS (wss)"])
        #expect(rows.map(\.tls) == [nil, nil, nil, nil, "TLS 1.3, P-256"])
        #expect(rows.map(\.heldToTarget) == [false, false, true, false, false])
        #expect(rows[4].roundTrips == 200 && rows[4].messageBytes == 100)
        #expect(rows[4].p50Nanoseconds > 0 && rows[4].p50Nanoseconds <= rows[4].maxNanoseconds)
        // Interleaved: each of the 4 rounds times all five paths in turn.
        #expect(steps.count == 20)
        #expect(steps.filter { $0.hasSuffix("over TLS (wss)") } == (1...4).map { "round \($0) of 4: harness WebSocket echo over TLS (wss)" })
    }

    @Test("the TLS row's connection crosses the server's TLS layer: one handshake, and each message one record each way")
    func pingPongOverTLS() async throws {
        let tls = try ServerTLS(.on)
        var configuration = ServerConfiguration.defaults
        configuration.tls = tls
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry([WebSocketTransport()]).routes) { server in
            let (histogram, _) = try await WebSocketPingPong.measure(
                host: server.host, port: server.port, count: 50, warmup: 10, messageBytes: 100, tls: try tls.clientTLS)
            #expect(histogram.count == 50)
            _ = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            let tally = try #require(server.traffic.allTotals.tls)
            #expect(tally.handshakes == 1 && tally.handshakeFailures == 0)
            // 60 client frames of 100 bytes: 2 header bytes and a 4-byte mask each (RFC 6455 §5.2);
            // the echoes come back 102 bytes each. NIO's frame encoder writes a frame's header and
            // its payload as two buffers; the write coalescer at each end hands them to
            // swift-nio-ssl as one, so each message is one record each way (plus the upgrade, its
            // 101 and the close frames: at most 3 more).
            #expect((60...63).contains(tally.applicationRecordsIn), "\(tally.applicationRecordsIn) records in")
            #expect((60...63).contains(tally.applicationRecordsOut), "\(tally.applicationRecordsOut) records out")
            #expect(tally.recordOverheadBytes == 22 * tally.applicationRecords)
            #expect(tally.plaintextBytesIn >= 60 * 106 && tally.plaintextBytesOut >= 60 * 102)
            // A cleartext client gets no echo from the TLS server.
            await #expect(throws: (any Error).self) {
                _ = try await WebSocketPingPong.measure(host: server.host, port: server.port, count: 1, warmup: 0, messageBytes: 100)
            }
        }
    }
}
