/// What the kernel's `TCP_INFO` said about one connection at the moment the server read it: just
/// before the socket closed (see `WireMeter` in BenchServer).
///
/// The counts are Linux's (`struct tcp_info` in `linux/tcp.h`, the RFC 4898 counters): they
/// include retransmitted segments and pure ACKs, and on an accepted socket `segmentsIn` includes
/// the client's SYN and the ACK that completed the handshake, while `segmentsOut` leaves out the
/// SYN-ACK (the kernel sent it before the connection's socket existed). ``TCPHeaderModel`` adds
/// what the counts cannot show.
public struct TCPInfoSnapshot: Sendable, Hashable {
    /// Where the connection's state machine stood (RFC 9293 §3.3.2), as far as the estimate cares.
    public enum State: Sendable, Hashable {
        /// Open both ways: the server is closing first, no FIN has been exchanged.
        case established
        /// The peer's FIN arrived (and is in `segmentsIn`); the server's FIN has not been sent.
        case closeWait
        /// The server's FIN went out and nothing came back yet.
        case finWait1
        /// The server's FIN was acknowledged; the peer's FIN has not arrived.
        case finWait2
        /// Both FINs went out; only the last ACK is missing (`CLOSING`, `LAST_ACK`).
        case awaitingLastACK
        /// Closed without a FIN exchange (a reset), or already done: nothing more goes either way.
        case closed

        /// The state from `tcpi_state`'s value (Linux's `TCP_ESTABLISHED` = 1 … `TCP_CLOSING` = 11).
        public init(linuxValue: UInt8) {
            switch linuxValue {
            case 1: self = .established
            case 4: self = .finWait1
            case 5: self = .finWait2
            case 8: self = .closeWait
            case 9, 11: self = .awaitingLastACK
            default: self = .closed
            }
        }
    }

    public var state: State
    /// Segments received and sent so far (`tcpi_segs_in`, `tcpi_segs_out`).
    public var segmentsIn: Int
    public var segmentsOut: Int
    /// Segments the server sent again (`tcpi_total_retrans`); already in `segmentsOut`.
    public var retransmittedSegments: Int
    /// The options the handshake agreed on (`tcpi_options`): timestamps (RFC 7323 §3), SACK
    /// (RFC 2018) and window scaling (RFC 7323 §2).
    public var timestamps: Bool
    public var selectiveAcknowledgments: Bool
    public var windowScaling: Bool
    /// Whether the connection ran over IPv6 (a 40-byte IP header) rather than IPv4 (20 bytes).
    public var ipv6: Bool

    public init(
        state: State, segmentsIn: Int, segmentsOut: Int, retransmittedSegments: Int = 0, timestamps: Bool = true,
        selectiveAcknowledgments: Bool = true, windowScaling: Bool = true, ipv6: Bool = false
    ) {
        self.state = state
        self.segmentsIn = segmentsIn
        self.segmentsOut = segmentsOut
        self.retransmittedSegments = retransmittedSegments
        self.timestamps = timestamps
        self.selectiveAcknowledgments = selectiveAcknowledgments
        self.windowScaling = windowScaling
        self.ipv6 = ipv6
    }
}
