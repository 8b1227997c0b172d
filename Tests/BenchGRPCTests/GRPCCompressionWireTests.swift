import BenchCore
import BenchServer
import BenchTransports
import CompressNIO
import NIOCore
import Testing

@testable import BenchGRPC

/// What gRPC compression puts on the wire, against zlib run here on the same bodies.
@Suite("gRPC compression on the wire", .serialized)
struct GRPCCompressionWireTests {
    static let routes = TransportRegistry([GRPCTransport()]).routes

    /// Waits until `condition` holds, for 10 s at most.
    static func wait(until condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while !condition() && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(2)) }
    }

    @Test("each event's compressed length is zlib's output for its body (level 6, 15-bit window, memLevel 8: grpc-swift's settings); gzip's is 12 octets more than deflate's (RFC 1952's 10-octet header and 8-octet trailer against RFC 1950's 2 and 4)",
          arguments: CompressionSettings.GRPCAlgorithm.allCases)
    func compressedLengthsAreZlibs(algorithm: CompressionSettings.GRPCAlgorithm) async throws {
        var compression = CompressionSettings.on
        compression.grpcAlgorithm = algorithm
        var configuration = ServerConfiguration.defaults
        configuration.compression = compression
        let count = 40
        try await withLoopbackServer(configuration: configuration, routes: Self.routes) { server in
            let payloads = PayloadFactory(byteCount: 2048, seed: 1, content: .chat)
            let bodies = (1...count).map { server.hub.publish(payload: payloads.payload(for: UInt64($0))).body(.protobuf)! }
            let scenario = Scenario(encoding: .protobuf, compression: compression)
            let progress = ClientProgress()
            let target = ClientTarget(host: server.host, port: server.port(for: .grpc), clientIndex: 0, scenario: scenario)
            let task = Task {
                var recorder = DeliveryRecorder(progress: progress)
                await GRPCTransportClient(direction: .push).run(target, recorder: &recorder)
                return recorder
            }
            try await Self.wait { progress.delivered == count }
            progress.requestStop()
            server.hub.finish()
            let recorder = await task.value
            #expect(recorder.ledger.delivered == count)

            // The same bodies through zlib here: gRPC's deflate is the zlib format (RFC 1950).
            func compressed(_ body: ByteBuffer, _ algorithm: CompressNIO.CompressionAlgorithm) throws -> Int {
                var body = body
                return try body.compress(with: algorithm).readableBytes
            }
            let gzip = try bodies.reduce(0) { try $0 + compressed($1, .gzip()) }
            let zlib = try bodies.reduce(0) { try $0 + compressed($1, .zlib()) }
            #expect(gzip - zlib == 12 * count)

            let server = try #require(server.traffic.totals(for: .grpc).compression)
            #expect(server.messagesCompressed == count)
            #expect(server.compressedBytes == (algorithm == .gzip ? gzip : zlib))
            #expect(server.plainBytes == bodies.reduce(0) { $0 + $1.readableBytes })
            #expect(recorder.compression.inflatedInputBytes == server.compressedBytes)
            #expect(recorder.compression.inflatedOutputBytes == server.plainBytes)
            // The client's one request, the cursor `after: 0`: protobuf's empty message, which
            // compresses to an empty deflate stream in its wrapper (gzip 20 octets, zlib 8).
            #expect(recorder.compression.messagesCompressed == 1)
            #expect(recorder.compression.plainBytes == 0)
            #expect(recorder.compression.compressedBytes == (algorithm == .gzip ? 20 : 8))
            #expect(server.inflatedInputBytes == recorder.compression.compressedBytes)
        }
    }
}
