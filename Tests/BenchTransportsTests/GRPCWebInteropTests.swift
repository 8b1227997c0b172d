import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// gRPC-Web with a client nobody here wrote: Python's `sonora`
/// (`scripts/interop/grpc_web_subscribe_client.py`, a stub generated from Protos/ by grpcio-tools),
/// reading every event and then the trailers that end the call.
@Suite("gRPC-Web with sonora", .serialized)
struct GRPCWebInteropTests {
    /// Whether Python has sonora and grpcio-tools.
    static let hasSonora: Bool = {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import sonora.client, grpc_tools"]
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return false }
        process.waitUntilExit()
        return process.terminationStatus == 0
    }()

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/interop/grpc_web_subscribe_client.py").path

    @Test("sonora receives every event, in order, then trailers grpc-status 0", .enabled(if: hasSonora, "needs python3 with sonora and grpcio-tools"))
    func sonoraReadsToTheTrailers() async throws {
        let events = 100
        try await withLoopbackServer(routes: TransportRegistry.grpcWebOnly.routes) { server in
            for index in 1...events { server.hub.publish(payload: "event-\(index)") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", Self.script, "http://127.0.0.1:\(server.port)\(GRPCWebEndpoint.path)", "\(events)", "--to-end"]
            let stdout = Pipe()
            process.standardOutput = stdout
            let exited = AsyncStream<Void> { continuation in process.terminationHandler = { _ in continuation.finish() } }
            try process.run()
            let watchdog = Task {
                try await Task.sleep(for: .seconds(60))
                process.terminate()
            }
            // The events are written (the server counts their prefixes as it writes them) once the
            // request's prefix and 100 events' are counted: 5 + 100·5. Then the run ends.
            let deadline = ContinuousClock.now + .seconds(30)
            while server.traffic.totals(for: .grpcWeb).layerFramingBytes < 5 + events * 5 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            server.hub.finish()
            for await _ in exited {}
            watchdog.cancel()
            let data = stdout.fileHandleForReading.readDataToEndOfFile()
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "\(String(decoding: data, as: UTF8.self))")
            #expect(process.terminationStatus == 0)
            #expect(summary["received"] as? Int == events)
            #expect(summary["first"] as? Int == 1)
            #expect(summary["contiguous"] as? Bool == true)
            #expect(summary["trailers"] as? [String: String] == ["grpc-status": "0", "grpc-message": ""])
        }
    }
}
