import BenchCore
import BenchEngine
import Testing

@Suite("round-trip baseline")
struct BaselineTests {
    @Test("four echo paths, every round trip timed, each p50 related to the raw TCP floor's")
    func fourRows() async throws {
        let rows = try await Baseline.run(roundTrips: 300, warmup: 50, messageBytes: 100)
        #expect(rows.map(\.name) == ["raw TCP (the floor)", "NIO TCP echo", "harness WebSocket echo", "harness WebSocket echo, async client"])
        #expect(rows.map(\.heldToTarget) == [false, false, true, false])
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
}
