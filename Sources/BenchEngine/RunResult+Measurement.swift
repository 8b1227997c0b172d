import BenchCore
import BenchServer
import BenchTransports

extension RunResult {
    /// Builds a run's row from the clients' outcomes and what the server counted.
    ///
    /// - Parameters:
    ///   - scenario: the scenario as run, at wall clock (``Scenario/wallClock``).
    ///   - eventCount: events each client should have received (push, echo) or sent (upload).
    ///   - traffic: the server's counts over every connection of the run.
    init(
        scenario: Scenario,
        transport: any TransportTraits,
        variant: String,
        eventCount: Int,
        outcomes: [ClientOutcome],
        traffic: TrafficTotals,
        wallSeconds: Double,
        connectionsStillOpen: Int
    ) {
        self.init(
            transport: transport.kind.rawValue, variant: variant, encoding: scenario.encoding.rawValue,
            direction: scenario.direction.rawValue, httpVersion: transport.httpVersion(in: scenario).rawValue,
            scenario: scenario.name, clients: scenario.clients
        )
        transportName = transport.displayName
        delivery = transport.delivery(variant: variant)
        let last = UInt64(eventCount)
        var latency = LatencyHistogram()
        var uncorrected: LatencyHistogram? = nil
        var clientTally = CompressionTally()
        var reconnectTimes = LatencyHistogram()
        var (clientReceived, clientSent) = (0, 0)
        for (index, outcome) in outcomes.enumerated() {
            let ledger = outcome.ledger
            latency.merge(outcome.latency)
            if let other = outcome.uncorrectedLatency {
                uncorrected = uncorrected ?? LatencyHistogram()
                uncorrected!.merge(other)
            }
            eventsDuplicated += ledger.duplicates
            eventsOutOfOrder += ledger.outOfOrder
            payloadBytes += outcome.payloadBytes
            base64InflationBytes += outcome.base64InflationBytes
            reconnects += outcome.reconnects
            for nanoseconds in outcome.reconnectNanoseconds { reconnectTimes.record(nanoseconds: nanoseconds) }
            deadlinesExceeded += outcome.deadlinesExceeded
            callsCancelled += outcome.callsCancelled
            clientTally = clientTally + outcome.compression
            clientReceived += outcome.wireBytesReceived
            clientSent += outcome.wireBytesSent
            let missing = ledger.missing(through: last)
            let missingCount = missing.reduce(0) { $0 + Int($1.count) }
            eventsDelivered += eventCount - missingCount
            if !missing.isEmpty {
                eventsLost += missingCount
                if lostSequences.count < 20 {
                    let shown = missing.prefix(5).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                    lostSequences.append("client \(index): " + shown.joined(separator: ", ") + (missing.count > 5 ? ", …" : ""))
                }
            }
            for gap in ledger.announcedGaps where announcedGaps.count < 20 {
                announcedGaps.append("client \(index): \(GapNotice.text(gap))")
            }
            for error in outcome.errors where clientErrors.count < 10 {
                clientErrors.append("client \(index): \(error)")
            }
        }
        if connectionsStillOpen > 0 {
            clientErrors.append("\(connectionsStillOpen) connections were still open 5 s after the clients stopped; their bytes so far are counted")
        }

        reconnectTime = reconnectTimes.count == 0 ? nil : reconnectTimes.summary
        eventsPublished = eventCount
        deliveriesExpected = eventCount * scenario.clients
        countWireBytes(up: traffic.bytesIn, down: traffic.bytesOut)
        requests = traffic.requests
        emptyResponses = traffic.emptyResponses
        connections = traffic.connections
        heartbeats = traffic.heartbeats
        layerFramingBytes = traffic.layerFramingBytes > 0 ? traffic.layerFramingBytes : nil
        clientWireBytesReceived = clientReceived
        clientWireBytesSent = clientSent
        handshakeBytesUp = traffic.handshakeBytesIn
        handshakeBytesDown = traffic.handshakeBytesOut
        http2 = traffic.http2

        let summary = latency.summary
        latencyP50Nanoseconds = summary.p50Nanoseconds
        latencyP90Nanoseconds = summary.p90Nanoseconds
        latencyP99Nanoseconds = summary.p99Nanoseconds
        latencyP999Nanoseconds = summary.p999Nanoseconds
        latencyMaxNanoseconds = summary.maxNanoseconds
        latencyMeanNanoseconds = summary.meanNanoseconds
        latencySamples = summary.count
        latencyHistogram = latency.encoded
        latencyOverflowSamples = latency.overflowCount
        if let uncorrected {
            uncorrectedLatencyP50Nanoseconds = uncorrected.valueAtPercentile(50)
            uncorrectedLatencyP99Nanoseconds = uncorrected.valueAtPercentile(99)
            uncorrectedLatencyMaxNanoseconds = uncorrected.maxNanoseconds
            uncorrectedLatencyHistogram = uncorrected.encoded
        }
        durationSeconds = wallSeconds
        timeScale = scenario.timeScale
        link = scenario.link
        headerProfile = scenario.headers.name
        cookieBytes = scenario.headers.cookieBytes > 0 ? scenario.headers.cookieBytes : nil
        recordCompression(scenario: scenario, server: traffic.compression, clients: clientTally.nilIfEmpty)
        recordTLS(scenario: scenario, server: traffic.tls)
        recordSecurity(scenario: scenario, server: traffic.security ?? SecurityTally())
        recordTCP(traffic.tcp)
        let model = LatencyModel.estimate(
            delivery: transport.delivery(variant: variant), scenario: scenario,
            eventBytes: eventsDelivered == 0 ? 0 : Double(payloadBytes) / Double(eventsDelivered),
            connectionPerRequest: transport.opensConnectionPerRequest(variant: variant))
        modelLatencyP50Nanoseconds = UInt64((model.p50Seconds * 1e9).rounded())
        latencyModel = model.formula
        // An hour of the modeled workload: the wall-clock interval times the scale.
        if let interval = scenario.heartbeatIntervalSeconds, let bytes = transport.heartbeatWireBytes {
            heartbeatBytesPerIdleConnectionHour = Double(bytes) * 3600 / (interval * scenario.timeScale)
        }
    }
}

extension RunResult {
    /// Fills the compression columns from what the server's and the clients' compression layers
    /// counted.
    mutating func recordCompression(scenario: Scenario, server: CompressionTally?, clients: CompressionTally?) {
        compression = scenario.compression.label
        payloadContent = scenario.payloadContent.rawValue
        serverCompression = server
        clientCompression = clients
        let both = (server ?? CompressionTally()) + (clients ?? CompressionTally())
        guard both.plainBytes > 0 else { return }
        compressionPlainBytes = both.plainBytes
        compressionCompressedBytes = both.compressedBytes
        compressionRatio = Double(both.compressedBytes) / Double(both.plainBytes)
        bytesIfUncompressed = bytesUp + bytesDown - both.compressedBytes + both.plainBytes
        // A layer that compresses inside its library (gRPC's) times nothing: no CPU figure then.
        if eventsDelivered > 0, both.compressNanoseconds + both.decompressNanoseconds > 0 {
            compressCPUNanosecondsPerEvent = Double(both.compressNanoseconds) / Double(eventsDelivered)
            decompressCPUNanosecondsPerEvent = Double(both.decompressNanoseconds) / Double(eventsDelivered)
        }
    }
}

extension RunResult {
    /// Fills the TLS columns from what the server's TLS layer counted.
    mutating func recordTLS(scenario: Scenario, server: TLSTally?) {
        tls = scenario.tls.label
        guard scenario.tls.enabled, let server else { return }
        serverTLS = server
        tlsHandshakeBytes = server.handshakeBytes
        tlsRecordOverheadBytes = server.recordOverheadBytes
        tlsAlertBytes = server.alertBytes
        if server.handshakes > 0 { tlsHandshakeBytesPerConnection = Double(server.handshakeBytes) / Double(server.handshakes) }
        if server.applicationRecords > 0 {
            tlsRecordOverheadBytesPerRecord = Double(server.recordOverheadBytes) / Double(server.applicationRecords)
        }
    }

    /// Fills the security columns from what the server's handshake checks counted: refusals
    /// always, and with tokens required what presenting and verifying them cost per event.
    mutating func recordSecurity(scenario: Scenario, server: SecurityTally) {
        security = scenario.security.label
        refusedRequests = server.refused
        guard scenario.security.requiresToken else { return }
        tokensVerified = server.tokensChecked
        authenticationBytes = server.tokenBytes
        if eventsDelivered > 0 {
            authenticationBytesPerEvent = Double(server.tokenBytes) / Double(eventsDelivered)
            verifyCPUNanosecondsPerEvent = Double(server.verifyNanoseconds) / Double(eventsDelivered)
        }
    }
}

extension RunResult {
    /// Fills the TCP/IP columns from the estimate the server built from its connections' TCP_INFO.
    mutating func recordTCP(_ server: TCPTally?) {
        guard let server, server.connections > 0 else { return }
        tcp = server
        if eventsDelivered > 0 { tcpHeaderBytesPerEvent = Double(server.headerBytes) / Double(eventsDelivered) }
    }
}

extension RunResult {
    /// Takes the row's Up and Down (and what follows from them: overhead, bytes per event) from
    /// the clients' sockets: for a scale-out run whose killed node took its server counts with it,
    /// the clients' side is the complete count.
    mutating func countBytesAtClients() {
        guard let up = clientWireBytesSent, let down = clientWireBytesReceived else { return }
        countWireBytes(up: up, down: down)
    }

    /// Up and Down, and what follows from them: the overhead beside the payload, bytes per event.
    private mutating func countWireBytes(up: Int, down: Int) {
        bytesUp = up
        bytesDown = down
        let wireBytes = up + down
        overheadBytes = wireBytes - payloadBytes
        overheadRatio = wireBytes == 0 ? 0 : Double(overheadBytes) / Double(wireBytes)
        bytesPerDeliveredEvent = eventsDelivered == 0 ? 0 : Double(wireBytes) / Double(eventsDelivered)
    }
}
