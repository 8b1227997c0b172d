import Synchronization

/// What one side's handshake checks did: the requests they refused, the tokens they verified,
/// the bytes those tokens took on the wire and the thread CPU time verifying them.
///
/// Sums over connections; the server's totals become `RunResult`'s refusal and authentication
/// columns.
public struct SecurityTally: Codable, Sendable, Hashable {
    /// Requests, upgrades and calls refused (400, 401, 403, `UNAUTHENTICATED`).
    public var refused = 0
    /// Bearer tokens verified, valid or not.
    public var tokensChecked = 0
    /// The bytes those tokens' credentials took (``BearerCredential/wireBytes``).
    public var tokenBytes = 0
    /// Thread CPU time spent verifying them (parsing, signature, expiry), nanoseconds.
    public var verifyNanoseconds: UInt64 = 0

    public init() {}

    /// `nil` for a tally with nothing in it, so rows without checks carry none.
    public var nilIfEmpty: SecurityTally? { self == SecurityTally() ? nil : self }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.refused += rhs.refused
        sum.tokensChecked += rhs.tokensChecked
        sum.tokenBytes += rhs.tokenBytes
        sum.verifyNanoseconds += rhs.verifyNanoseconds
        return sum
    }
}

/// A ``SecurityTally`` that request handling on any thread adds to: relaxed atomics, no lock.
/// One per server connection (its `ConnectionMeter`).
public final class SecurityCounter: Sendable {
    private let refused = Atomic<Int>(0)
    private let tokens = Atomic<Int>(0)
    private let bytes = Atomic<Int>(0)
    private let time = Atomic<UInt64>(0)

    public init() {}

    /// Counts one refused request.
    public func countRefused() { refused.add(1, ordering: .relaxed) }

    /// Runs `verify` on `credential`'s token, timing it in thread CPU time (as compression's
    /// counter does), and counts the token and its bytes.
    @inline(__always)
    public func verify<Result>(_ credential: BearerCredential, _ verify: (String) -> Result) -> Result {
        let start = ThreadCPUClock.nowNanoseconds()
        let result = verify(credential.token)
        time.add(ThreadCPUClock.nowNanoseconds() &- start, ordering: .relaxed)
        tokens.add(1, ordering: .relaxed)
        bytes.add(credential.wireBytes, ordering: .relaxed)
        return result
    }

    /// The counts now.
    public var tally: SecurityTally {
        var tally = SecurityTally()
        tally.refused = refused.load(ordering: .relaxed)
        tally.tokensChecked = tokens.load(ordering: .relaxed)
        tally.tokenBytes = bytes.load(ordering: .relaxed)
        tally.verifyNanoseconds = time.load(ordering: .relaxed)
        return tally
    }
}
