import BenchCore
import BenchServer
import BenchTransports
import CompressNIO
import Foundation
import NIOCore
import Testing

@testable import BenchGRPC

/// The gRPC endpoint's compression with a client nobody here wrote: Python's `grpcio`
/// (`scripts/interop/grpc_subscribe_client.py`), subscribing to an in-process server whose
/// compression policy is on.
@Suite("gRPC compression with grpcio", .serialized)
struct GRPCCompressionInteropTests {
    /// Whether Python has grpcio and grpcio-tools.
    static let hasGRPCIO: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import grpc, grpc_tools"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/interop/grpc_subscribe_client.py").path

    static let events = 200

    /// Runs the script against `port` for `events` events and returns its exit status and its
    /// JSON summary. Python runs outside Swift's concurrency threads; it is stopped after 60 s.
    static func subscribe(port: Int, _ arguments: [String]) async throws -> (Int32, [String: Any]) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, "grpc://127.0.0.1:\(port)", "\(events)"] + arguments
        let stdout = Pipe()
        process.standardOutput = stdout
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        let watchdog = Task {
            try await Task.sleep(for: .seconds(60))
            process.terminate()
        }
        for await _ in exited {}
        watchdog.cancel()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        let summary = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return (process.terminationStatus, summary)
    }

    /// What the server counted, and the events' protobuf bodies.
    struct Outcome {
        var totals: TrafficTotals
        var bodies: [ByteBuffer]

        var plainBytes: Int { bodies.reduce(0) { $0 + $1.readableBytes } }

        /// The bodies' sizes through zlib here, with grpc-swift's settings.
        func compressedBytes(_ algorithm: CompressionSettings.GRPCAlgorithm) throws -> Int {
            try bodies.reduce(0) { sum, body in
                var body = body
                return try sum + body.compress(with: algorithm == .gzip ? .gzip() : .zlib()).readableBytes
            }
        }
    }

    /// Publishes `events` chat events on a server whose policy compresses with `algorithm`, runs
    /// the script with `arguments`, and checks that it received them all, in order.
    static func run(algorithm: CompressionSettings.GRPCAlgorithm, _ arguments: [String]) async throws -> Outcome {
        var configuration = ServerConfiguration.defaults
        configuration.compression = .on
        configuration.compression.grpcAlgorithm = algorithm
        return try await withLoopbackServer(configuration: configuration, routes: TransportRegistry([GRPCTransport()]).routes) { server in
            let payloads = PayloadFactory(byteCount: 512, seed: 1, content: .chat)
            let bodies = (1...events).map { server.hub.publish(payload: payloads.payload(for: UInt64($0))).body(.protobuf)! }
            let (status, summary) = try await subscribe(port: server.port(for: .grpc), arguments)
            #expect(status == 0, "\(summary)")
            #expect(summary["received"] as? Int == events)
            #expect(summary["first"] as? Int == 1)
            #expect(summary["contiguous"] as? Bool == true)
            return Outcome(totals: server.traffic.totals(for: .grpc), bodies: bodies)
        }
    }

    @Test("grpcio compressing with the server's algorithm and offering only it: every event comes back compressed, as zlib compresses its body, and Python decodes them all",
          .enabled(if: hasGRPCIO), arguments: CompressionSettings.GRPCAlgorithm.allCases)
    func offeringOnlyTheAlgorithm(algorithm: CompressionSettings.GRPCAlgorithm) async throws {
        let outcome = try await Self.run(algorithm: algorithm, ["--compression", algorithm.rawValue, "--offer-only"])
        let tally = try #require(outcome.totals.compression)
        // Every event as one compressed message (the subscription asked from 0; all were retained).
        #expect(tally.messagesCompressed == Self.events)
        #expect(tally.messagesSentPlain == 0)
        #expect(tally.plainBytes == outcome.plainBytes)
        #expect(tally.compressedBytes == (try outcome.compressedBytes(algorithm)))
        #expect(tally.compressedBytes < tally.plainBytes, "chat compresses")
        // Python's one request, the cursor `after: 0`, is protobuf's empty message: grpc core
        // sends a message plain when compressing would not shrink it, `grpc-encoding` or not.
        let frames = try #require(outcome.totals.http2)
        #expect(frames.grpcMessagePrefixes.up == 5 && frames.dataPayload.up == 0)
        #expect(tally.inflatedInputBytes == 0)
    }

    @Test("grpcio compressing with gzip under its default offer (identity, deflate, gzip): grpc-swift 2.9 answers uncompressed, identity being the first encoding offered",
          .enabled(if: hasGRPCIO))
    func defaultOffer() async throws {
        let outcome = try await Self.run(algorithm: .gzip, ["--compression", "gzip"])
        #expect(outcome.totals.compression == nil, "nothing compressed either way")
        let frames = try #require(outcome.totals.http2)
        #expect(frames.dataPayload.down == outcome.plainBytes, "every event's body as it is")
    }
}
