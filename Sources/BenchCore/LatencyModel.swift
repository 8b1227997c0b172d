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
///
/// A poll that opens a connection of its own (per-request polling) first pays its setup: TCP's
/// handshake, a round trip before the request can leave, and with TLS the handshake's round
/// trips — one for TLS 1.3 (RFC 8446 §2), two for a full TLS 1.2 handshake (RFC 5246 §7.3), one
/// for a resumed one. Long polling's re-poll gap becomes `2d (1 + k)` for `k` setup round trips;
/// short polling keeps its schedule, so only a cycle longer than `I` (setup and a round trip)
/// stretches its wait.
public enum LatencyModel {
    public struct Estimate: Sendable, Hashable {
        public var p50Seconds: Double
        /// The formula, in words, for reports.
        public var formula: String
    }

    /// The model's median for a transport that delivers as `delivery` says (its
    /// ``TransportTraits/delivery(variant:)``) on `scenario` as run (wall clock), for events of
    /// `eventBytes` on the wire.
    public static func estimate(delivery: DeliveryPattern, scenario: Scenario, eventBytes: Double, connectionPerRequest: Bool = false) -> Estimate {
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
        let setup = connectionPerRequest ? setupRoundTrips(scenario.tls) : 0
        let setupNote = setup == 0 ? "" : ", \(setup) setup round trip\(setup == 1 ? "" : "s") a poll"
        switch delivery {
        case .poll:
            let cycle = 2 * d * Double(1 + setup) + down
            let period = Swift.max(interval, cycle)
            return Estimate(p50Seconds: period / 2 + d + down, formula: (cycle > interval ? "cycle/2 + d" : "I/2 + d") + setupNote)
        case .longPoll:
            let rate = scenario.eventsPerSecond
            let repoll = 2 * d * Double(1 + setup)
            let gap: Double
            switch scenario.arrival {
            case .fixed:
                gap = 1 / rate > repoll ? 0 : repoll / 2
            case .poisson:
                let p0 = 1 / (1 + repoll * rate)
                gap = p0 >= 0.5 ? 0 : repoll * (0.5 - p0) / (1 - p0)
            }
            let gapText = setup == 0 ? "2d gap" : "2d(1 + \(setup)) gap"
            return Estimate(p50Seconds: d + down + gap, formula: (gap == 0 ? "d (a poll is waiting)" : "d + wait for the re-poll (\(gapText))") + setupNote)
        case .stream:
            return Estimate(p50Seconds: d + down, formula: "d")
        }
    }

    /// Round trips a new connection takes before its first request leaves: TCP's, and TLS's.
    public static func setupRoundTrips(_ tls: TLSSettings) -> Int {
        guard tls.enabled else { return 1 }
        switch tls.version {
        case .v1_3: return 2
        case .v1_2: return tls.resumption ? 2 : 3
        }
    }
}
