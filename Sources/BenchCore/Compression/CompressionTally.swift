#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// What one side's compression layer did: the bytes that went into compressors and came out,
/// the messages it left uncompressed, and the thread CPU time spent in zlib.
///
/// Measured above and below the layer by the code that calls the compressor, so the wire meter
/// below it still counts exactly what the socket carries. Sums over connections and clients.
public struct CompressionTally: Codable, Sendable, Hashable {
    /// Bytes given to compressors: the plain bodies, payloads or stream text.
    public var plainBytes = 0
    /// Bytes the compressors produced in their place.
    public var compressedBytes = 0
    /// Messages (WebSocket messages, gRPC messages, response bodies, SSE events) compressed.
    public var messagesCompressed = 0
    /// Messages sent uncompressed on a connection that negotiated compression (under a threshold).
    public var messagesSentPlain = 0
    /// Thread CPU time in compressors and decompressors, nanoseconds.
    public var compressNanoseconds: UInt64 = 0
    public var decompressNanoseconds: UInt64 = 0
    /// Bytes decompressors read and produced (the receiving side's view of the same bodies).
    public var inflatedInputBytes = 0
    public var inflatedOutputBytes = 0

    public init() {}

    public var isEmpty: Bool { self == CompressionTally() }

    /// `nil` for a tally with nothing in it, so rows without compression carry none.
    public var nilIfEmpty: CompressionTally? { isEmpty ? nil : self }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.plainBytes += rhs.plainBytes
        sum.compressedBytes += rhs.compressedBytes
        sum.messagesCompressed += rhs.messagesCompressed
        sum.messagesSentPlain += rhs.messagesSentPlain
        sum.compressNanoseconds += rhs.compressNanoseconds
        sum.decompressNanoseconds += rhs.decompressNanoseconds
        sum.inflatedInputBytes += rhs.inflatedInputBytes
        sum.inflatedOutputBytes += rhs.inflatedOutputBytes
        return sum
    }
}

/// A ``CompressionTally`` that channel handlers on any event loop add to: relaxed atomics, no
/// lock per message. One per server connection (in its `ConnectionMeter`) or per client.
public final class CompressionCounter: Sendable {
    private let plain = Atomic<Int>(0)
    private let compressed = Atomic<Int>(0)
    private let messagesCompressed = Atomic<Int>(0)
    private let messagesPlain = Atomic<Int>(0)
    private let compressTime = Atomic<UInt64>(0)
    private let decompressTime = Atomic<UInt64>(0)
    private let inflatedIn = Atomic<Int>(0)
    private let inflatedOut = Atomic<Int>(0)

    public init() {}

    /// Runs `compress` (which turns `plainBytes` into its result), timing it in thread CPU time,
    /// and counts one compressed message — or none, for a stream's closing bytes (`message: false`).
    @inline(__always)
    public func compress<Result>(
        plainBytes: Int, message: Bool = true, _ compress: () throws -> Result, compressedBytes: (Result) -> Int
    ) rethrows -> Result {
        let start = ThreadCPUClock.nowNanoseconds()
        let result = try compress()
        compressTime.add(ThreadCPUClock.nowNanoseconds() &- start, ordering: .relaxed)
        plain.add(plainBytes, ordering: .relaxed)
        compressed.add(compressedBytes(result), ordering: .relaxed)
        if message { messagesCompressed.add(1, ordering: .relaxed) }
        return result
    }

    /// Runs `decompress` (which reads `compressedBytes`), timing it in thread CPU time.
    @inline(__always)
    public func decompress<Result>(compressedBytes: Int, _ decompress: () throws -> Result, plainBytes: (Result) -> Int) rethrows -> Result {
        let start = ThreadCPUClock.nowNanoseconds()
        let result = try decompress()
        decompressTime.add(ThreadCPUClock.nowNanoseconds() &- start, ordering: .relaxed)
        inflatedIn.add(compressedBytes, ordering: .relaxed)
        inflatedOut.add(plainBytes(result), ordering: .relaxed)
        return result
    }

    /// Counts a message sent uncompressed on a connection that could have compressed it.
    public func countPlainMessage() { messagesPlain.add(1, ordering: .relaxed) }

    /// Adds a tally measured elsewhere (a gRPC census, a message's plain size), touching only the
    /// counts it has: gRPC adds one field per message.
    public func add(_ tally: CompressionTally) {
        func add(_ value: Int, to counter: borrowing Atomic<Int>) {
            if value != 0 { counter.add(value, ordering: .relaxed) }
        }
        func add(_ value: UInt64, to counter: borrowing Atomic<UInt64>) {
            if value != 0 { counter.add(value, ordering: .relaxed) }
        }
        add(tally.plainBytes, to: plain)
        add(tally.compressedBytes, to: compressed)
        add(tally.messagesCompressed, to: messagesCompressed)
        add(tally.messagesSentPlain, to: messagesPlain)
        add(tally.compressNanoseconds, to: compressTime)
        add(tally.decompressNanoseconds, to: decompressTime)
        add(tally.inflatedInputBytes, to: inflatedIn)
        add(tally.inflatedOutputBytes, to: inflatedOut)
    }

    /// The counts now.
    public var tally: CompressionTally {
        var tally = CompressionTally()
        tally.plainBytes = plain.load(ordering: .relaxed)
        tally.compressedBytes = compressed.load(ordering: .relaxed)
        tally.messagesCompressed = messagesCompressed.load(ordering: .relaxed)
        tally.messagesSentPlain = messagesPlain.load(ordering: .relaxed)
        tally.compressNanoseconds = compressTime.load(ordering: .relaxed)
        tally.decompressNanoseconds = decompressTime.load(ordering: .relaxed)
        tally.inflatedInputBytes = inflatedIn.load(ordering: .relaxed)
        tally.inflatedOutputBytes = inflatedOut.load(ordering: .relaxed)
        return tally
    }
}

/// The calling thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`): what a compressor costs, whatever
/// else the machine is doing.
public enum ThreadCPUClock {
    @inline(__always)
    public static func nowNanoseconds() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}
