import BenchCore

/// The report's sections that depend on the run: notes on a remote server, an emulated link or
/// a time scale, and the scenario and environment tables.
extension MarkdownReport {
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

    /// What `--compression` set, transport by transport.
    static func compressionSummary(_ settings: CompressionSettings) -> String {
        guard settings.enabled else { return "off (clients may offer it, as the header profile's heads do; the server declines)" }
        let window = settings.webSocketContextTakeover ? "context takeover" : "no context takeover"
        return "on: WebSocket permessage-deflate (\(window), \(settings.webSocketMaxWindowBits)-bit window, messages under \(settings.webSocketThreshold) B plain); "
            + "SSE gzip stream flushed per write; polling gzip for bodies of \(settings.gzipMinLength) B or more; gRPC \(settings.grpcAlgorithm.rawValue)"
    }

    /// What `--tls` set.
    static func tlsSummary(_ settings: TLSSettings) -> String {
        guard settings.enabled else { return "off (cleartext)" }
        let certificate = settings.certificatePath.map { "the certificate in \($0)" } ?? "a \(settings.key.displayName) certificate made at start-up"
        let exchange = settings.version == .v1_2 && settings.keyExchange == .x25519mlkem768 ? "X25519" : settings.keyExchange.displayName
        return "TLS \(settings.version.rawValue) on every connection (swift-nio-ssl both ends; HTTP/2 by ALPN), \(certificate), \(exchange) key exchange"
            + (settings.resumption ? ", session resumption" : ", full handshakes (no resumption)")
    }

    static func scenarioRows(_ scenario: Scenario) -> [[String]] {
        [
            ["Setting", "Value"],
            ["Clients", "\(scenario.clients)"],
            ["Event rate", "\(Format.decimal(scenario.eventsPerSecond, places: 3)) events/s, \(scenario.arrival.rawValue) arrivals"],
            ["Events", "\(scenario.eventCount) over \(Format.decimal(scenario.durationSeconds, places: 3)) s"],
            ["Payload", "\(scenario.payloadBytes) bytes, \(scenario.encoding.rawValue)"],
            ["Header profile", scenario.headers.summary],
            ["Payload content", "\(scenario.payloadContent.rawValue)"],
            ["Compression", compressionSummary(scenario.compression)],
            ["TLS", tlsSummary(scenario.tls)],
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
            ["Server side", scenario.scaleOut.isDeployed
                ? "\(scenario.scaleOut.label): bench serve nodes, redis-server, nginx (each row names its own deployment)"
                : "one server in bench's process"],
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
}
