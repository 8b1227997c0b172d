import BenchCore
import BenchEngine
import BenchTransports
import Testing

/// The clients' own byte meters against the server's, through the engine: on loopback, with no
/// link emulation and no faults, both ends of every connection see the same TCP payload, so
/// what the clients read is exactly what the server wrote, and the other way round.
@Suite("Client wire bytes", .serialized)
struct ClientWireRunnerTests {
    /// A transport, the connection mode and direction its scenario asks for, the HTTP version and TLS.
    struct Row: Sendable, CustomTestStringConvertible {
        var transport: any TransportDescriptor
        var mode = ConnectionMode.keepAlive
        var direction = Direction.push
        var httpVersion = HTTPProtocolVersion.http1_1
        var tls = false
        var testDescription: String {
            "\(transport.kind.rawValue) \(mode.rawValue) \(direction.rawValue) HTTP/\(httpVersion.rawValue)\(tls ? " TLS" : "")"
        }
    }

    static let rows: [Row] = [false, true].flatMap { tls in
        [HTTPProtocolVersion.http1_1, .http2].flatMap { version in
            [
                Row(transport: ShortPollingTransport()), Row(transport: ShortPollingTransport(), mode: .perRequest),
                Row(transport: LongPollingTransport()), Row(transport: ServerSentEventsTransport()),
            ].map { row in
                var row = row
                (row.httpVersion, row.tls) = (version, tls)
                return row
            }
        } + [Direction.push, .echo, .upload].map { Row(transport: WebSocketTransport(), direction: $0, tls: tls) }
    }

    let runner = Runner(registry: .withoutGRPC)

    @Test("the clients' received bytes equal the server's sent bytes, and their sent bytes the server's received, exactly", arguments: rows)
    func clientsMatchServer(row: Row) async throws {
        var scenario = Scenario(
            name: "test", clients: 3, eventsPerSecond: 50, payloadBytes: 64, direction: row.direction, durationSeconds: 0.6,
            pollIntervalSeconds: 0.1)
        scenario.connectionMode = row.mode
        scenario.httpVersion = row.httpVersion
        if row.tls { scenario.tls = .on }
        let result = try await runner.run(scenario, transport: row.transport)
        #expect(result.eventsLost == 0 && result.clientErrors.isEmpty, "\(result.clientErrors)")
        #expect(result.bytesDown > 0 && result.bytesUp > 0)
        #expect(result.clientWireBytesReceived == result.bytesDown, "server → clients")
        #expect(result.clientWireBytesSent == result.bytesUp, "clients → server")
    }
}
