import BenchCore
import BenchEngine
import BenchTransports
import Testing

@Suite("HTTP streaming runs")
struct HTTPStreamingRunnerTests {
    let runner = Runner(registry: .withoutGRPC)

    @Test(
        "over HTTP/1.1 and HTTP/2, in JSON and protobuf, every event arrives once and the layer's framing is its LF (and quotes)",
        arguments: [HTTPProtocolVersion.http1_1, .http2], [Encoding.json, .protobuf])
    func layerFraming(version: HTTPProtocolVersion, encoding: Encoding) async throws {
        var scenario = Scenario(name: "test", clients: 3, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        scenario.httpVersion = version
        scenario.encoding = encoding
        let result = try await runner.run(scenario, transport: HTTPStreamingTransport())
        #expect(result.eventsDelivered == 3 * 30)
        #expect(result.eventsLost == 0 && result.eventsDuplicated == 0)
        #expect(result.httpVersion == version.rawValue)
        // NDJSON's own bytes: the LF after each line, and around a binary body's base64 the two
        // quotes of its JSON string; no gap lines in a run without losses.
        #expect(result.layerFramingBytes == 3 * 30 * (encoding == .json ? 1 : 3))
        // Base64 inflation: 4·⌈n/3⌉ − n for each protobuf body (RFC 4648 §4), none for JSON.
        #expect((result.base64InflationBytes > 0) == (encoding == .protobuf))
    }
}
