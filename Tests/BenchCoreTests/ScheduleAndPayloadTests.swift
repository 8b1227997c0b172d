import BenchCore
import Foundation
import NIOCore
import Testing

@Suite("Schedules, payloads and the JSON envelope")
struct ScheduleAndPayloadTests {
    @Test("fixed arrivals are exactly 1/rate apart")
    func fixedSchedule() {
        let schedule = EventSchedule(arrival: .fixed, eventsPerSecond: 4, count: 5, seed: 1)
        #expect(schedule.offsetsNanoseconds == [0, 250_000_000, 500_000_000, 750_000_000, 1_000_000_000])
    }

    @Test("Poisson arrivals repeat with a seed, differ across seeds, and average 1/rate")
    func poissonSchedule() {
        let a = EventSchedule(arrival: .poisson, eventsPerSecond: 100, count: 20_000, seed: 7)
        let b = EventSchedule(arrival: .poisson, eventsPerSecond: 100, count: 20_000, seed: 7)
        let c = EventSchedule(arrival: .poisson, eventsPerSecond: 100, count: 20_000, seed: 8)
        #expect(a == b)
        #expect(a != c)
        let meanGap = Double(a.offsetsNanoseconds.last!) / Double(a.offsetsNanoseconds.count - 1)
        // Mean of 19,999 exponential gaps with mean 10 ms: standard error 10 ms / sqrt(19,999) ≈ 0.07 ms.
        #expect(abs(meanGap - 10_000_000) < 300_000)
        // Exponential gaps: the coefficient of variation is 1; fixed gaps would give 0.
        let gaps = zip(a.offsetsNanoseconds.dropFirst(), a.offsetsNanoseconds).map { Double($0 - $1) }
        let variance = gaps.map { ($0 - meanGap) * ($0 - meanGap) }.reduce(0, +) / Double(gaps.count)
        #expect(abs(variance.squareRoot() / meanGap - 1) < 0.05)
    }

    @Test("payloads have exactly the configured size, JSON-safe characters, and repeat with the seed", arguments: [0, 1, 10, 11, 128, 4096])
    func payloads(size: Int) {
        let factory = PayloadFactory(byteCount: size, seed: 42)
        let payload = factory.payload(for: 3)
        #expect(payload.utf8.count == size)
        #expect(payload.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) })
        #expect(payload == PayloadFactory(byteCount: size, seed: 42).payload(for: 3))
        if size >= 10 { #expect(payload != factory.payload(for: 4)) }
    }

    @Test("the JSON envelope is compact with sorted keys, byte for byte")
    func jsonEnvelope() throws {
        let codec = EventCodec(.json)
        let event = Event(sequence: 12, publishedAt: 987_654_321, payload: "abc")
        let body = codec.encode(event)
        #expect(String(buffer: body) == #"{"payload":"abc","publishedAt":987654321,"sequence":12}"#)
        #expect(try codec.decode(body) == event)
    }

    @Test("a batch is a JSON array of the bodies, and decodes to the same events")
    func batch() throws {
        let codec = EventCodec(.json)
        let events = (1...3).map { Event(sequence: UInt64($0), publishedAt: 5, payload: "p\($0)") }
        let body = EventCodec.batch(of: events.map(codec.encode), encoding: .json)
        let expected = "[" + events.map { #"{"payload":"\#($0.payload)","publishedAt":5,"sequence":\#($0.sequence)}"# }.joined(separator: ",") + "]"
        #expect(String(buffer: body) == expected)
        #expect(try codec.decodeBatch(body) == events)
        #expect(String(buffer: EventCodec.batch(of: [], encoding: .json)) == "[]")
    }

    @Test("bad scenarios are rejected with one sentence naming the flag")
    func validation() {
        var scenario = Scenario.defaults
        scenario.clients = 0
        #expect(throws: BenchError.self) { try scenario.validate() }
        do { try scenario.validate() } catch { #expect(error.message.hasPrefix("--clients")) }
        scenario = .defaults
        scenario.eventsPerSecond = -1
        do { try scenario.validate() } catch { #expect(error.message.hasPrefix("--rate")) }
        scenario = .defaults
        scenario.durationSeconds = 0.001
        do { try scenario.validate() } catch { #expect(error.message.contains("no events")) }
    }

}

@Suite("time scale")
struct TimeScaleTests {
    @Test("the wall-clock scenario divides every time by the scale and keeps the events")
    func wallClock() throws {
        var modeled = Scenario(eventsPerSecond: 2, durationSeconds: 60, pollIntervalSeconds: 1, longPollTimeoutSeconds: 30, heartbeatIntervalSeconds: 30, callDeadlineSeconds: 10)
        modeled.timeScale = 60
        let wall = modeled.wallClock
        #expect(wall.eventsPerSecond == 120)
        #expect(wall.durationSeconds == 1)
        #expect(wall.pollIntervalSeconds == 1.0 / 60)
        #expect(wall.longPollTimeoutSeconds == 0.5)
        #expect(wall.heartbeatIntervalSeconds == 0.5)
        #expect(wall.callDeadlineSeconds == 10.0 / 60)
        #expect(wall.eventCount == modeled.eventCount)
        #expect(EventSchedule(wall).offsetsNanoseconds.count == 120)
        #expect(Scenario.defaults.wallClock == Scenario.defaults)
    }

    @Test("a scale that pushes the run out of range is refused, saying so")
    func outOfRange() {
        var modeled = Scenario(eventsPerSecond: 100, durationSeconds: 10)
        modeled.timeScale = 100_000
        #expect(throws: BenchError.self) { try modeled.validate() }
        do { try modeled.validate() } catch { #expect(error.message.hasPrefix("at --time-scale 100000 the run itself is out of range: --rate")) }
    }
}
