import BenchCore
import Testing

@Suite("Ledger")
struct LedgerTests {
    @Test("in-order arrivals are delivered once and nothing is missing")
    func inOrder() {
        var ledger = Ledger()
        for sequence in 1...200 as ClosedRange<UInt64> { #expect(ledger.record(sequence) == .delivered) }
        #expect(ledger.delivered == 200)
        #expect(ledger.duplicates == 0)
        #expect(ledger.missing(through: 200).isEmpty)
        #expect(ledger.missingCount(through: 200) == 0)
    }

    @Test("a repeated sequence is a duplicate, an earlier one out of order")
    func duplicatesAndReordering() {
        var ledger = Ledger()
        #expect(ledger.record(1) == .delivered)
        #expect(ledger.record(3) == .delivered)
        #expect(ledger.record(2) == .deliveredOutOfOrder)
        #expect(ledger.record(3) == .duplicate)
        #expect(ledger.delivered == 3)
        #expect(ledger.duplicates == 1)
        #expect(ledger.outOfOrder == 1)
        #expect(ledger.highestSequence == 3)
    }

    @Test("gaps are listed as ranges, including a missing tail and whole missing words")
    func missingRanges() {
        var ledger = Ledger()
        let received: [UInt64] = [1, 2, 5, 6, 7, 200, 202]
        for sequence in received { ledger.record(sequence) }
        // Worked out by hand: 3-4, 8-199, 201, 203-250.
        #expect(ledger.missing(through: 250) == [3...4, 8...199, 201...201, 203...250])
        #expect(ledger.missingCount(through: 250) == 2 + 192 + 1 + 48)
        #expect(ledger.missing(through: 2).isEmpty)
    }

    @Test("a ledger that received nothing misses everything")
    func nothingReceived() {
        let ledger = Ledger()
        #expect(ledger.missing(through: 10) == [1...10])
        #expect(ledger.missing(through: 0).isEmpty)
    }
}

@Suite("Latency histogram")
struct LatencyHistogramTests {
    @Test("percentiles and the exact maximum of known samples")
    func percentiles() {
        var histogram = LatencyHistogram()
        // 1...1000 microseconds: p50 is 500 µs, p99 990 µs, max 1000 µs (within 3 significant digits).
        for microseconds in 1...1000 as ClosedRange<UInt64> { histogram.record(nanoseconds: microseconds * 1000) }
        let summary = histogram.summary
        #expect(summary.count == 1000)
        #expect(abs(Double(summary.p50Nanoseconds) - 500_000) <= 500)
        #expect(abs(Double(summary.p99Nanoseconds) - 990_000) <= 990)
        #expect(summary.maxNanoseconds == 1_000_000)
    }

    @Test("merging adds counts; overflow is counted, not dropped")
    func mergeAndOverflow() {
        var a = LatencyHistogram()
        var b = LatencyHistogram()
        a.record(nanoseconds: 10)
        b.record(nanoseconds: 20)
        b.record(nanoseconds: LatencyHistogram.highestTrackableNanoseconds * 2)
        a.merge(b)
        #expect(a.count == 3)
        #expect(a.overflowCount == 1)
    }
}
