import BenchCore
import BenchEngine
import BenchTransports
import Testing

@Suite("STOMP runs")
struct StompRunnerTests {
    @Test(
        "a run over STOMP delivers every event once and reports STOMP's framing apart: CONNECT, CONNECTED, SUBSCRIBE and each MESSAGE's head"
    )
    func layerFraming() async throws {
        let scenario = Scenario(
            name: "test", clients: 2, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        let result = try await Runner(registry: TransportRegistry([StompTransport()])).run(scenario, transport: StompTransport())
        #expect(result.transport == "stomp")
        #expect(result.variant == "ack-auto")
        #expect(result.eventsPublished == 30)
        #expect(result.eventsDelivered == 2 * 30)
        #expect(result.eventsLost == 0 && result.eventsDuplicated == 0)
        #expect(result.reconnects == 0)
        // Per client: CONNECT ("CONNECT\n" 8 + "accept-version:1.2\n" 19 + "host:127.0.0.1\n" 15 + 2 = 44),
        // CONNECTED ("CONNECTED\n" 10 + "version:1.2\n" 12 + "heart-beat:0,0\n" 15 + 2 = 39),
        // SUBSCRIBE ("SUBSCRIBE\n" 10 + "id:0\n" 5 + "destination:/topic/events\n" 26 + "x-resume-after:0\n" 17 + 2 = 60),
        // and per MESSAGE "MESSAGE\n" 8 + "subscription:0\n" 15 + "message-id:N\n" (12 + N's digits)
        // + "destination:/topic/events\n" 26 + "content-type:application/json\n" 30 + "content-length:B\n"
        // (16 + 3: a body of 41 + 64 bytes plus two integers' digits has 3 digits) + 2 = 109 + 3 + N's digits.
        // Sequences 1-30 have 9 × 1 + 21 × 2 = 51 digits.
        let perClient = 44 + 39 + 60 + 30 * (109 + 3) + 51
        #expect(result.layerFramingBytes == 2 * perClient)
    }
}
