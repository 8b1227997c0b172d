import BenchCore

/// The report's tables: results, costs, HTTP/2 frames, and the lines that flag a bad run.
extension MarkdownReport {
    /// The full results table, as `report.md` has it (`bench` prints ``TerminalTable``'s).
    public static func table(_ results: [RunResult]) -> String {
        let header = [
            "Transport", "Variant, HTTP, encoding", "Delivered / expected", "Lost", "Dup", "Requests", "Empty responses", "TCP conns",
            "Up (B)", "Down (B)", "Payload (B)", "Overhead (B)", "Overhead (%)", "Wire B / event",
            "p50 (ms)", "p90 (ms)", "p99 (ms)", "max (ms)", "Model p50 (ms)",
        ]
        var rows = [header]
        for result in results {
            // A host's share of a multi-host run: the server's counts are the whole run's.
            let perEvent = { (text: String) in result.isHostShare ? "–" : text }
            rows.append([
                result.displayName,
                result.variantLabel(),
                "\(result.eventsDelivered) / \(result.deliveriesExpected)",
                result.eventsLost == 0 ? "0" : "**\(result.eventsLost)**",
                "\(result.eventsDuplicated)",
                "\(result.requests)", "\(result.emptyResponses)", "\(result.connections)",
                "\(result.bytesUp)", "\(result.bytesDown)", "\(result.payloadBytes)", perEvent("\(result.overheadBytes)"),
                perEvent(Format.percent(result.overheadRatio)), perEvent(Format.decimal(result.bytesPerDeliveredEvent, places: 1)),
                Format.milliseconds(result.latencyP50Nanoseconds), Format.milliseconds(result.latencyP90Nanoseconds),
                Format.milliseconds(result.latencyP99Nanoseconds), Format.milliseconds(result.latencyMaxNanoseconds),
                result.modelLatencyP50Nanoseconds.map { Format.milliseconds($0) } ?? "–",
            ])
        }
        return render(rows, rightAligned: Set(2..<header.count))
    }

    /// The second table: one-time costs, per-event overhead, heartbeats and uncorrected latency.
    public static func costTable(_ results: [RunResult]) -> String {
        let header = [
            "Transport", "Variant", "HTTP", "Direction", "Handshake up (B)", "Handshake down (B)", "Overhead / event excl. handshakes (B)",
            "Overhead / request (B)", "Base64 inflation (B)", "Heartbeats", "Heartbeats / idle conn-hour (B, model)", "Dropped by server", "Reconnects",
            "Deadlines / cancelled calls", "Latency from", "Uncorrected p50 (ms)", "Uncorrected p99 (ms)",
            "CPU user / system (s)", "CPU / event (µs)", "Peak RSS (MiB)", "Server CPU / event (µs)", "Server peak RSS (MiB)",
        ]
        var rows = [header]
        for result in results {
            let uncorrected = result.direction != Direction.push.rawValue
            let perEvent = { (text: String) in result.isHostShare ? "–" : text }
            rows.append([
                result.displayName, result.variant, "HTTP/\(result.httpVersion)", result.direction,
                "\(result.handshakeBytesUp)", "\(result.handshakeBytesDown)", perEvent(Format.decimal(result.perEventOverheadBytes, places: 1)),
                Self.exchangesEvents(result) ? perEvent(Format.decimal(result.overheadPerRequestBytes, places: 1)) : "–", "\(result.base64InflationBytes)", "\(result.heartbeats)", result.heartbeatBytesPerIdleConnectionHour == 0 ? "–" : Format.decimal(result.heartbeatBytesPerIdleConnectionHour, places: 0),
                "\(result.connectionsDropped)", "\(result.reconnects)",
                result.deadlinesExceeded + result.callsCancelled == 0 ? "–" : "\(result.deadlinesExceeded) / \(result.callsCancelled)", result.latencyReference,
                uncorrected ? Format.milliseconds(result.uncorrectedLatencyP50Nanoseconds) : "–",
                uncorrected ? Format.milliseconds(result.uncorrectedLatencyP99Nanoseconds) : "–",
                result.processUserCPUSeconds.map { user in "\(Format.decimal(user, places: 2)) / \(Format.decimal(result.processSystemCPUSeconds ?? 0, places: 2))" } ?? "–",
                result.processCPUMicrosecondsPerDeliveredEvent.map { Format.decimal($0, places: 1) } ?? "–",
                result.processPeakResidentBytes.map { Format.decimal(Double($0) / 1_048_576, places: 1) } ?? "–",
                result.serverCPUMicrosecondsPerDeliveredEvent.map { Format.decimal($0, places: 1) } ?? "–",
                result.serverPeakResidentBytes.map { Format.decimal(Double($0) / 1_048_576, places: 1) } ?? "–",
            ])
        }
        return render(rows, rightAligned: Set([4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21]))
    }

    /// HTTP/2 rows frame by frame: where each byte went, and what HPACK did to the headers.
    /// Empty when no row spoke HTTP/2.
    public static func http2Table(_ results: [RunResult]) -> String {
        let rowsWithFrames = results.compactMap { result in result.http2.map { (result, $0) } }
        guard let first = rowsWithFrames.first?.1 else { return "" }
        let header = ["Transport", "Variant"] + first.categories.map { "\($0.name) (B)" }
            + ["Header blocks, HPACK (B)", "Header fields uncompressed (B)", "HPACK saving (%)", "Header block / stream (B)", "Streams"]
        var rows = [header]
        for (result, frames) in rowsWithFrames {
            rows.append(
                [result.displayName, result.variant]
                    + frames.categories.map { "\($0.bytes.total)" }
                    + [
                        "\(frames.headerBlocks.total)", "\(frames.headerFields.total)", Format.percent(frames.headerSpaceSavings),
                        frames.streams == 0 ? "–" : Format.decimal(Double(frames.headerBlocks.total) / Double(frames.streams), places: 1),
                        "\(frames.streams)",
                    ]
            )
        }
        return render(rows, rightAligned: Set(2..<header.count))
    }

    /// Compression rows: what the layer did to the wire and what it cost. Empty when no row had
    /// compression on.
    public static func compressionTable(_ results: [RunResult]) -> String {
        let rows = results.filter(\.compressionOn)
        guard !rows.isEmpty else { return "" }
        let header = [
            "Transport", "Variant, HTTP, encoding", "Content", "Wire (B)", "If uncompressed (B)", "Bodies plain (B)", "Bodies compressed (B)",
            "Ratio (%)", "Sent plain (under threshold)", "Compress CPU / event (µs)", "Decompress CPU / event (µs)",
        ]
        var table = [header]
        for result in rows {
            let micro = { (nanoseconds: Double?) in nanoseconds.map { Format.decimal($0 / 1000, places: 2) } ?? "–" }
            table.append([
                result.displayName, result.variantLabel(layers: false), result.payloadContent ?? "random",
                "\(result.bytesUp + result.bytesDown)", result.bytesIfUncompressed.map { "\($0)" } ?? "–",
                result.compressionPlainBytes.map { "\($0)" } ?? "0", result.compressionCompressedBytes.map { "\($0)" } ?? "0",
                result.compressionRatio.map { Format.percent($0) } ?? "–", "\(result.messagesSentUncompressed)",
                micro(result.compressCPUNanosecondsPerEvent), micro(result.decompressCPUNanosecondsPerEvent),
            ])
        }
        return render(table, rightAligned: Set(3..<header.count))
    }

    /// TLS rows: the layer's bytes apart from the rest. Empty when no row ran over TLS.
    public static func tlsTable(_ results: [RunResult]) -> String {
        let rows = results.filter(\.isTLS)
        guard !rows.isEmpty else { return "" }
        let header = [
            "Transport", "Variant, HTTP, encoding", "TLS", "Wire (B)", "Handshakes", "Handshake (B)", "Handshake / conn (B)",
            "Records", "Record overhead (B)", "Overhead / record (B)", "Alerts (B)", "Above TLS (B)", "TLS share of wire (%)",
            "TLS / event (B)", "Failed / timed-out handshakes",
        ]
        var table = [header]
        for result in rows {
            let tls = result.serverTLS ?? TLSTally()
            let wire = result.bytesUp + result.bytesDown
            table.append([
                result.displayName, result.variantLabel(layers: false), result.tls ?? "–",
                "\(wire)", "\(tls.handshakes)", "\(tls.handshakeBytes)",
                result.tlsHandshakeBytesPerConnection.map { Format.decimal($0, places: 1) } ?? "–",
                "\(tls.applicationRecords)", "\(tls.recordOverheadBytes)",
                result.tlsRecordOverheadBytesPerRecord.map { Format.decimal($0, places: 2) } ?? "–",
                "\(tls.alertBytes)", "\(result.overheadBytes - result.tlsLayerBytes)",
                wire == 0 ? "–" : Format.percent(Double(result.tlsLayerBytes) / Double(wire)),
                result.eventsDelivered == 0 ? "–" : Format.decimal(Double(result.tlsLayerBytes) / Double(result.eventsDelivered), places: 1),
                "\(tls.handshakeFailures) / \(tls.handshakeTimeouts)",
            ])
        }
        return render(table, rightAligned: Set(3..<header.count))
    }

    /// Rows with handshake checks (`--auth`, `--allowed-origin`) or refusals: what was refused
    /// and what presenting and verifying tokens cost per delivered event. Empty when no row had
    /// either.
    public static func securityTable(_ results: [RunResult]) -> String {
        let rows = results.filter { ($0.security ?? "none") != "none" || ($0.refusedRequests ?? 0) > 0 }
        guard !rows.isEmpty else { return "" }
        let header = [
            "Transport", "Variant, HTTP, encoding", "Checks", "Requests", "Refused", "Tokens verified", "Token bytes (B)",
            "Token bytes / event (B)", "Verify CPU / event (µs)",
        ]
        var table = [header]
        for result in rows {
            table.append([
                result.displayName, result.variantLabel(layers: false), result.security ?? "none",
                "\(result.requests)", "\(result.refusedRequests ?? 0)", result.tokensVerified.map { "\($0)" } ?? "–",
                result.authenticationBytes.map { "\($0)" } ?? "–", result.authenticationBytesPerEvent.map { Format.decimal($0, places: 2) } ?? "–",
                result.verifyCPUNanosecondsPerEvent.map { Format.decimal($0 / 1000, places: 3) } ?? "–",
            ])
        }
        return render(table, rightAligned: Set(3..<header.count))
    }

    /// Whether each request fetches events (polling, gRPC's unary poll), so overhead per request
    /// means something; a stream's one request carries the whole run.
    static func exchangesEvents(_ result: RunResult) -> Bool {
        result.delivery?.requestsCarryEvents ?? false
    }

    /// Loud lines for anything lost, announced as a gap, or failed; empty when the run was clean.
    public static func problems(_ results: [RunResult]) -> [String] {
        var lines: [String] = []
        for result in results {
            let name = "\(result.transport) (\(result.variant), \(result.encoding))"
            if result.eventsLost > 0 {
                let cause = result.lossIsTheDeployments ? " (what this deployment measures: without a backplane only node 1 has the events)" : ""
                lines.append("**\(name): \(result.eventsLost) of \(result.deliveriesExpected) deliveries LOST\(cause).** Missing sequences: " + result.lostSequences.joined(separator: "; "))
            }
            for line in backplaneProblems(result) { lines.append("**\(name): \(line)**") }
            if !result.announcedGaps.isEmpty {
                lines.append("\(name): the server announced gaps (clients fell behind the retention window): " + result.announcedGaps.joined(separator: "; "))
            }
            if !result.ledgerAddsUp {
                lines.append("**\(name): the byte ledger does not add up** (payload \(result.payloadBytes) B exceeds wire \(result.bytesUp + result.bytesDown) B).")
            }
            if !result.clientErrors.isEmpty {
                let context = result.connectionsDropped > 0
                    ? " (expected: the server dropped \(result.connectionsDropped) connections on purpose; clients reconnected \(result.reconnects) times)"
                    : result.scaleOut?.nodeKilledAtSeconds.map {
                        " (expected: node \(result.scaleOut!.settings.nodes) was killed at \(Format.decimal($0, places: 2)) s; clients reconnected \(result.reconnects) times)"
                    } ?? ""
                lines.append("\(name): client connection errors\(context): " + result.clientErrors.prefix(3).joined(separator: "; "))
            }
        }
        return lines
    }


    /// A Markdown table with padded columns; `rightAligned` holds the indices of numeric columns.
    static func render(_ rows: [[String]], rightAligned: Set<Int>) -> String {
        guard let header = rows.first else { return "" }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }.map { Swift.max($0, 3) }
        func line(_ cells: [String]) -> String {
            "| " + cells.enumerated().map { index, cell in
                let padding = String(repeating: " ", count: widths[index] - cell.count)
                return rightAligned.contains(index) ? padding + cell : cell + padding
            }.joined(separator: " | ") + " |"
        }
        let rule = "|" + widths.enumerated().map { index, width in
            rightAligned.contains(index) ? " " + String(repeating: "-", count: width - 1) + ": " : " " + String(repeating: "-", count: width) + " "
        }.joined(separator: "|") + "|"
        return ([line(header), rule] + rows.dropFirst().map(line)).joined(separator: "\n")
    }
}
