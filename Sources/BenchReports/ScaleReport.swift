import BenchCore
import Foundation

/// `bench scale`'s report: the table it prints, and `scale.json` and `report.md`.
public struct ScaleReport {
    public var rows: [ScaleRow]
    public var command: String
    public var environment: EnvironmentInfo

    public init(rows: [ScaleRow], command: String, environment: EnvironmentInfo) {
        (self.rows, self.command, self.environment) = (rows, command, environment)
    }

    /// The figures, one row per transport (what `bench scale` prints).
    public var table: String {
        var lines = [
            "| Transport | Compression | TLS | Connections | Connect (s) | CPU / connection (µs) | Delivered / expected | Server RSS idle → connected (MiB) | RSS / connection (KiB) | RSS / connection after fan-out (KiB) | Peak RSS (MiB) | Fan-out (s) | Deliveries / s | Server CPU user / system (s) | CPU / delivery (µs) | p50 (ms) | p99 (ms) | max (ms) |",
            "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in rows {
            func mib(_ bytes: Int) -> String { Format.decimal(Double(bytes) / 1_048_576, places: 1) }
            let name = row.displayName
            let cells: [String] = [
                name, row.compression ?? "off", row.tls ?? "off", "\(row.connections)",
                row.connectSeconds.map { Format.decimal($0, places: 2) } ?? "–",
                row.serverCPUMicrosecondsPerConnection.map { Format.decimal($0, places: 1) } ?? "–",
                "\(row.deliveries) / \(row.deliveriesExpected)",
                mib(row.residentBytesIdle) + " → " + mib(row.residentBytesConnected),
                Format.decimal(row.residentBytesPerConnection / 1024, places: 1),
                row.residentBytesPerConnectionAfterFanOut.map { Format.decimal($0 / 1024, places: 1) } ?? "–", mib(row.peakResidentBytes),
                Format.decimal(row.fanOutSeconds, places: 3), Format.significant(row.deliveriesPerSecond),
                Format.decimal(row.serverUserCPUSeconds, places: 2) + " / " + Format.decimal(row.serverSystemCPUSeconds, places: 2),
                Format.decimal(row.serverCPUMicrosecondsPerDelivery, places: 1),
                Format.milliseconds(row.latencyP50Nanoseconds), Format.milliseconds(row.latencyP99Nanoseconds), Format.milliseconds(row.latencyMaxNanoseconds),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Each scale-out node's figures, one line per node of each row that has them
    /// (`bench scale --nodes`); `nil` when every row is one process.
    public var nodeTable: String? {
        guard rows.contains(where: { $0.nodeFigures != nil }) else { return nil }
        var lines = [
            "| Transport | Compression | Node | Connections held | RSS idle → connected (MiB) | RSS / connection (KiB) | Fan-out CPU user / system (s) | CPU / delivery (µs) |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in rows {
            for node in row.nodeFigures ?? [] {
                // Each node delivers every event to the connections it holds.
                let deliveries = row.events * node.connections
                let cpu = node.fanOutUserCPUSeconds + node.fanOutSystemCPUSeconds
                let cells: [String] = [
                    row.displayName, row.compression ?? "off", "\(node.number) of \(row.nodes ?? 0)", "\(node.connections)",
                    Format.decimal(Double(node.residentBytesIdle) / 1_048_576, places: 1) + " → " + Format.decimal(Double(node.residentBytesConnected) / 1_048_576, places: 1),
                    Format.decimal(node.residentBytesPerConnection / 1024, places: 1),
                    Format.decimal(node.fanOutUserCPUSeconds, places: 2) + " / " + Format.decimal(node.fanOutSystemCPUSeconds, places: 2),
                    deliveries > 0 ? Format.decimal(cpu * 1e6 / Double(deliveries), places: 1) : "–",
                ]
                lines.append("| " + cells.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// How the server side was deployed, in a sentence or two, for rows across nodes.
    public var deploymentConditions: String {
        var labels: [String] = []
        for row in rows where !labels.contains(row.deployment ?? "one process") { labels.append(row.deployment ?? "one process") }
        return labels.map { "`\($0)`" }.joined(separator: " and ")
            + ": each node a `bench serve --redis URL --redis-channel NAME` process relaying what its Redis subscription brings "
            + "(redis-server on loopback, or `--redis`), nginx in front of them balancing round robin, the clients connecting to nginx "
            + "(each with its `tb_session` cookie). The events are PUBLISHed once each to Redis, at once, and the fan-out runs from the "
            + "first PUBLISH to the last delivery: it includes the broker hop and the proxy hop. A row's server figures (RSS, peak, CPU) "
            + "are the nodes' summed; nginx's and Redis's own memory and CPU are not in them. The nodes table has each node's: the "
            + "connections it held (its sockets with every client connected less those it held idle), its resident growth per held "
            + "connection, and its CPU time over the fan-out."
    }

    /// Under which TLS conditions the rows were measured, in a sentence or two.
    public var tlsConditions: String {
        var labels: [String] = []
        for row in rows where !labels.contains(row.tls ?? "off") { labels.append(row.tls ?? "off") }
        let tls = labels.filter { $0 != "off" }
        guard !tls.isEmpty else { return "off: every connection is cleartext TCP." }
        return (labels.contains("off") ? "cleartext rows (off) and " : "")
            + "rows over \(tls.map { "`\($0)`" }.joined(separator: " and ")) (the version both ends speak and the server's certificate key, "
            + "or its file), on swift-nio-ssl (BoringSSL) at both ends, the certificate made by the `bench serve` process and trusted by the clients. "
            + "Every connection makes a full handshake (bench's clients keep no TLS sessions, so none resumes): the server's key exchange "
            + "and certificate signature show in CPU / connection, and its per-connection TLS state (the SSL object, its buffers) in RSS / connection. "
            + "Compare a TLS row with the same transport's cleartext row (`bench scale` without `--tls`) for what TLS adds."
    }

    /// Writes `scale.json` and `report.md` into `directory`.
    public func write(to directory: URL) throws {
        struct Document: Codable {
            var environment: EnvironmentInfo
            var command: String
            var rows: [ScaleRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(Document(environment: environment, command: command, rows: rows)).write(to: directory.appendingPathComponent("scale.json"), options: .atomic)
        let text = """
            # Connections at scale

            Generated by `\(command)`. For each transport the clients (in this process) open their \
            connections to a `bench serve` process of its own, so the server's figures are its \
            alone: its resident memory (VmRSS) before any connection and with every connection open \
            and idle; then one request has it publish the events at once, each to every connection \
            (a broadcast), and the fan-out runs until every client has every event, timed here; \
            the server's user and system CPU time (/proc/PID/stat) around it, per delivery; \
            latency from publish to each client's decoding, on the machine's one monotonic clock.

            \(table)
            \(nodeTable.map { "\n" + $0 + "\n\n- **Server**: " + deploymentConditions } ?? "")
            - **TLS**: \(tlsConditions)
            - **Connect** runs from the first client's connect to the last client ready (TCP, the \
            TLS handshake, the WebSocket upgrade or first request), with the clients in this process \
            sharing the machine's cores with the server; **CPU / connection** is the server's user \
            and system CPU time over it (and the half second after, while the last writes settle), \
            per connection: accepting it, the transport's setup and, with TLS, the server's half of \
            the handshake. The kernel counts CPU time in 10 ms ticks, so over a few connections this \
            figure is coarse.
            - **RSS / connection** is the server's resident growth divided by the connections: \
            sockets, NIO channels and pipelines, the transport's per-connection state and buffers. \
            **After fan-out** reads it again once every connection has carried the events and is \
            idle: state the events left behind, such as a compression context kept for the next \
            message (WebSocket with context takeover, an SSE gzip stream). glibc keeps freed memory \
            in its arenas, so memory freed after each message can still show here.
            - **Deliveries / s** is events × connections over the fan-out time; on one machine the \
            clients share its cores with the server, so this is a floor on what the server alone sustains.
            - **CPU / delivery** includes the server's encoding once per event and its writes once \
            per connection; latency percentiles show how long the last connections waited for theirs.

            ## Environment

            \(MarkdownReport.environmentTable(environment))

            """
        try Data(text.utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
    }
}
