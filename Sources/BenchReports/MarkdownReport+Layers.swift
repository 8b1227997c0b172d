import BenchCore

/// The layered transports' section: how much of each one's overhead is its own framing (STOMP's
/// frame lines, gRPC-Web's prefixes and trailer frame, NDJSON's newlines) and how much its
/// carrier's (WebSocket frames, HTTP chunks or HTTP/2 frames, heads, heartbeats).
extension MarkdownReport {
    /// The layer table with its heading and how to read it, or nothing when no row is layered.
    static func layerSection(_ results: [RunResult]) -> String {
        let table = layerTable(results)
        guard !table.isEmpty else { return "" }
        return """
            ### Layered protocols

            \(table)

            STOMP runs on WebSocket, and gRPC-Web and NDJSON streaming on an HTTP response: each \
            adds framing of its own inside its carrier's. The server counts the layer's bytes as it \
            writes and parses them: **Layer framing** is STOMP's command, header lines, blank line \
            and NUL (both ways: CONNECT, SUBSCRIBE and ACKs go up), gRPC-Web's 5-byte message \
            prefixes and its trailer frame (with `-text`, their base64), NDJSON's newline on each \
            line and its gap lines; a layer's own heartbeats (STOMP's EOL, NDJSON's empty line) \
            are its framing too. **Carrier** is the rest of the overhead after one-time \
            handshakes: WebSocket frame headers, HTTP chunk lines or HTTP/2 frame headers, response \
            heads, and base64 inflation of the bodies. Set beside the bare WebSocket \
            and gRPC rows above, the layer column is what choosing the layer costs per event.

            """
    }

    /// One row per layered result: its framing and its carrier's, per delivered event.
    static func layerTable(_ results: [RunResult]) -> String {
        let layered = results.filter { $0.layerFramingBytes != nil && !$0.isHostShare }
        guard !layered.isEmpty else { return "" }
        let header = [
            "Transport", "Variant", "HTTP", "Layer framing (B)", "Layer framing / event (B)",
            "Carrier / event excl. handshakes (B)", "Overhead / event excl. handshakes (B)",
        ]
        var rows = [header]
        for result in layered {
            let layer = Double(result.layerFramingBytes ?? 0)
            let perEvent = result.eventsDelivered == 0 ? 0 : layer / Double(result.eventsDelivered)
            rows.append([
                result.displayName, result.variant, "HTTP/\(result.httpVersion)", "\(result.layerFramingBytes ?? 0)",
                Format.decimal(perEvent, places: 1), Format.decimal(result.perEventOverheadBytes - perEvent, places: 1),
                Format.decimal(result.perEventOverheadBytes, places: 1),
            ])
        }
        return render(rows, rightAligned: Set(3..<header.count))
    }
}
