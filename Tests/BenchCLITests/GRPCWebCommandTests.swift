import Foundation
import Testing

/// gRPC-Web through the command line: `bench run`'s layer framing and base64 inflation from the
/// protocol's arithmetic, and `bench serve`'s endpoint with an outside client (Python's sonora).
@Suite("gRPC-Web from the command line", .serialized)
struct GRPCWebCommandTests {
    @Test("bench run counts gRPC-Web's prefixes and trailers as the layer's framing, over HTTP/1.1 and HTTP/2, and the text format's inflation")
    func layerFramingInARun() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-grpc-web-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, _, stderr) = try CommandLineTests.runBench([
            "run", "--transport", "grpc-web,grpc-web-text", "--clients", "2", "--rate", "20", "--duration", "1",
            "--encoding", "protobuf", "--http-version", "both", "--headers", "minimal", "--output", output.path,
        ])
        #expect(status == 0, "\(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any]
        let results = try #require(json?["results"] as? [[String: Any]])
        #expect(results.count == 4)
        for result in results {
            let transport = try #require(result["transport"] as? String)
            // 2 clients, 20 events each, one call each (checked: the formula assumes it).
            #expect(result["eventsLost"] as? Int == 0)
            #expect(result["requests"] as? Int == 2, "\(transport)")
            let (clients, events) = (2, 20)
            let layer = try #require(result["layerFramingBytes"] as? Int)
            let inflation = try #require(result["base64InflationBytes"] as? Int)
            if transport == "grpc-web" {
                // Per call: the request's 5-byte prefix (Cursor { after: 0 } is the empty
                // message) and the 35-byte trailers frame; per event its 5-byte prefix.
                #expect(layer == clients * (5 + 35) + clients * events * 5)
                #expect(inflation == 0)
            } else {
                // Per call: the request's "AAAAAAA=" (8) and the trailers' 4·⌈35/3⌉ = 48
                // characters; per event the 7 characters that carry the prefix.
                #expect(layer == clients * (8 + 48) + clients * events * 7)
                // Per n-byte event 4·⌈(5 + n)/3⌉ − 7 − n, between (n − 1)/3 and (n + 7)/3.
                let payload = try #require(result["payloadBytes"] as? Int)
                let deliveries = clients * events
                #expect(inflation * 3 >= payload - deliveries && inflation * 3 <= payload + 7 * deliveries, "\(inflation) for \(payload) payload bytes")
            }
        }
    }

    @Test("Python's sonora receives every event from bench serve's grpc-web endpoint, in order", .enabled(if: ServeTests.python(has: "sonora.client, grpc_tools")))
    func sonoraAgainstServe() throws {
        try ServeTests.runInteropClient("grpc_web_subscribe_client.py", endpoint: "grpc-web", count: 300)
    }
}
