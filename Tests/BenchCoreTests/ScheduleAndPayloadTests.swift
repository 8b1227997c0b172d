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

    @Test("every payload content kind is exactly the configured size of printable ASCII and repeats with the seed", arguments: PayloadContent.allCases)
    func contentKinds(content: PayloadContent) {
        for size in [0, 1, 37, 128, 2048] {
            let factory = PayloadFactory(byteCount: size, seed: 9, content: content)
            let payload = factory.payload(for: 5)
            #expect(payload.utf8.count == size)
            #expect(payload.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
            #expect(payload == PayloadFactory(byteCount: size, seed: 9, content: content).payload(for: 5))
            if size >= 128 {
                #expect(payload != factory.payload(for: 6))
                #expect(payload != PayloadFactory(byteCount: size, seed: 10, content: content).payload(for: 5))
            }
        }
    }

    @Test("no event's payload repeats a stretch of another's, so a compressor's window finds nothing to reuse across random payloads")
    func payloadsIndependent() {
        let factory = PayloadFactory(byteCount: 64, seed: 3)
        let first = factory.payload(for: 1)
        for sequence in UInt64(2)...50 {
            let other = factory.payload(for: sequence)
            // A shared 12-character run would mean two generators walked the same draws.
            for start in stride(from: 0, to: 52, by: 4) {
                let run = String(first.dropFirst(start).prefix(12))
                #expect(!other.contains(run), "event \(sequence) repeats event 1's characters \(start)..<\(start + 12)")
            }
        }
    }

    @Test("realistic content compresses as application messages do; random filler barely does", arguments: PayloadContent.allCases)
    func contentCompressibility(content: PayloadContent) throws {
        // 64 events of 512 bytes through one gzip stream, as a compressed event stream carries them.
        let text = (1...64).map { PayloadFactory(byteCount: 512, seed: 3, content: content).payload(for: UInt64($0)) }.joined()
        var buffer = ByteBuffer(string: text)
        let ratio = Double(try buffer.compress(with: .gzip()).readableBytes) / Double(text.utf8.count)
        if content.isRealistic {
            #expect(ratio < 0.45, "\(content) compressed to \(ratio)")
        } else {
            // 62 symbols carry log2(62) ≈ 5.95 bits of 8: deflate cannot go below ~0.74.
            #expect(ratio > 0.72, "random compressed to \(ratio)")
        }
    }

    @Test("each content kind looks like its documented example")
    func contentShapes() {
        let chat = PayloadFactory(byteCount: 300, seed: 1, content: .chat).payload(for: 1)
        #expect(chat.range(of: #"^[a-z]+@[a-z]+: "#, options: .regularExpression) != nil)
        let ticker = PayloadFactory(byteCount: 300, seed: 1, content: .ticker).payload(for: 1)
        #expect(ticker.range(of: #"^[A-Z]+ [0-9]+\.[0-9]{2} [+-][0-9]+\.[0-9]{2}% vol [0-9]+ bid [0-9]+\.[0-9]{2} ask [0-9]+\.[0-9]{2};"#, options: .regularExpression) != nil)
        let document = PayloadFactory(byteCount: 300, seed: 1, content: .document).payload(for: 1)
        #expect(document.hasPrefix(#"{"page":"#))
        #expect(document.contains(#""items":[{"id":"#) && document.contains(#"@example.com","role":""#))
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
