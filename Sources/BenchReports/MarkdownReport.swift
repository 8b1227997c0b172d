import BenchCore

/// `report.md`: the results table ready to paste into docs, then the scenario, the environment
/// and how the numbers were measured.
public enum MarkdownReport {
    /// The results table alone (also what `bench` prints).
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
                "\(result.variant), HTTP/\(result.httpVersion), \(result.encoding)",
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
                lines.append("**\(name): \(result.eventsLost) of \(result.deliveriesExpected) deliveries LOST.** Missing sequences: " + result.lostSequences.joined(separator: "; "))
            }
            if !result.announcedGaps.isEmpty {
                lines.append("\(name): the server announced gaps (clients fell behind the retention window): " + result.announcedGaps.joined(separator: "; "))
            }
            if result.overheadBytes < 0 {
                lines.append("**\(name): the byte ledger does not add up** (payload \(result.payloadBytes) B exceeds wire \(result.bytesUp + result.bytesDown) B).")
            }
            if !result.clientErrors.isEmpty {
                let context = result.connectionsDropped > 0
                    ? " (expected: the server dropped \(result.connectionsDropped) connections on purpose; clients reconnected \(result.reconnects) times)"
                    : ""
                lines.append("\(name): client connection errors\(context): " + result.clientErrors.prefix(3).joined(separator: "; "))
            }
        }
        return lines
    }

    /// The HTTP/2 table with its heading and how to read it, or nothing.
    static func http2Section(_ results: [RunResult]) -> String {
        let table = http2Table(results)
        guard !table.isEmpty else { return "" }
        return """
            ### HTTP/2 frames

            \(table)

            Read frame by frame from the counted bytes (RFC 9113 §4.1), both directions; the columns \
            add up to Up + Down. Header blocks are the HEADERS and CONTINUATION payloads as sent, \
            HPACK-compressed (RFC 7541); "uncompressed" is the same header fields' name and value \
            lengths, decoded from those blocks, as h2load's "space savings" counts them. gRPC's \
            5-byte message prefix (compressed flag, 4-byte length) is taken out of the DATA payload.

            """
    }

    public static func render(_ document: ResultsDocument) -> String {
        let scenario = document.scenario
        let environment = document.environment
        var text = """
            # TransportBench report

            \(scenario.clients) clients, \(Format.decimal(scenario.eventsPerSecond, places: 1)) events/s (\(scenario.arrival.rawValue)) \
            for \(Format.decimal(scenario.durationSeconds, places: 1)) s, \(scenario.payloadBytes)-byte payloads, \
            \(scenario.encoding.rawValue), \(scenario.direction.rawValue), `\(scenario.headers.name)` headers; \
            one in-process loopback server\(scenario.link.map { " behind an emulated link (\($0.summary))" } ?? ""); generated by `\(document.command)`.

            ## Results

            \(table(document.results))

            """
        let problems = problems(document.results)
        if problems.isEmpty {
            text += "\nEvery client received every event exactly once; the byte ledger adds up.\n"
        } else {
            text += "\n" + problems.map { "- " + $0 }.joined(separator: "\n") + "\n"
        }
        for chart in SVGCharts.charts(for: document.results) {
            text += "\n![\(chart.title)](\(chart.fileName))\n"
        }
        text += """

            ### One-time and per-event costs

            \(costTable(document.results))

            \(http2Section(document.results))
            ## How to read these tables

            - **Up / Down**: TCP payload bytes client → server and server → client, counted at the \
            server's sockets by a handler placed before the HTTP codec (IP and TCP headers are not included).
            - **Payload**: the encoded event bodies the workload required, once per client per event \
            (`{"payload":…,"publishedAt":…,"sequence":…}` in JSON, `transportbench.Event` in protobuf). **Overhead** is everything else on the \
            wire: request and response heads, batch framing, empty polls, handshakes.
            - **Requests** (HTTP requests, WebSocket upgrade requests included), **Empty responses** and \
            **TCP conns** are counted by the server. TCP's own handshake and teardown carry no payload and \
            are not in these byte counts.
            - **HTTP**: polling and SSE run over HTTP/1.1 or HTTP/2 (cleartext, prior knowledge: \
            each request is a stream of one connection, headers HPACK-compressed); WebSocket upgrades \
            from HTTP/1.1; gRPC is HTTP/2. For gRPC a request is an RPC (one HTTP/2 stream), and \
            **Overhead / request** is what each poll costs beyond its payload: heads or HEADERS \
            frames, framing, empty batches (shown for polling and gRPC's unary poll; a stream's one \
            request carries the whole run, and results.csv keeps the raw figure).
            - **Deadlines / cancelled calls** (gRPC): calls that reached their deadline or that the \
            client cancelled; the client opened a new call from its cursor each time, so neither is loss.
            - **Base64 inflation**: SSE carries text only, so a binary (protobuf) body travels as base64, \
            a third larger; those extra bytes are part of the overhead.
            - **Handshake** is the WebSocket upgrade request and its `101` response, paid once per \
            connection; **Overhead / event** leaves it out, to show the steady per-event cost.
            - **Dropped by server** counts connections closed on purpose by fault injection; clients \
            reconnect with exponential backoff and full jitter and resume after the last event they \
            have (polling's cursor, SSE's `Last-Event-ID`, WebSocket's `after`), so nothing is lost \
            while the gap stays inside the server's retention window.
            - **Heartbeats / idle conn-hour** is a model: one heartbeat's framing per its RFC (an SSE \
            comment in its chunk, a WebSocket ping and its masked pong) times the heartbeats an idle \
            connection sends in an hour at the configured interval; the count of heartbeats is measured.
            - **Latency** runs from the moment the server published an event to the moment the client \
            decoded it, on one monotonic clock (one process, no clock skew); HdrHistogram, 3 significant digits. \
            On loopback it is mostly the harness's own work at both ends (waking the server's \
            task, the hops to and from NIO's event loops, waking the client's task, decoding), and \
            with many clients on few cores each event also waits for the clients served before it. \
            For echo and upload it runs from the *scheduled* send time (corrected for coordinated omission, \
            as wrk2 does), with the figure from the actual send time beside it.
            - Long polling's empty responses are usually the held polls the server answers when the run \
            ends (one per client still waiting); short polling's are polls that found nothing new.
            - **CPU** and **Peak RSS** are this process's — in-process, the server *and* every client \
            (getrusage over the run; the resident peak from VmHWM, reset at the run's start). They \
            bound what the server costs rather than isolate it; `bench claims`' memory cases run the \
            server as a process of its own for its figures alone.
            - **Model p50** is what the protocol's own waits predict, with nothing else counted \
            (one-way delay d of the emulated link, 0 on loopback; poll interval I): push streams d, \
            short polling I/2 + d, long polling d while a poll is waiting at the server and up to a \
            round trip more for events published while the next poll travels, echo 2d; plus each \
            event's serialization at the link's bandwidth. results.json names the formula per row \
            (`latencyModel`). The measurement's excess over the model is the harness's and the \
            stack's own work and queueing.
            - Short polling latency is bounded by the poll interval (\(Format.decimal(scenario.pollIntervalSeconds, places: 3)) s); \
            long polling holds each request up to \(Format.decimal(scenario.longPollTimeoutSeconds, places: 1)) s.
            \([linkNote(scenario), remoteNote(document.results), timeScaleNote(scenario)].filter { !$0.isEmpty }.joined(separator: "\n"))

            ## Scenario

            \(render(scenarioRows(scenario), rightAligned: []))

            ## Environment

            \(environmentTable(environment))

            """
        return text
    }

    /// With a server elsewhere (`bench run --target`), shared by several hosts, or merged.
    static func remoteNote(_ results: [RunResult]) -> String {
        var lines: [String] = []
        if let remote = results.first(where: { $0.target != nil }), let target = remote.target {
            let clock = remote.clock.map { clock in
                Format.clock(clock) + (clock.uncertaintyNanoseconds == 0 ? "" : " (± half the fastest control round trip, which bounds the latency columns' error)")
            } ?? "unknown"
            lines.append(
                "- **Remote server** (`bench run --target \(target)`): each run had a server of its own in that `bench serve` process; the byte, request and connection counts are its WireMeter's, returned over its control API once every connection had closed, and **Server CPU / event** and **Server peak RSS** are that process's own. Latency runs from the server's publish (its clock) to the client's decoding (this host's clock); clocks: \(clock)."
            )
        }
        if let share = results.first(where: \.isHostShare), let hosts = share.hosts {
            lines.append(
                "- **One host of \(hosts)** (run `\(share.runID ?? "?")`): the byte, request and connection counts are the server's for the whole run, while deliveries, payload and latency are this host's clients', so the columns dividing one by the other show –. `bench merge` of every host's results.json gives the run's figures."
            )
        }
        if let merged = results.compactMap(\.mergedResults).max() {
            lines.append(
                "- **Merged** by `bench merge` from \(merged) results per row: clients, deliveries, payload and losses summed over hosts; each run's server counts once (hosts of one run report the same counts, and merge checks that they do); latency percentiles from the hosts' HdrHistograms (results.json `latencyHistogram`) added bucket by bucket, so they are exact to the histogram's 3 digits, not averages of percentiles."
            )
        }
        return lines.joined(separator: "\n")
    }

    /// With an emulated link: what it does and does not model.
    static func linkNote(_ scenario: Scenario) -> String {
        guard let link = scenario.link else { return "" }
        return """
            - **Emulated link** (\(link.summary)): every connection's bytes are held in-process at the \
            server's socket end, behind the byte counter — a one-way delay each way (jitter varies it per \
            chunk, keeping bytes in order) and, with a bandwidth, each chunk's serialization time; a new \
            connection's first bytes wait one round trip for TCP's handshake. Bandwidth is per \
            connection (each client its own access link). Not modeled: loss, congestion control, and \
            the backpressure a slow link puts on the sender. `scripts/link-check.sh` compares it with \
            the kernel's netem/tbf.
            """
    }

    /// At a time scale other than 1: what was scaled and what the latency columns mean.
    static func timeScaleNote(_ scenario: Scenario) -> String {
        guard scenario.timeScale != 1 else { return "" }
        let wall = scenario.wallClock
        return """
            - **Time scale \(Format.decimal(scenario.timeScale, places: 3))**: the run went that many times faster than the \
            workload above describes (\(Format.decimal(wall.durationSeconds, places: 3)) s of publishing at \
            \(Format.decimal(wall.eventsPerSecond, places: 3)) events/s, polls every \(Format.decimal(wall.pollIntervalSeconds, places: 4)) s). \
            Bytes, requests and connections are the modeled workload's; latencies are wall-clock as measured — \
            multiply by the scale only where an interval sets them (short polling's wait for the next poll).
            """
    }

    static func scenarioRows(_ scenario: Scenario) -> [[String]] {
        [
            ["Setting", "Value"],
            ["Clients", "\(scenario.clients)"],
            ["Event rate", "\(Format.decimal(scenario.eventsPerSecond, places: 3)) events/s, \(scenario.arrival.rawValue) arrivals"],
            ["Events", "\(scenario.eventCount) over \(Format.decimal(scenario.durationSeconds, places: 3)) s"],
            ["Payload", "\(scenario.payloadBytes) bytes, \(scenario.encoding.rawValue)"],
            ["Header profile", scenario.headers.summary],
            ["Direction", scenario.direction.rawValue],
            ["Poll interval (short polling)", "\(Format.decimal(scenario.pollIntervalSeconds, places: 3)) s"],
            ["Hold timeout (long polling)", "\(Format.decimal(scenario.longPollTimeoutSeconds, places: 3)) s"],
            ["Polling connections", scenario.connectionMode.rawValue],
            ["Heartbeat interval (SSE, WebSocket)", scenario.heartbeatIntervalSeconds.map { "\(Format.decimal($0, places: 3)) s" } ?? "none"],
            ["Retained events", "\(scenario.retainedEvents)"],
            ["Fault injection", scenario.dropFraction == 0 ? "none" : "drop \(Format.percent(scenario.dropFraction))% of open connections every \(Format.decimal(scenario.dropIntervalSeconds, places: 3)) s (\(scenario.dropTiming == .fixed ? "periodic" : "Poisson"))"],
            ["Seed", "\(scenario.seed)"],
            ["Time scale", "\(Format.decimal(scenario.timeScale, places: 3))"],
            ["Link", scenario.link?.summary ?? "loopback, nothing emulated"],
        ]
    }

    /// The environment as a table, for every report that states where it was measured.
    public static func environmentTable(_ environment: EnvironmentInfo) -> String {
        render(environmentRows(environment), rightAligned: [])
    }

    static func environmentRows(_ environment: EnvironmentInfo) -> [[String]] {
        [
            ["Item", "Value"],
            ["CPU", environment.cpuModel],
            ["Cores", "\(environment.cores)"],
            ["OS", environment.operatingSystem],
            ["Kernel", environment.kernel],
            ["Swift", environment.swiftVersion],
            ["Build", environment.buildConfiguration],
            ["Git commit", environment.gitCommit + (environment.gitDirty ? " (with uncommitted changes)" : "")],
            ["Date", environment.date],
        ]
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
