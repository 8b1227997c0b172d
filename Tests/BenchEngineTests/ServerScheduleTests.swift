import BenchCore
import BenchServer
import Testing

@testable import BenchEngine

/// The server's schedule: a run's events on the scenario's timetable, `bench serve`'s at a steady rate.
@Suite("Server schedule")
struct ServerScheduleTests {
    static let payloads = PayloadFactory(byteCount: 16, seed: 1)

    @Test("bench serve's timetable: an event every 1/rate s from one gap after the start, numbered after the preloaded ones, until the duration")
    func steady() {
        let timetable = ServerSchedule.Timetable(rate: 4, payloads: Self.payloads, after: 2, for: 1)
        #expect(timetable.firstSequence == 3)
        #expect((0..<5).map(timetable.offset) == [.milliseconds(250), .milliseconds(500), .milliseconds(750), .seconds(1), nil])
        #expect(timetable.end == .seconds(1))
        #expect(timetable.recordedEncoding == nil, "an endless schedule keeps no sizes")
        let endless = ServerSchedule.Timetable(rate: 4, payloads: Self.payloads, after: 0, for: nil)
        #expect(endless.offset(999_999) == .seconds(250_000))
        #expect(endless.end == nil)
    }

    @Test("a run's timetable: the scenario's fixed arrivals from sequence 1, publishing until its duration, sizes kept")
    func run() {
        let scenario = Scenario(name: "test", clients: 1, eventsPerSecond: 50, payloadBytes: 64, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        let timetable = ServerSchedule.Timetable(scenario)
        #expect(timetable.firstSequence == 1)
        // 30 events 20 ms apart, the first at the start.
        #expect((0...30).map(timetable.offset) == (0..<30).map { .milliseconds(20 * $0) } + [nil])
        #expect(timetable.end == .milliseconds(600))
        #expect(timetable.recordedEncoding == scenario.encoding)
    }

    @Test("a steady schedule publishes on a live server until its duration is over")
    func publishes() async throws {
        try await withLoopbackServer(routes: Routes()) { server in
            for sequence in 1...3 { server.hub.publish(payload: Self.payloads.payload(for: UInt64(sequence))) }
            let schedule = ServerSchedule(server: server, rate: 64, payloads: Self.payloads, after: 3, for: 0.25)
            let start = ContinuousClock.now
            schedule.start()
            let record = try await schedule.finish()
            #expect(ContinuousClock.now - start >= .milliseconds(250))
            #expect(schedule.publishedCount == 16)
            #expect(server.hub.lastSequence == 3 + 16)
            #expect(record.encodedSizes.isEmpty && record.connectionsDropped == 0)
        }
    }
}
