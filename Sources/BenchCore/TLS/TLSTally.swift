import Synchronization

/// What one side's TLS layer carried, split the way the layer is built (RFC 8446 §5): the
/// handshake's records, application-data records (whose plaintext the layer above counts, so
/// their headers, content-type bytes and authentication tags are the rest) and alerts.
///
/// Counted by a census below the TLS handler, which reads record headers in the ciphertext the
/// socket carries, and a meter above it, which counts plaintext: the WireMeter below both still
/// counts exactly what the socket carries, and `handshake + application records + alerts` equals it.
public struct TLSTally: Codable, Sendable, Hashable {
    /// Bytes of handshake records (and, in TLS 1.2, ChangeCipherSpec), client → server and back:
    /// every record before the handshake completed on that side, and handshake messages after it.
    public var handshakeBytesIn = 0
    public var handshakeBytesOut = 0
    /// Bytes of application-data records, headers and tags included.
    public var applicationRecordBytesIn = 0
    public var applicationRecordBytesOut = 0
    /// Application-data records.
    public var applicationRecordsIn = 0
    public var applicationRecordsOut = 0
    /// Plaintext those records carried, counted above the TLS handler.
    public var plaintextBytesIn = 0
    public var plaintextBytesOut = 0
    /// Bytes of alert records (close_notify, and the fatal alerts of failed handshakes).
    public var alertBytesIn = 0
    public var alertBytesOut = 0
    /// Handshakes completed, failed (a peer that is not TLS, a version or cipher the server does
    /// not speak) and timed out (a peer that stopped mid-handshake).
    public var handshakes = 0
    public var handshakeFailures = 0
    public var handshakeTimeouts = 0

    public init() {}

    public var isEmpty: Bool { self == TLSTally() }

    /// `nil` for a tally with nothing in it, so cleartext rows carry none.
    public var nilIfEmpty: TLSTally? { isEmpty ? nil : self }

    /// Handshake records, both ways.
    public var handshakeBytes: Int { handshakeBytesIn + handshakeBytesOut }
    /// What application-data records add to their plaintext: record headers, content-type bytes,
    /// explicit nonces (TLS 1.2) and authentication tags, both ways.
    public var recordOverheadBytes: Int {
        applicationRecordBytesIn + applicationRecordBytesOut - plaintextBytesIn - plaintextBytesOut
    }
    /// Application-data records, both ways.
    public var applicationRecords: Int { applicationRecordsIn + applicationRecordsOut }
    /// Alert records, both ways.
    public var alertBytes: Int { alertBytesIn + alertBytesOut }
    /// Everything the layer put on the wire besides plaintext.
    public var layerBytes: Int { handshakeBytes + recordOverheadBytes + alertBytes }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.handshakeBytesIn += rhs.handshakeBytesIn
        sum.handshakeBytesOut += rhs.handshakeBytesOut
        sum.applicationRecordBytesIn += rhs.applicationRecordBytesIn
        sum.applicationRecordBytesOut += rhs.applicationRecordBytesOut
        sum.applicationRecordsIn += rhs.applicationRecordsIn
        sum.applicationRecordsOut += rhs.applicationRecordsOut
        sum.plaintextBytesIn += rhs.plaintextBytesIn
        sum.plaintextBytesOut += rhs.plaintextBytesOut
        sum.alertBytesIn += rhs.alertBytesIn
        sum.alertBytesOut += rhs.alertBytesOut
        sum.handshakes += rhs.handshakes
        sum.handshakeFailures += rhs.handshakeFailures
        sum.handshakeTimeouts += rhs.handshakeTimeouts
        return sum
    }
}

/// A ``TLSTally`` a connection's TLS handlers add to on its event loop and anyone reads:
/// relaxed atomics, no lock per record. One per server connection (in its `ConnectionMeter`).
public final class TLSCounter: Sendable {
    /// What a record (or a part of one) is.
    public enum Kind: Sendable { case handshake, applicationData, alert }
    /// Which way it went, seen from the server.
    public enum Way: Sendable { case inbound, outbound }
    /// How a handshake ended.
    public enum Outcome: Sendable { case completed, failed, timedOut }

    private let handshakeIn = Atomic<Int>(0)
    private let handshakeOut = Atomic<Int>(0)
    private let applicationIn = Atomic<Int>(0)
    private let applicationOut = Atomic<Int>(0)
    private let recordsIn = Atomic<Int>(0)
    private let recordsOut = Atomic<Int>(0)
    private let plaintextIn = Atomic<Int>(0)
    private let plaintextOut = Atomic<Int>(0)
    private let alertIn = Atomic<Int>(0)
    private let alertOut = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let timedOut = Atomic<Int>(0)

    public init() {}

    /// Counts `bytes` of a record of `kind`; `startsRecord` counts the record itself once.
    @inline(__always)
    public func count(_ bytes: Int, of kind: Kind, _ way: Way, startsRecord: Bool) {
        switch (kind, way) {
        case (.handshake, .inbound): handshakeIn.add(bytes, ordering: .relaxed)
        case (.handshake, .outbound): handshakeOut.add(bytes, ordering: .relaxed)
        case (.alert, .inbound): alertIn.add(bytes, ordering: .relaxed)
        case (.alert, .outbound): alertOut.add(bytes, ordering: .relaxed)
        case (.applicationData, .inbound):
            applicationIn.add(bytes, ordering: .relaxed)
            if startsRecord { recordsIn.add(1, ordering: .relaxed) }
        case (.applicationData, .outbound):
            applicationOut.add(bytes, ordering: .relaxed)
            if startsRecord { recordsOut.add(1, ordering: .relaxed) }
        }
    }

    /// Moves an inbound record counted as application data to alerts: it turned out to be an
    /// encrypted alert (TLS 1.3 hides the content type inside the record).
    public func reclassifyInboundRecordAsAlert(bytes: Int) {
        applicationIn.subtract(bytes, ordering: .relaxed)
        recordsIn.subtract(1, ordering: .relaxed)
        alertIn.add(bytes, ordering: .relaxed)
    }

    /// Counts plaintext above the TLS handler.
    @inline(__always)
    public func countPlaintext(_ bytes: Int, _ way: Way) {
        switch way {
        case .inbound: plaintextIn.add(bytes, ordering: .relaxed)
        case .outbound: plaintextOut.add(bytes, ordering: .relaxed)
        }
    }

    /// Counts a handshake's end.
    public func countHandshake(_ outcome: Outcome) {
        switch outcome {
        case .completed: completed.add(1, ordering: .relaxed)
        case .failed: failed.add(1, ordering: .relaxed)
        case .timedOut: timedOut.add(1, ordering: .relaxed)
        }
    }

    /// The counts now.
    public var tally: TLSTally {
        var tally = TLSTally()
        tally.handshakeBytesIn = handshakeIn.load(ordering: .relaxed)
        tally.handshakeBytesOut = handshakeOut.load(ordering: .relaxed)
        tally.applicationRecordBytesIn = applicationIn.load(ordering: .relaxed)
        tally.applicationRecordBytesOut = applicationOut.load(ordering: .relaxed)
        tally.applicationRecordsIn = recordsIn.load(ordering: .relaxed)
        tally.applicationRecordsOut = recordsOut.load(ordering: .relaxed)
        tally.plaintextBytesIn = plaintextIn.load(ordering: .relaxed)
        tally.plaintextBytesOut = plaintextOut.load(ordering: .relaxed)
        tally.alertBytesIn = alertIn.load(ordering: .relaxed)
        tally.alertBytesOut = alertOut.load(ordering: .relaxed)
        tally.handshakes = completed.load(ordering: .relaxed)
        tally.handshakeFailures = failed.load(ordering: .relaxed)
        tally.handshakeTimeouts = timedOut.load(ordering: .relaxed)
        return tally
    }
}
