/// IP and TCP below the payload, summed over a server's connections: segments each way,
/// retransmissions, handshake and teardown segments, and the header bytes they took.
///
/// Each connection's part is ``TCPHeaderModel/estimate(_:)`` of the TCP_INFO the server read
/// just before closing it, so these are estimates: TCP_INFO's counts, the few segments it cannot
/// show worked out from TCP's rules, and Linux's header sizes. A connection whose socket closed
/// before it could be read (a write that failed on a reset) is not in them; ``connections`` says
/// how many are.
public struct TCPTally: Codable, Sendable, Hashable {
    /// Connections whose TCP_INFO was read.
    public var connections = 0
    /// Segments client → server and server → client, handshake and teardown included.
    public var segmentsIn = 0
    public var segmentsOut = 0
    /// How many of those were worked out rather than counted (the SYN-ACK, the teardown's end).
    public var inferredSegments = 0
    /// Segments the server sent again; included in ``segmentsOut``.
    public var retransmittedSegments = 0
    /// The three-way handshakes' segments (3 a connection) and the FIN exchanges' (3 or 4 a
    /// connection, none after a reset).
    public var handshakeSegments = 0
    public var teardownSegments = 0
    /// IP and TCP header bytes client → server and server → client.
    public var headerBytesIn = 0
    public var headerBytesOut = 0

    public init() {}

    /// Segments both ways.
    public var segments: Int { segmentsIn + segmentsOut }
    /// IP and TCP header bytes both ways.
    public var headerBytes: Int { headerBytesIn + headerBytesOut }
    /// Handshake and teardown segments together: what opening and closing connections cost.
    public var connectionSegments: Int { handshakeSegments + teardownSegments }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.connections += rhs.connections
        sum.segmentsIn += rhs.segmentsIn
        sum.segmentsOut += rhs.segmentsOut
        sum.inferredSegments += rhs.inferredSegments
        sum.retransmittedSegments += rhs.retransmittedSegments
        sum.handshakeSegments += rhs.handshakeSegments
        sum.teardownSegments += rhs.teardownSegments
        sum.headerBytesIn += rhs.headerBytesIn
        sum.headerBytesOut += rhs.headerBytesOut
        return sum
    }
}
