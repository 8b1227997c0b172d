/// What latency a transport should show on a scenario's link if nothing but the protocol's
/// waits counted: the analytic model reports put beside the measurement, so a reader sees where
/// reality departs from it (the harness's own work, queueing behind other clients, TCP).
///
/// With one-way delay `d` (``LinkConditions``; 0 on loopback), serialization `s` of one event at
/// the link's bandwidth, poll interval `I` and event rate `λ` (all wall-clock):
/// - **push streams** (SSE, WebSocket, gRPC server streaming): `d + s` — the event leaves at once.
/// - **short polling** (and gRPC's unary poll): `I/2 + d + s` — an event waits for the next poll
///   to reach the server, uniformly over the interval (median `I/2`), then the response travels.
/// - **long polling**: a waiting poll answers at once (`d + s`), but after each response the
///   next poll needs a round trip `2d` to reach the server; events published meanwhile wait for
///   it. With Poisson arrivals a response is followed on average by `2dλ` events in that gap, so
///   a share `p₀ = 1 / (1 + 2dλ)` of events finds a waiting poll and the others wait a uniform
///   part of `2d`: the median is `d + s` when `p₀ ≥ ½`, else `d + s + 2d (½ − p₀) / (1 − p₀)`.
///   With evenly spaced events a gap `1/λ > 2d` always finds a poll waiting (`d + s`); closer
///   events wait half the round trip on average (`2d + s`).
/// - **echo**: a round trip, `2d + s↑ + s↓`; **upload**: `d + s↑`.
public enum LatencyModel {
    public struct Estimate: Sendable, Hashable {
        public var p50Seconds: Double
        /// The formula, in words, for reports.
        public var formula: String
    }

    /// The model's median for a transport that delivers as `delivery` says (its
    /// ``TransportTraits/delivery(variant:)``) on `scenario` as run (wall clock), for events of
    /// `eventBytes` on the wire.
    public static func estimate(delivery: DeliveryPattern, scenario: Scenario, eventBytes: Double) -> Estimate {
        let link = scenario.link ?? LinkConditions()
        let d = link.delaySeconds
        let up = LinkConditions.serialization(bytes: Int(eventBytes.rounded()), bitsPerSecond: link.upBitsPerSecond)
        let down = LinkConditions.serialization(bytes: Int(eventBytes.rounded()), bitsPerSecond: link.downBitsPerSecond)
        switch scenario.direction {
        case .echo: return Estimate(p50Seconds: 2 * d + up + down, formula: "round trip 2d")
        case .upload: return Estimate(p50Seconds: d + up, formula: "one-way delay d")
        case .push: break
        }
        let interval = scenario.pollIntervalSeconds
        switch delivery {
        case .poll:
            return Estimate(p50Seconds: interval / 2 + d + down, formula: "I/2 + d")
        case .longPoll:
            let rate = scenario.eventsPerSecond
            let gap: Double
            switch scenario.arrival {
            case .fixed:
                gap = 1 / rate > 2 * d ? 0 : d
            case .poisson:
                let p0 = 1 / (1 + 2 * d * rate)
                gap = p0 >= 0.5 ? 0 : 2 * d * (0.5 - p0) / (1 - p0)
            }
            return Estimate(p50Seconds: d + down + gap, formula: gap == 0 ? "d (a poll is waiting)" : "d + wait for the re-poll (2d gap)")
        case .stream:
            return Estimate(p50Seconds: d + down, formula: "d")
        }
    }
}
