import BenchCore

/// Exponential backoff with full jitter between reconnect attempts.
///
/// Attempt `n` (from 0) waits a uniformly random time in `[0, min(cap, base × 2ⁿ)]`, the "full
/// jitter" rule, so clients that lost their connections together do not return together.
public struct Backoff: Sendable {
    public var baseSeconds: Double
    public var capSeconds: Double
    private var attempt = 0
    private var generator: SeededGenerator

    public init(baseSeconds: Double = 0.05, capSeconds: Double = 2, seed: UInt64) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
        self.generator = SeededGenerator(seed: seed)
    }

    /// The delay before the next attempt, in seconds; each call doubles the ceiling.
    public mutating func nextDelaySeconds() -> Double {
        let ceiling = Swift.min(capSeconds, baseSeconds * Double(1 << Swift.min(attempt, 30)))
        attempt += 1
        return ceiling * (generator.nextUnitInterval())
    }

    /// Call after a successful connection.
    public mutating func reset() { attempt = 0 }
}
