import ArgumentParser
import BenchCore

/// The emulated link's flags, shared by `bench run`, `bench sweep` and `bench serve`.
struct LinkOptions: ParsableArguments {
    @Option(name: .customLong("delay-ms"), help: "Emulated link: one-way delay in milliseconds, each way (a round trip is twice this).")
    var delayMilliseconds = 0.0

    @Option(name: .customLong("jitter-ms"), help: "Emulated link: each chunk's delay varies uniformly within ± this many milliseconds (at most the delay).")
    var jitterMilliseconds = 0.0

    @Option(name: .customLong("bandwidth-up"), help: "Emulated link: client → server bandwidth, as tc writes it (800kbit, 10mbit, 1gbit).")
    var bandwidthUp: String?

    @Option(name: .customLong("bandwidth-down"), help: "Emulated link: server → client bandwidth, as tc writes it.")
    var bandwidthDown: String?

    /// The link these flags describe; `nil` when none was asked for.
    func conditions() throws(BenchError) -> LinkConditions? {
        func rate(_ text: String?, _ flag: String) throws(BenchError) -> Double? {
            guard let text else { return nil }
            guard let bits = LinkConditions.parseRate(text) else {
                throw .usage("\(flag) must be a rate such as 800kbit, 10mbit or 1gbit (got '\(text)')")
            }
            return bits
        }
        let up = try rate(bandwidthUp, "--bandwidth-up")
        let down = try rate(bandwidthDown, "--bandwidth-down")
        guard delayMilliseconds != 0 || jitterMilliseconds != 0 || up != nil || down != nil else { return nil }
        return LinkConditions(delaySeconds: delayMilliseconds / 1000, jitterSeconds: jitterMilliseconds / 1000, upBitsPerSecond: up, downBitsPerSecond: down)
    }
}
