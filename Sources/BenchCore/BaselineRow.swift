/// One round trip of `bench baseline`: its percentiles, its rate, and its p50 against the floor's.
public struct BaselineRow: Codable, Sendable {
    public var name: String
    public var detail: String
    public var roundTrips: Int
    public var messageBytes: Int
    public var p50Nanoseconds: UInt64
    public var p90Nanoseconds: UInt64
    public var p99Nanoseconds: UInt64
    public var maxNanoseconds: UInt64
    public var roundTripsPerSecond: Double
    /// p50 over the raw TCP floor's p50, from the same run.
    public var p50RatioToFloor: Double
    /// Whether this row is the one held to the 1.3× target.
    public var heldToTarget = false
    /// The TLS the round trip ran over (``TLSSettings/label``); `nil` for cleartext.
    public var tls: String?

    package init(name: String, detail: String, messageBytes: Int, histogram: LatencyHistogram, seconds: Double) {
        (self.name, self.detail, self.messageBytes) = (name, detail, messageBytes)
        roundTrips = Int(histogram.count)
        p50Nanoseconds = histogram.valueAtPercentile(50)
        p90Nanoseconds = histogram.valueAtPercentile(90)
        p99Nanoseconds = histogram.valueAtPercentile(99)
        maxNanoseconds = histogram.maxNanoseconds
        roundTripsPerSecond = seconds > 0 ? Double(roundTrips) / seconds : 0
        p50RatioToFloor = 1
    }
}
