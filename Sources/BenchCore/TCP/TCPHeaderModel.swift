/// Works out, from one connection's ``TCPInfoSnapshot``, the segments of its whole life and the
/// IP and TCP header bytes they took: an estimate from TCP's rules and Linux's header sizes, not
/// a capture.
///
/// **Segments TCP_INFO does not show.** The snapshot is read just before the socket closes, so
/// what follows is worked out from the state it was in (RFC 9293 §3.6, and Linux's habit of
/// letting the ACK of a FIN ride on its own FIN when the application closes at once):
///
/// | state at the read | after it, in | after it, out | teardown segments |
/// |---|---|---|---|
/// | established (the server closes first) | the peer's FIN+ACK | the server's FIN, its last ACK | 3 |
/// | close-wait (the peer's FIN is counted) | the peer's last ACK | the server's FIN+ACK | 3 |
/// | fin-wait-1 (the server's FIN is counted) | the peer's FIN+ACK | the last ACK | 3 |
/// | fin-wait-2 (FIN and its ACK are counted) | the peer's FIN | the last ACK | 4 |
/// | closing or last-ack | the last ACK | — | 3 |
/// | closed (a reset) | — | — | 0 |
///
/// The handshake is 3 segments (SYN, SYN-ACK, ACK; RFC 9293 §3.5): Linux counts the SYN and the
/// ACK in the accepted socket's `segmentsIn`, and not its SYN-ACK, which is added here.
///
/// **Header sizes.** An IPv4 header without options is 20 B (RFC 791), IPv6's fixed header 40 B
/// (RFC 8200); a TCP header 20 B plus options (RFC 9293 §3.1). With timestamps (RFC 7323 §3),
/// which Linux turns on by default, every segment after the handshake carries them in 12 B (two
/// NOPs and the 10-byte option): 52 B a segment over IPv4. A SYN and a SYN-ACK carry the MSS
/// (4 B, RFC 9293 §3.7.1), SACK-permitted (2 B, RFC 2018) packed with the timestamps into 12 B,
/// and the window scale (3 B, RFC 7323 §2.2) behind a NOP: 20 B of options, 60 B with IPv4.
/// Left out: SACK blocks on ACKs after a loss (2 + 8 B per block, RFC 2018 §3) and a teardown
/// ACK a delayed-ACK timer sends on its own; link-layer framing (Ethernet's 14 B header and 4 B
/// check sequence) is below all this.
///
/// Worked by hand for one IPv4 connection whose client closed first: TCP_INFO read in
/// close-wait with 5 segments in (SYN, ACK, the request, the ACK of the response, FIN) and 2 out
/// (the ACK of the request, the response) gives 6 in and 4 out, and `60 + 5 × 52 = 320` header
/// bytes in and `60 + 3 × 52 = 216` out.
public enum TCPHeaderModel {
    /// The IP header of every segment: 20 B for IPv4, 40 B for IPv6.
    public static func ipHeaderBytes(ipv6: Bool) -> Int { ipv6 ? 40 : 20 }

    /// The TCP header of a segment after the handshake: 20 B, and 12 B of timestamps when the
    /// connection agreed on them.
    public static func tcpHeaderBytes(timestamps: Bool) -> Int { 20 + (timestamps ? 12 : 0) }

    /// The TCP header of a SYN or SYN-ACK offering what the connection agreed on, padded the way
    /// Linux writes it (`tcp_options_write`).
    public static func synTCPHeaderBytes(timestamps: Bool, selectiveAcknowledgments: Bool, windowScaling: Bool) -> Int {
        let sackAndTimestamps = timestamps ? 12 : selectiveAcknowledgments ? 4 : 0
        return 20 + 4 + sackAndTimestamps + (windowScaling ? 4 : 0)
    }

    /// Segments still to come after a read in `state`, each way, and the teardown's segments in all.
    static func afterRead(_ state: TCPInfoSnapshot.State) -> (in: Int, out: Int, teardown: Int) {
        switch state {
        case .established: (1, 2, 3)
        case .closeWait: (1, 1, 3)
        case .finWait1: (1, 1, 3)
        case .finWait2: (1, 1, 4)
        case .awaitingLastACK: (1, 0, 3)
        case .closed: (0, 0, 0)
        }
    }

    /// The estimate for one connection's life.
    public static func estimate(_ snapshot: TCPInfoSnapshot) -> TCPTally {
        let after = afterRead(snapshot.state)
        let segmentsIn = snapshot.segmentsIn + after.in
        let segmentsOut = snapshot.segmentsOut + 1 + after.out  // + the SYN-ACK
        let ip = ipHeaderBytes(ipv6: snapshot.ipv6)
        let segment = ip + tcpHeaderBytes(timestamps: snapshot.timestamps)
        let syn =
            ip
            + synTCPHeaderBytes(
                timestamps: snapshot.timestamps, selectiveAcknowledgments: snapshot.selectiveAcknowledgments,
                windowScaling: snapshot.windowScaling)
        var tally = TCPTally()
        tally.connections = 1
        tally.segmentsIn = segmentsIn
        tally.segmentsOut = segmentsOut
        tally.inferredSegments = 1 + after.in + after.out
        tally.retransmittedSegments = snapshot.retransmittedSegments
        tally.handshakeSegments = 3
        tally.teardownSegments = after.teardown
        // The first segment each way is the SYN, or the SYN-ACK.
        tally.headerBytesIn = syn + (segmentsIn - 1) * segment
        tally.headerBytesOut = syn + (segmentsOut - 1) * segment
        return tally
    }
}
