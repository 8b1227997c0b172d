import BenchCore

extension MarkdownReport {
    /// The scale-out section — each row's broker, balancer and nodes, the proxy hop where the
    /// document has a row with and without the balancer, and what the rows say about sticky
    /// sessions and the backplane — or nothing when no row ran on nodes.
    static func scaleOutSection(_ results: [RunResult]) -> String {
        let rows = results.filter { $0.scaleOut != nil }
        guard !rows.isEmpty else { return "" }
        let hops = hopTable(results)
        return """
            ### Scale-out: nodes, broker and balancer

            \(scaleOutTable(rows))

            \(nodeTable(rows))
            \(hops.isEmpty ? "" : "\n#### What each hop adds\n\n" + hops + "\n\nEach row beside its twin run without that hop (`--balancer both`, `--backplane both`): the same nodes, workload and clients, one run after the other on this machine, so the difference carries both runs' noise; the broker hop's own figure, measured on every event, is in the first table. Without a broker only the first node's clients receive events: that twin's latency is theirs. Short polling is left out: its latency is the wait for the next poll, which a millisecond's hop does not measurably move.\n")
            \(scaleOutFindings(rows).map { "- " + $0 }.joined(separator: "\n"))

            Each node is a `bench serve` process of its own; Redis is `redis-server` and the \
            balancer `nginx`, both started by bench on free loopback ports with generated \
            configuration (nginx proxies HTTP/1.1 to the nodes whatever the clients speak, and \
            gRPC as gRPC). **Up / Down** in the tables above are the nodes' sockets: behind a \
            balancer that is the balancer–node side (**Nodes' side / event**); **Clients' side / \
            event** is what the clients' own sockets carried, the client–balancer side that users \
            pay (straight to the nodes the two are equal). **Publish / event** is the publisher's PUBLISH \
            commands on its socket to Redis (RESP framing and the encoded event); **Node feed / \
            event** what one node's subscription read (RESP's message framing and the event). \
            **Clients on several nodes** counts the clients whose requests nginx's access log shows \
            on more than one node (by their `tb_session` cookie, which every client sends behind \
            the balancer and sticky sessions hash). The \
            **broker hop** runs from the publisher's stamp, just before its PUBLISH is written, \
            to the node's read of the message (one kernel's monotonic clock, every process on \
            this machine). A killed node's own counts die with it: its row is empty, and a \
            row with a killed node takes its Up and Down from the clients' sockets, which saw every \
            byte (the per-node figures are the live nodes').

            """
    }

    /// One row per scale-out result: deployment, delivery, latency, the broker's bytes and hop.
    static func scaleOutTable(_ rows: [RunResult]) -> String {
        let header = [
            "Transport", "Variant, HTTP, encoding, deployment", "Delivered / expected", "Lost", "p50 (ms)", "p99 (ms)",
            "Broker hop p50 (ms)", "Broker hop p99 (ms)", "Publish / event (B)", "Node feed / event (B)",
            "Clients' side / event (B)", "Nodes' side / event (B)", "Clients on several nodes", "Reconnects",
        ]
        var table = [header]
        for result in rows {
            let scaleOut = result.scaleOut!
            let broker = scaleOut.brokerBytesPerEvent(published: result.eventsPublished)
            table.append([
                result.displayName, result.variantLabel(layers: true),
                "\(result.eventsDelivered) / \(result.deliveriesExpected)", "\(result.eventsLost)",
                Format.milliseconds(result.latencyP50Nanoseconds), Format.milliseconds(result.latencyP99Nanoseconds),
                scaleOut.brokerHop.map { Format.milliseconds($0.p50Nanoseconds) } ?? "–",
                scaleOut.brokerHop.map { Format.milliseconds($0.p99Nanoseconds) } ?? "–",
                broker.map { Format.decimal($0.publish, places: 1) } ?? "–",
                broker.map { Format.decimal($0.perNodeDelivery, places: 1) } ?? "–",
                perEvent(result.clientWireBytesReceived.flatMap { down in result.clientWireBytesSent.map { down + $0 } }, result),
                // With a killed node the row's bytes are the clients' (its counts died with it).
                scaleOut.nodeKilledAtSeconds == nil ? Format.decimal(result.bytesPerDeliveredEvent, places: 1) : "–",
                scaleOut.clientsOnSeveralNodes.map { "\($0) / \(result.clients)" } ?? "–",
                "\(result.reconnects)",
            ])
        }
        return render(table, rightAligned: Set(2..<header.count))
    }

    /// `bytes` per delivered event, or "–".
    static func perEvent(_ bytes: Int?, _ result: RunResult) -> String {
        guard let bytes, result.eventsDelivered > 0 else { return "–" }
        return Format.decimal(Double(bytes) / Double(result.eventsDelivered), places: 1)
    }

    /// One row per node of each scale-out result: its connections, requests, bytes, backplane,
    /// CPU time and peak memory.
    static func nodeTable(_ rows: [RunResult]) -> String {
        let header = [
            "Transport", "Variant, HTTP, encoding, deployment", "Node", "TCP conns", "Requests", "Up (B)", "Down (B)", "Balancer requests",
            "Feed messages", "Feed lost", "Feed drops", "CPU (s)", "Peak RSS (MiB)",
        ]
        var table = [header]
        for result in rows {
            let scaleOut = result.scaleOut!
            for node in scaleOut.nodes {
                let balanced = scaleOut.balancerRequestsByNode.flatMap { node.number <= $0.count ? "\($0[node.number - 1])" : nil } ?? "–"
                guard !node.killed else {
                    let when = scaleOut.nodeKilledAtSeconds.map { " at \(Format.decimal($0, places: 2)) s" } ?? ""
                    table.append([result.displayName, result.variantLabel(layers: true), "\(node.number) (killed\(when))", "–", "–", "–", "–", balanced, "–", "–", "–", "–", "–"])
                    continue
                }
                let feed = node.backplane
                let cpu = (node.userCPUSeconds ?? 0) + (node.systemCPUSeconds ?? 0)
                table.append([
                    result.displayName, result.variantLabel(layers: true), "\(node.number)", "\(node.connections)", "\(node.requests)",
                    "\(node.bytesIn)", "\(node.bytesOut)", balanced,
                    feed.map { "\($0.messages)" } ?? "–",
                    feed.map { "\($0.lost(through: UInt64(result.eventsPublished)).reduce(0) { $0 + $1.count })" } ?? "–",
                    feed.map { "\($0.disconnects)" } ?? "–",
                    Format.decimal(cpu, places: 2),
                    node.peakResidentBytes.map { Format.decimal(Double($0) / 1_048_576, places: 1) } ?? "–",
                ])
            }
        }
        return render(table, rightAligned: Set(3..<header.count))
    }

    /// For each scale-out row that has a twin without one of its hops (the same transport,
    /// variant and everything else, but straight to the nodes, or with no broker), their
    /// latencies side by side: what nginx adds, and what Redis adds. Without a broker only the
    /// first node's clients receive events, so that twin's latency is theirs.
    static func hopTable(_ results: [RunResult]) -> String {
        let header = [
            "Transport", "Variant, HTTP, encoding, deployment", "Hop", "p50 without (ms)", "p50 with (ms)", "+ p50 (ms)", "p99 without (ms)",
            "p99 with (ms)", "+ p99 (ms)",
        ]
        var table = [header]
        func delta(_ a: UInt64, _ b: UInt64) -> String { (a >= b ? "" : "−") + Format.milliseconds(a >= b ? a - b : b - a) }
        // A polled event waits for the next poll (anywhere in the interval): no hop of a
        // millisecond moves that measurably, so polled rows are left out.
        for row in results where row.delivery != .poll {
            guard let settings = row.scaleOut?.settings else { continue }
            var hops: [(String, RunResult?)] = []
            if settings.balancer == .nginx { hops.append(("nginx", results.first { $0.isTwin(of: row) { $0.balancer = .none; $0.sticky = false } })) }
            if settings.backplane == .redis { hops.append(("Redis", results.first { $0.isTwin(of: row) { $0.backplane = .none; $0.redisURL = nil } })) }
            for (hop, twin) in hops {
                guard let twin else { continue }
                table.append([
                    row.displayName, row.variantLabel(layers: true), hop,
                    Format.milliseconds(twin.latencyP50Nanoseconds), Format.milliseconds(row.latencyP50Nanoseconds),
                    delta(row.latencyP50Nanoseconds, twin.latencyP50Nanoseconds),
                    Format.milliseconds(twin.latencyP99Nanoseconds), Format.milliseconds(row.latencyP99Nanoseconds),
                    delta(row.latencyP99Nanoseconds, twin.latencyP99Nanoseconds),
                ])
            }
        }
        return table.count == 1 ? "" : render(table, rightAligned: Set(3..<header.count))
    }

    /// What the rows say in words: loss without a backplane, loss at the broker, whether the
    /// rows without sticky sessions delivered everything, and the killed node's clients.
    static func scaleOutFindings(_ rows: [RunResult]) -> [String] {
        var findings: [String] = []
        for result in rows {
            let scaleOut = result.scaleOut!
            let name = "\(result.displayName) (\(result.variantLabel(layers: true)))"
            if scaleOut.settings.backplane == .none, scaleOut.settings.nodes > 1 {
                findings.append("\(name): without a backplane the events reached only the first node; \(result.eventsLost) of \(result.deliveriesExpected) deliveries were lost, every one of them a client on another node.")
            }
            if !scaleOut.lostAtPublish.isEmpty {
                findings.append("\(name): Redis refused or lost the PUBLISH of sequences \(ranges(scaleOut.lostAtPublish)): no node got them.")
            }
            for (node, lost) in scaleOut.lostAtNodes.sorted(by: { $0.key < $1.key }) {
                findings.append("\(name): node \(node)'s subscription never brought sequences \(ranges(lost)).")
            }
            if scaleOut.settings.backplane == .redis, scaleOut.settings.balancer == .nginx, !scaleOut.settings.sticky {
                let spread = scaleOut.clientsOnSeveralNodes.map { several in
                    several > 0
                        ? " \(several) of \(result.clients) clients had their requests served by several nodes (up to \(scaleOut.mostNodesPerClient ?? 0)),"
                        : " each client stayed on the node it connected to (one long request),"
                } ?? ""
                findings.append(
                    result.eventsLost == 0
                        ? "\(name): round robin, no sticky sessions:\(spread) and every client got every event: with the stream replicated on every node by the backplane, a client's cursor resumes on any node, so this transport did not need sticky sessions."
                        : "\(name): round robin, no sticky sessions:\(spread) and \(result.eventsLost) deliveries were lost.")
            }
            if let killed = scaleOut.nodeKilledAtSeconds {
                let times = result.reconnectTime.map {
                    " after \(Format.milliseconds($0.p50Nanoseconds)) ms at the median and \(Format.milliseconds($0.maxNanoseconds)) ms at most (from noticing the loss to the next connection, the backoff's wait included)"
                } ?? ""
                findings.append("\(name): node \(scaleOut.settings.nodes) was killed at \(Format.decimal(killed, places: 2)) s; clients reconnected \(result.reconnects) times through nginx\(times), and \(result.eventsLost == 0 ? "lost nothing: each resumed from its cursor on a live node" : "lost \(result.eventsLost) deliveries").")
            }
        }
        return findings
    }

    /// The scenario line's server side: one in-process server, or each deployment the rows ran on.
    static func serverSide(_ document: ResultsDocument) -> String {
        var labels: [String] = []
        for result in document.results {
            let label = result.scaleOut.map { "server side \($0.settings.label)" } ?? "one in-process loopback server"
            if !labels.contains(label) { labels.append(label) }
        }
        return labels.isEmpty ? "one in-process loopback server" : labels.joined(separator: " / ")
    }

    /// What the backplane lost, in sentences naming the sequences: at the publisher (Redis
    /// refused or dropped the PUBLISH) and at each node (its subscription never brought them).
    static func backplaneProblems(_ result: RunResult) -> [String] {
        guard let scaleOut = result.scaleOut else { return [] }
        var lines: [String] = []
        if !scaleOut.lostAtPublish.isEmpty {
            lines.append("the backplane lost sequences \(ranges(scaleOut.lostAtPublish)): their PUBLISH to Redis failed (Redis was unreachable), so no node got them.")
        }
        for (node, lost) in scaleOut.lostAtNodes.sorted(by: { $0.key < $1.key }) {
            let drops = scaleOut.nodes.first { $0.number == node }?.backplane?.disconnects ?? 0
            lines.append("node \(node) never received sequences \(ranges(lost)) from Redis (its subscription dropped \(drops) time\(drops == 1 ? "" : "s")).")
        }
        return lines
    }

    /// `1–5, 9` for ranges of sequences.
    static func ranges(_ ranges: [ClosedRange<UInt64>]) -> String {
        ranges.map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)–\($0.upperBound)" }.joined(separator: ", ")
    }
}

extension RunResult {
    /// Whether this row is `other` run with `change` made to its deployment: the same
    /// transport, variant, encoding, HTTP version, clients and compression.
    func isTwin(of other: RunResult, _ change: (inout ScaleOutSettings) -> Void) -> Bool {
        guard let mine = scaleOut?.settings, var theirs = other.scaleOut?.settings else { return false }
        change(&theirs)
        return theirs == mine && transport == other.transport && variant == other.variant && encoding == other.encoding
            && httpVersion == other.httpVersion && clients == other.clients && compression == other.compression
    }
}
