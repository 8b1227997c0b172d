import BenchCore
import Histogram
import Testing

@Suite("Link conditions, the latency model and the histogram's first samples")
struct LinkAndModelTests {
    @Test("rates as tc writes them: bit units are bits, bps units are bytes", arguments: [
        ("800kbit", 800_000.0), ("10mbit", 10_000_000), ("1.5gbit", 1_500_000_000), ("500bit", 500),
        ("1mbps", 8_000_000), ("2kbps", 16_000), ("10MBIT", 10_000_000),
    ])
    func rates(text: String, bits: Double) {
        #expect(LinkConditions.parseRate(text) == bits)
    }

    @Test("nonsense rates are refused", arguments: ["fast", "10", "-1mbit", "mbit", "0kbit"])
    func badRates(text: String) {
        #expect(LinkConditions.parseRate(text) == nil)
    }

    @Test("a time scale divides delays and multiplies bandwidth, like every other time and rate")
    func timeScale() {
        var scenario = Scenario.defaults
        scenario.link = LinkConditions(delaySeconds: 0.1, jitterSeconds: 0.02, upBitsPerSecond: 1e6, downBitsPerSecond: 2e6)
        scenario.timeScale = 10
        #expect(scenario.wallClock.link == LinkConditions(delaySeconds: 0.01, jitterSeconds: 0.002, upBitsPerSecond: 1e7, downBitsPerSecond: 2e7))
    }

    @Test("jitter larger than the delay is refused with the flag's name")
    func jitterAboveDelay() {
        var scenario = Scenario.defaults
        scenario.link = LinkConditions(delaySeconds: 0.01, jitterSeconds: 0.02)
        #expect(throws: BenchError.self) { try scenario.validate() }
    }

    func model(_ delivery: DeliveryPattern, _ change: (inout Scenario) -> Void, eventBytes: Double = 200) -> Double {
        var scenario = Scenario.defaults
        change(&scenario)
        return LatencyModel.estimate(delivery: delivery, scenario: scenario, eventBytes: eventBytes).p50Seconds
    }

    @Test("the model's medians, worked out by hand")
    func medians() {
        let link = LinkConditions(delaySeconds: 0.025)
        // Push streams: d.
        #expect(model(.stream) { $0.link = link } == 0.025)
        #expect(model(.stream) { $0.link = nil } == 0)
        // 200 bytes at 160 kbit/s: 10 ms on top.
        #expect(abs(model(.stream) { $0.link = LinkConditions(delaySeconds: 0.025, downBitsPerSecond: 160_000) } - 0.035) < 1e-12)
        // A poll every 0.5 s (short polling, gRPC's unary poll): 0.25 + 0.025.
        #expect(model(.poll) { $0.link = link } == 0.275)
        #expect(model(.poll) { $0.link = link } == 0.275)
        // Long polling, evenly spaced: 10/s leaves 100 ms > 2d between events, a poll is always waiting.
        #expect(model(.longPoll) { $0.link = link; $0.eventsPerSecond = 10 } == 0.025)
        // 20/s: 50 ms = 2d, the re-poll arrives just as (or after) the event: half a round trip more.
        #expect(model(.longPoll) { $0.link = link; $0.eventsPerSecond = 20 } == 0.050)
        // Poisson at 20/s: 2dλ = 1, p0 = 1/2: the median event finds a poll waiting.
        #expect(model(.longPoll) { $0.link = link; $0.eventsPerSecond = 20; $0.arrival = .poisson } == 0.025)
        // Poisson at 40/s: p0 = 1/3; the median is 2d (1/2 − 1/3) / (2/3) = d/2 = 12.5 ms into the wait.
        #expect(abs(model(.longPoll) { $0.link = link; $0.eventsPerSecond = 40; $0.arrival = .poisson } - 0.0375) < 1e-12)
        // Echo: a round trip; upload: one way.
        #expect(model(.stream) { $0.link = link; $0.direction = .echo } == 0.05)
        #expect(model(.stream) { $0.link = link; $0.direction = .upload } == 0.025)
    }

    @Test("the first samples wait in an array and give the same percentiles as a histogram would",
          arguments: [1, 100, LatencyHistogram.pendingLimit, LatencyHistogram.pendingLimit + 1, 5000])
    func pendingSamples(count: Int) {
        var generator = SeededGenerator(seed: UInt64(count))
        var ours = LatencyHistogram()
        var reference = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestTrackableNanoseconds, numberOfSignificantValueDigits: .three)
        for _ in 0..<count {
            let sample = 1_000 + generator.next() % 50_000_000
            ours.record(nanoseconds: sample)
            reference.record(sample)
        }
        #expect(ours.count == UInt64(count))
        for percentile in [0.0, 50, 90, 99, 99.9, 100] {
            #expect(ours.valueAtPercentile(percentile) == reference.valueAtPercentile(percentile))
        }
        #expect(ours.maxNanoseconds == reference.maxRecorded)
        // Merged both ways — pending into pending, into a full histogram and back — nothing is lost.
        var merged = LatencyHistogram()
        merged.merge(ours)
        var big = LatencyHistogram()
        for _ in 0...LatencyHistogram.pendingLimit { big.record(nanoseconds: 7_000) }
        big.merge(ours)
        merged.merge(big)
        #expect(merged.count == UInt64(2 * count + LatencyHistogram.pendingLimit + 1))
        // Over the top is counted, never dropped.
        var over = LatencyHistogram()
        over.record(nanoseconds: LatencyHistogram.highestTrackableNanoseconds * 2)
        #expect(over.count == 1)
        #expect(over.summary.count == 1 && over.overflowCount == 1)
    }
}
