import BenchCore
import Testing

/// The header arithmetic against figures worked out by hand from the RFCs' header layouts.
@Suite("TCP/IP header estimate")
struct TCPHeaderModelTests {
    @Test("header sizes: IPv4 20 B (RFC 791), IPv6 40 B (RFC 8200), TCP 20 B plus options (RFC 9293 §3.1)")
    func headerSizes() {
        #expect(TCPHeaderModel.ipHeaderBytes(ipv6: false) == 20)
        #expect(TCPHeaderModel.ipHeaderBytes(ipv6: true) == 40)
        // Timestamps: kind 8, length 10 (RFC 7323 §3.2), behind two NOPs = 12 B.
        #expect(TCPHeaderModel.tcpHeaderBytes(timestamps: true) == 32)
        #expect(TCPHeaderModel.tcpHeaderBytes(timestamps: false) == 20)
        // SYN: MSS 4 (kind 2, length 4) + SACK-permitted 2 (kind 4, length 2) + timestamps 10
        // + NOP + window scale 3 (kind 3, length 3) = 20 B of options, 40 B of TCP header.
        #expect(TCPHeaderModel.synTCPHeaderBytes(timestamps: true, selectiveAcknowledgments: true, windowScaling: true) == 40)
        // No timestamps: MSS 4 + NOP NOP SACK-permitted 4 + NOP window scale 4 = 12 B.
        #expect(TCPHeaderModel.synTCPHeaderBytes(timestamps: false, selectiveAcknowledgments: true, windowScaling: true) == 32)
        // Only the MSS.
        #expect(TCPHeaderModel.synTCPHeaderBytes(timestamps: false, selectiveAcknowledgments: false, windowScaling: false) == 24)
    }

    @Test("a connection the client closed: TCP_INFO read in close-wait, 5 segments in and 2 out, becomes 6 and 4, 536 header bytes")
    func clientClosed() {
        // In: SYN, handshake ACK, request, ACK of the response, FIN (counted), the last ACK (after).
        // Out: the SYN-ACK (never counted), ACK of the request, response (counted), FIN+ACK (after).
        let tally = TCPHeaderModel.estimate(TCPInfoSnapshot(state: .closeWait, segmentsIn: 5, segmentsOut: 2))
        #expect(tally.segmentsIn == 6)
        #expect(tally.segmentsOut == 4)
        #expect(tally.inferredSegments == 3)
        // IPv4 with timestamps: SYN and SYN-ACK 20 + 40 = 60 B, every other segment 20 + 32 = 52 B.
        #expect(tally.headerBytesIn == 60 + 5 * 52)  // 320
        #expect(tally.headerBytesOut == 60 + 3 * 52)  // 216
        #expect(tally.headerBytes == 536)
        #expect(tally.handshakeSegments == 3)
        #expect(tally.teardownSegments == 3)
        #expect(tally.connections == 1)
    }

    @Test("a per-request poll the server closed: TCP_INFO read while established, 3 in and 1 out, becomes 4 and 4, 432 header bytes")
    func serverClosed() {
        // In: SYN, ACK, request (counted), the client's FIN+ACK (after). Out: SYN-ACK, response
        // (carrying the request's ACK), FIN, the last ACK.
        let tally = TCPHeaderModel.estimate(TCPInfoSnapshot(state: .established, segmentsIn: 3, segmentsOut: 1, retransmittedSegments: 0))
        #expect(tally.segmentsIn == 4)
        #expect(tally.segmentsOut == 4)
        #expect(tally.inferredSegments == 4)
        // 8 segments: two 60-byte handshake segments and six of 52 bytes.
        #expect(tally.headerBytes == 2 * 60 + 6 * 52)
        #expect(tally.connectionSegments == 6)
    }

    @Test("a reset IPv6 connection without timestamps: no teardown, 72-byte SYNs and 60-byte segments")
    func resetIPv6() {
        let snapshot = TCPInfoSnapshot(
            state: .closed, segmentsIn: 3, segmentsOut: 4, retransmittedSegments: 2, timestamps: false, ipv6: true)
        let tally = TCPHeaderModel.estimate(snapshot)
        #expect(tally.segmentsIn == 3)
        #expect(tally.segmentsOut == 5)
        #expect(tally.teardownSegments == 0)
        #expect(tally.retransmittedSegments == 2)
        // SYN: 40 (IPv6) + 20 + MSS 4 + NOP NOP SACK-permitted 4 + NOP window scale 4 = 72 B; others 40 + 20 = 60 B.
        #expect(tally.headerBytesIn == 72 + 2 * 60)
        #expect(tally.headerBytesOut == 72 + 4 * 60)
    }

    @Test("a connection that closed in fin-wait-2 had a four-segment teardown; tallies add field by field")
    func finWait2AndSum() {
        let first = TCPHeaderModel.estimate(TCPInfoSnapshot(state: .finWait2, segmentsIn: 4, segmentsOut: 2))
        #expect(first.teardownSegments == 4)
        #expect((first.segmentsIn, first.segmentsOut) == (5, 4))
        let second = TCPHeaderModel.estimate(TCPInfoSnapshot(state: .closeWait, segmentsIn: 5, segmentsOut: 2))
        let sum = first + second
        #expect(sum.connections == 2)
        #expect(sum.segments == 9 + 10)
        #expect(sum.connectionSegments == 6 + 7)
        #expect(sum.headerBytes == first.headerBytes + 536)
    }
}
