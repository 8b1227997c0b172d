import BenchCore

extension MarkdownReport {
    /// The TCP/IP table with its heading and how to read it, or nothing when no row read TCP_INFO.
    static func tcpSection(_ results: [RunResult]) -> String {
        let table = tcpTable(results)
        guard !table.isEmpty else { return "" }
        return """
            ### Below the TCP payload (TCP/IP, estimated)

            \(table)

            Estimates, not a capture: the server reads each connection's TCP_INFO (Linux's segment \
            and retransmission counters) just before the socket closes, adds what it cannot show \
            from TCP's rules (the SYN-ACK, and the FIN exchange's last segments: 3 segments to \
            open a connection, 3 to close it) and prices every segment at Linux's header sizes: \
            20 B IPv4 + 20 B TCP + 12 B timestamps option (52 B), the SYN and SYN-ACK 60 B with \
            their options. **Segments** count pure ACKs and retransmissions; **Open + close** is \
            the handshakes' and teardowns' share, what a connection per request pays each time. \
            **Wire + headers / event** adds them to the TCP payload bytes per delivered event. \
            On loopback there is no link layer (tshark shows each `lo` frame with a 14-byte \
            Ethernet header of zeros that no wire carried; the byte-accounting check takes it off \
            and finds these figures); over Ethernet each segment adds 38 B more on the wire (14 B \
            header, 4 B check sequence, 8 B preamble, 12 B gap), not counted here.

            """
    }

    /// One row per result that read TCP_INFO: segments each way, retransmissions, handshake and
    /// teardown segments, and the estimated IP and TCP header bytes in all and per event.
    public static func tcpTable(_ results: [RunResult]) -> String {
        let rows = results.filter { $0.tcp != nil }
        guard !rows.isEmpty else { return "" }
        let header = [
            "Transport", "Variant, HTTP, encoding", "TCP conns (read / all)", "Segments up", "Segments down", "Retransmitted",
            "Open + close segments", "IP+TCP headers (B)", "Headers / event (B)", "Wire + headers / event (B)", "Headers share (%)",
        ]
        var table = [header]
        for result in rows {
            let tcp = result.tcp ?? TCPTally()
            let wire = result.bytesUp + result.bytesDown
            let perEvent = result.tcpHeaderBytesPerEvent
            table.append([
                result.displayName, result.variantLabel(layers: true), "\(tcp.connections) / \(result.connections)",
                "\(tcp.segmentsIn)", "\(tcp.segmentsOut)", "\(tcp.retransmittedSegments)",
                "\(tcp.connectionSegments)", "\(tcp.headerBytes)",
                perEvent.map { Format.decimal($0, places: 1) } ?? "–",
                perEvent.map { Format.decimal($0 + result.bytesPerDeliveredEvent, places: 1) } ?? "–",
                wire + tcp.headerBytes == 0 ? "–" : Format.percent(Double(tcp.headerBytes) / Double(wire + tcp.headerBytes)),
            ])
        }
        return render(table, rightAligned: Set(2..<header.count))
    }
}
