import BenchTransports
import Testing

@Suite("Reconnect backoff")
struct BackoffTests {
    @Test("full jitter: attempt n waits a random time in [0, min(cap, base × 2ⁿ)], reset starts over")
    func fullJitter() {
        var backoff = Backoff(baseSeconds: 0.1, capSeconds: 1, seed: 7)
        var delays: [Double] = []
        for attempt in 0..<8 {
            let delay = backoff.nextDelaySeconds()
            let ceiling = min(1, 0.1 * Double(1 << attempt))
            #expect(delay >= 0 && delay <= ceiling, "attempt \(attempt): \(delay) > \(ceiling)")
            delays.append(delay)
        }
        #expect(Set(delays).count == delays.count, "jittered, not fixed")
        backoff.reset()
        #expect(backoff.nextDelaySeconds() <= 0.1)
        // The same seed gives the same delays: runs repeat.
        var again = Backoff(baseSeconds: 0.1, capSeconds: 1, seed: 7)
        #expect((0..<8).map { _ in again.nextDelaySeconds() } == delays)
    }
}
