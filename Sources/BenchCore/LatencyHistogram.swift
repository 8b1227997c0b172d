import Histogram

/// Latency samples in nanoseconds, in an HdrHistogram with 3 significant digits.
///
/// It is a value type: keep one per client task and merge them at the end with ``merge(_:)``;
/// recording takes no lock. An HdrHistogram of this range and precision is 245 KB, which
/// 10,000 clients cannot each have, so the first ``pendingLimit`` samples wait in a small array
/// and the histogram is made when one more arrives (or when it is read or merged into): a
/// client with a few hundred deliveries costs 4 KB. Every histogram is made from one
/// configuration, as hdrhistogram-swift's `add(_:)` requires.
public struct LatencyHistogram: Sendable {
    /// The largest latency recorded exactly: 10 minutes. Larger samples are counted in
    /// ``overflowCount`` and reported, never dropped silently.
    public static let highestTrackableNanoseconds: UInt64 = 600_000_000_000
    /// Samples kept in an array before the histogram is made.
    public static let pendingLimit = 512

    @usableFromInline var histogram: Histogram<UInt64>?
    @usableFromInline var pending: [UInt64] = []
    @usableFromInline var overflow: UInt64 = 0
    /// Samples above ``highestTrackableNanoseconds``.
    public var overflowCount: UInt64 { overflow }

    public init() {}

    private static func makeHistogram() -> Histogram<UInt64> {
        Histogram(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableNanoseconds, numberOfSignificantValueDigits: .three)
    }

    /// Records one sample. Inlinable: it is on every delivery's path, and inlined it costs what
    /// hdrhistogram-swift's own `record` does (12 ns against 19 ns as a call, in Benchmarks/).
    @inlinable
    public mutating func record(nanoseconds: UInt64) {
        if let recorded = histogram?.record(nanoseconds) {
            if !recorded { overflow += 1 }
        } else if nanoseconds > Self.highestTrackableNanoseconds {
            overflow += 1
        } else {
            pending.append(nanoseconds)
            if pending.count > Self.pendingLimit { materialize() }
        }
    }

    /// Makes the histogram and moves the pending samples into it.
    @usableFromInline
    mutating func materialize() {
        guard histogram == nil else { return }
        var made = Self.makeHistogram()
        for sample in pending where !made.record(sample) { overflow += 1 }
        pending = []
        histogram = made
    }

    /// Every sample in one histogram, without changing this value.
    private var full: Histogram<UInt64> {
        var copy = self
        copy.materialize()
        return copy.histogram!
    }

    /// Records a sample taken against a fixed schedule, adding the samples a stalled sender
    /// would have taken (coordinated-omission correction, as wrk2 does).
    public mutating func recordCorrected(nanoseconds: UInt64, expectedIntervalNanoseconds: UInt64) {
        materialize()
        if !histogram!.recordCorrectedValue(nanoseconds, expectedInterval: expectedIntervalNanoseconds) {
            overflow += 1
        }
    }

    /// Adds another histogram's samples to this one.
    public mutating func merge(_ other: LatencyHistogram) {
        overflow += other.overflow
        if let samples = other.histogram {
            materialize()
            histogram!.add(samples)
        } else {
            for sample in other.pending { record(nanoseconds: sample) }
        }
    }

    /// Number of samples recorded (including overflow).
    public var count: UInt64 { (histogram?.totalCount ?? 0) + UInt64(pending.count) + overflowCount }

    private var isEmpty: Bool { (histogram?.totalCount ?? 0) == 0 && pending.isEmpty }

    /// The value at `percentile` (0–100), in nanoseconds; 0 when empty.
    public func valueAtPercentile(_ percentile: Double) -> UInt64 {
        isEmpty ? 0 : full.valueAtPercentile(percentile)
    }

    /// The largest sample, exact (not rounded to a bucket edge); 0 when empty.
    public var maxNanoseconds: UInt64 { isEmpty ? 0 : full.maxRecorded }

    /// The smallest sample, 0 when empty.
    public var minNanoseconds: UInt64 { isEmpty ? 0 : full.min }

    /// The mean, 0 when empty.
    public var meanNanoseconds: Double { isEmpty ? 0 : full.mean }

    /// Every sample in HdrHistogram's compressed, base64 encoded form (``HdrHistogramEncoding``),
    /// for results.json, so hosts' histograms merge without loss; `nil` when empty. Samples
    /// above the trackable range are not in it: ``overflowCount`` travels beside it.
    public var encoded: String? { isEmpty ? nil : HdrHistogramEncoding.encode(full) }

    /// A histogram read back from ``encoded``, with `overflow` samples above the range.
    /// - Throws: ``BenchError`` when the text is not an encoded histogram of this range and precision.
    public init(encoded: String, overflow: UInt64 = 0) throws(BenchError) {
        let decoded = try HdrHistogramEncoding.decode(encoded)
        let expected = Self.makeHistogram()
        guard decoded.lowestDiscernibleValue == expected.lowestDiscernibleValue, decoded.highestTrackableValue == expected.highestTrackableValue,
            decoded.numberOfSignificantValueDigits == expected.numberOfSignificantValueDigits
        else {
            throw .usage(
                "an encoded histogram covers \(decoded.lowestDiscernibleValue)…\(decoded.highestTrackableValue) ns at \(decoded.numberOfSignificantValueDigits.rawValue) digits; latency histograms cover 1…\(Self.highestTrackableNanoseconds) ns at 3"
            )
        }
        histogram = decoded
        self.overflow = overflow
    }

    /// The summary reports print.
    public var summary: LatencySummary {
        guard !isEmpty else { return LatencySummary(count: count, p50Nanoseconds: 0, p90Nanoseconds: 0, p99Nanoseconds: 0, p999Nanoseconds: 0, maxNanoseconds: 0, meanNanoseconds: 0) }
        let all = full
        return LatencySummary(
            count: count,
            p50Nanoseconds: all.valueAtPercentile(50),
            p90Nanoseconds: all.valueAtPercentile(90),
            p99Nanoseconds: all.valueAtPercentile(99),
            p999Nanoseconds: all.valueAtPercentile(99.9),
            maxNanoseconds: all.maxRecorded,
            meanNanoseconds: all.mean
        )
    }
}

/// Percentiles of a ``LatencyHistogram``, in nanoseconds.
public struct LatencySummary: Codable, Sendable, Hashable {
    public var count: UInt64
    public var p50Nanoseconds: UInt64
    public var p90Nanoseconds: UInt64
    public var p99Nanoseconds: UInt64
    public var p999Nanoseconds: UInt64
    public var maxNanoseconds: UInt64
    public var meanNanoseconds: Double
}
