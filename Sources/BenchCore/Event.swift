/// The envelope every transport carries: a sequence number, the publish time and the payload.
///
/// Sequences are per stream, start at 1 and have no gaps, so a client's ``Ledger`` can tell a
/// lost event from a late one.
public struct Event: Codable, Sendable, Hashable {
    /// Position in the stream, from 1, no gaps.
    public var sequence: UInt64
    /// When the server published the event, in ``MonotonicClock`` nanoseconds.
    public var publishedAt: UInt64
    /// The workload's data: `payloadBytes` printable ASCII characters, so JSON carries it
    /// without escaping and its size on the wire is exactly the configured size.
    public var payload: String

    public init(sequence: UInt64, publishedAt: UInt64, payload: String) {
        self.sequence = sequence
        self.publishedAt = publishedAt
        self.payload = payload
    }
}

/// Makes the deterministic payload of each event, of the scenario's ``PayloadContent``.
///
/// Drawn by a generator seeded with the scenario's seed and the event's sequence, so two runs
/// with one seed carry identical bytes. `random` content is characters from `[A-Za-z0-9]`.
public struct PayloadFactory: Sendable {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    public let byteCount: Int
    public let seed: UInt64
    public let content: PayloadContent

    public init(byteCount: Int, seed: UInt64, content: PayloadContent = .random) {
        self.byteCount = byteCount
        self.seed = seed
        self.content = content
    }

    /// The payload of event `sequence`.
    ///
    /// Each event's generator starts from the seed and the sequence hashed together, so no two
    /// events share a stretch of draws: with a plain `seed + sequence × step`, event n + 1's draws
    /// would be event n's shifted by one, and a compressor with a window would find every payload
    /// in the one before it.
    public func payload(for sequence: UInt64) -> String {
        var generator = SeededGenerator(seed: SeededGenerator.mix(seed ^ SeededGenerator.mix(sequence)))
        return content.text(count: byteCount, using: &generator)
    }

    /// `count` characters from `[A-Za-z0-9]`.
    static func filler(count byteCount: Int, using generator: inout SeededGenerator) -> String {
        String(unsafeUninitializedCapacity: byteCount) { buffer in
            var index = 0
            while index < byteCount {
                var bits = generator.next()
                // 10 characters from each 64-bit draw (6 bits each, rejection-free modulo bias is
                // irrelevant for filler).
                for _ in 0..<10 where index < byteCount {
                    buffer[index] = Self.alphabet[Int(bits & 63) % Self.alphabet.count]
                    bits >>= 6
                    index += 1
                }
            }
            return byteCount
        }
    }
}
