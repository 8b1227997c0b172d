import Foundation

/// When each event of a run is published, as offsets from the start of publishing.
///
/// Fixed arrivals are `i / rate` apart. Poisson arrivals have exponentially distributed gaps with
/// mean `1 / rate`, drawn from the scenario's seed, so the schedule is the same every time.
public struct EventSchedule: Sendable, Hashable {
    /// Offset of each event from the start, in nanoseconds; element 0 is event 1.
    public let offsetsNanoseconds: [UInt64]

    public init(arrival: ArrivalProcess, eventsPerSecond: Double, count: Int, seed: UInt64) {
        let meanGapNanoseconds = 1e9 / eventsPerSecond
        switch arrival {
        case .fixed:
            offsetsNanoseconds = (0..<count).map { UInt64((Double($0) * meanGapNanoseconds).rounded()) }
        case .poisson:
            var generator = SeededGenerator(seed: seed ^ 0x5DEE_CE66_D1CE_5EED)
            var elapsed = 0.0
            var offsets: [UInt64] = []
            offsets.reserveCapacity(count)
            for _ in 0..<count {
                offsets.append(UInt64(elapsed.rounded()))
                elapsed += -log(generator.nextUnitInterval()) * meanGapNanoseconds
            }
            offsetsNanoseconds = offsets
        }
    }

    public init(_ scenario: Scenario) {
        self.init(arrival: scenario.arrival, eventsPerSecond: scenario.eventsPerSecond, count: scenario.eventCount, seed: scenario.seed)
    }
}
