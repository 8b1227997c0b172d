/// One client's account of which sequences arrived: delivered, duplicated, out of order, lost.
///
/// Sequences start at 1. A bit per sequence makes recording O(1) with no allocation in the steady
/// state. Loss is never silent: ``missing(through:)`` lists every absent sequence as ranges, and
/// gaps the server announced (the client asked for events that had left its retention window)
/// are kept apart in ``announcedGaps``.
public struct Ledger: Sendable, Hashable {
    /// What recording one sequence found.
    public enum Outcome: Sendable, Hashable {
        /// First arrival, in order.
        case delivered
        /// First arrival, but after a higher sequence had already arrived.
        case deliveredOutOfOrder
        /// It had arrived before.
        case duplicate
    }

    private var seenWords: [UInt64] = []
    /// Distinct sequences received.
    public private(set) var delivered = 0
    /// Arrivals of a sequence already received.
    public private(set) var duplicates = 0
    /// First arrivals below the highest sequence already received.
    public private(set) var outOfOrder = 0
    /// The highest sequence received, 0 before any.
    public private(set) var highestSequence: UInt64 = 0
    /// Ranges the server said it could no longer send.
    public private(set) var announcedGaps: [ClosedRange<UInt64>] = []

    public init() {}

    /// Records the arrival of `sequence` (which must be at least 1).
    @discardableResult
    public mutating func record(_ sequence: UInt64) -> Outcome {
        precondition(sequence >= 1, "sequences start at 1")
        let bit = sequence - 1
        let word = Int(bit / 64)
        let mask: UInt64 = 1 << (bit % 64)
        if word >= seenWords.count {
            seenWords.append(contentsOf: repeatElement(0, count: Swift.max(word + 1 - seenWords.count, seenWords.count)))
        }
        if seenWords[word] & mask != 0 {
            duplicates += 1
            return .duplicate
        }
        seenWords[word] |= mask
        delivered += 1
        if sequence < highestSequence {
            outOfOrder += 1
            return .deliveredOutOfOrder
        }
        highestSequence = sequence
        return .delivered
    }

    /// Records that the server announced it could not send `gap` any more.
    public mutating func recordAnnouncedGap(_ gap: ClosedRange<UInt64>) {
        announcedGaps.append(gap)
    }

    /// Whether `sequence` has arrived.
    public func contains(_ sequence: UInt64) -> Bool {
        guard sequence >= 1 else { return false }
        let bit = sequence - 1
        let word = Int(bit / 64)
        return word < seenWords.count && seenWords[word] & (1 << (bit % 64)) != 0
    }

    /// The sequences in `1...last` that never arrived, as ranges in ascending order.
    public func missing(through last: UInt64) -> [ClosedRange<UInt64>] {
        var ranges: [ClosedRange<UInt64>] = []
        var start: UInt64? = nil
        var sequence: UInt64 = 1
        while sequence <= last {
            let bit = sequence - 1
            let word = Int(bit / 64)
            // Skip whole words that are all present.
            if bit % 64 == 0, start == nil, word < seenWords.count, seenWords[word] == .max, sequence + 63 <= last {
                sequence += 64
                continue
            }
            if contains(sequence) {
                if let first = start {
                    ranges.append(first...(sequence - 1))
                    start = nil
                }
            } else if start == nil {
                start = sequence
            }
            sequence += 1
        }
        if let first = start { ranges.append(first...last) }
        return ranges
    }

    /// How many of `1...last` never arrived.
    public func missingCount(through last: UInt64) -> Int {
        missing(through: last).reduce(0) { $0 + Int($1.count) }
    }
}
