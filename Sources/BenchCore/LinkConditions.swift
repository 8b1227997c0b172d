import Foundation

/// A network link between the clients and the server, emulated in-process on every connection
/// (``Scenario/link``): a one-way delay each way, jitter around it, and optionally a bandwidth
/// per direction. `nil` in a scenario means loopback as it is.
///
/// The emulator (BenchServer's `LinkEmulator`) keeps bytes in order, as TCP delivers them:
/// jitter moves a chunk later, never ahead of the one before it.
public struct LinkConditions: Codable, Sendable, Hashable {
    /// One-way delay, the same each way (a round trip is twice this), in seconds.
    public var delaySeconds: Double
    /// Each chunk's delay varies uniformly within ± this, in seconds (netem's `delay D J`).
    public var jitterSeconds: Double
    /// Client → server bandwidth in bits per second; `nil` for unlimited.
    public var upBitsPerSecond: Double?
    /// Server → client bandwidth in bits per second; `nil` for unlimited.
    public var downBitsPerSecond: Double?

    public init(delaySeconds: Double = 0, jitterSeconds: Double = 0, upBitsPerSecond: Double? = nil, downBitsPerSecond: Double? = nil) {
        self.delaySeconds = delaySeconds
        self.jitterSeconds = jitterSeconds
        self.upBitsPerSecond = upBitsPerSecond
        self.downBitsPerSecond = downBitsPerSecond
    }

    /// Checks the link's numbers and throws one sentence naming the flag for the first bad one.
    public func validate() throws(BenchError) {
        func check(_ condition: Bool, _ message: @autoclosure () -> String) throws(BenchError) {
            if !condition { throw .usage(message()) }
        }
        try check(delaySeconds.isFinite && delaySeconds >= 0 && delaySeconds <= 10, "--delay-ms must be between 0 and 10000 (got \(delaySeconds * 1000))")
        try check(jitterSeconds.isFinite && jitterSeconds >= 0 && jitterSeconds <= delaySeconds,
                  "--jitter-ms must be between 0 and the delay, \(delaySeconds * 1000) ms (got \(jitterSeconds * 1000))")
        for (flag, rate) in [("--bandwidth-up", upBitsPerSecond), ("--bandwidth-down", downBitsPerSecond)] {
            if let rate { try check(rate.isFinite && rate >= 1000, "\(flag) must be at least 1kbit (got \(rate) bit/s)") }
        }
    }

    /// The link at a time scale: delays divided, bandwidths multiplied.
    public func scaled(by timeScale: Double) -> LinkConditions {
        LinkConditions(
            delaySeconds: delaySeconds / timeScale, jitterSeconds: jitterSeconds / timeScale,
            upBitsPerSecond: upBitsPerSecond.map { $0 * timeScale }, downBitsPerSecond: downBitsPerSecond.map { $0 * timeScale }
        )
    }

    /// Seconds to put `bytes` on a link of `bitsPerSecond` (0 when unlimited).
    public static func serialization(bytes: Int, bitsPerSecond: Double?) -> Double {
        guard let bitsPerSecond else { return 0 }
        return Double(bytes) * 8 / bitsPerSecond
    }

    /// Like tc's rates: `800kbit`, `10mbit`, `1.5gbit`, `500bit`; also `kbps`/`mbps`/`gbps`
    /// for bytes per second as tc reads them. Returns bits per second, or nil.
    public static func parseRate(_ text: String) -> Double? {
        let lower = text.lowercased()
        let units: [(String, Double)] = [
            ("gbit", 1e9), ("mbit", 1e6), ("kbit", 1e3), ("bit", 1),
            ("gbps", 8e9), ("mbps", 8e6), ("kbps", 8e3), ("bps", 8),
        ]
        for (suffix, factor) in units where lower.hasSuffix(suffix) {
            guard let value = Double(lower.dropLast(suffix.count)), value.isFinite, value > 0 else { return nil }
            return value * factor
        }
        return nil
    }

    /// `25 ms ± 5 ms, up 10 Mbit/s, down 50 Mbit/s`.
    public var summary: String {
        func ms(_ seconds: Double) -> String {
            let value = seconds * 1000
            return value.rounded() == value ? String(Int(value)) : String(format: "%.3g", value)
        }
        func rate(_ bits: Double) -> String {
            for (factor, unit) in [(1e9, "Gbit/s"), (1e6, "Mbit/s"), (1e3, "kbit/s")] where bits >= factor {
                return String(format: "%g", (bits / factor * 1000).rounded() / 1000) + " " + unit
            }
            return String(format: "%g", bits) + " bit/s"
        }
        var parts = ["one-way delay \(ms(delaySeconds)) ms" + (jitterSeconds > 0 ? " ± \(ms(jitterSeconds)) ms" : "")]
        if let up = upBitsPerSecond { parts.append("up \(rate(up))") }
        if let down = downBitsPerSecond { parts.append("down \(rate(down))") }
        return parts.joined(separator: ", ")
    }
}
