import BenchCore
import BenchServer

extension RunResult {
    /// Builds a run's row from what the clients recorded and what the server counted.
    ///
    /// - Parameters:
    ///   - encodedSizes: the encoded size of each published event, index 0 is sequence 1.
    ///   - traffic: the server's counts over every connection of the run.
    init(
        scenario: Scenario,
        transport: TransportKind,
        variant: String,
        recorders: [DeliveryRecorder],
        encodedSizes: [Int],
        traffic: TrafficTotals,
        wallSeconds: Double,
        connectionsStillOpen: Int
    ) {
        let published = encodedSizes.count
        let last = UInt64(published)
        var latency = LatencyHistogram()
        var delivered = 0
        var duplicated = 0
        var outOfOrder = 0
        var lost = 0
        var payloadBytes = 0
        var lostSequences: [String] = []
        var announcedGaps: [String] = []
        var reconnects = 0
        var clientErrors: [String] = []
        for (index, recorder) in recorders.enumerated() {
            let ledger = recorder.ledger
            latency.merge(recorder.latency)
            duplicated += ledger.duplicates
            outOfOrder += ledger.outOfOrder
            reconnects += recorder.reconnects
            for sequence in 1...Swift.max(last, 1) where sequence <= last && ledger.contains(sequence) {
                delivered += 1
                payloadBytes += encodedSizes[Int(sequence - 1)]
            }
            let missing = ledger.missing(through: last)
            if !missing.isEmpty {
                lost += missing.reduce(0) { $0 + Int($1.count) }
                if lostSequences.count < 20 {
                    let shown = missing.prefix(5).map { $0.count == 1 ? "\($0.lowerBound)" : "\($0.lowerBound)-\($0.upperBound)" }
                    lostSequences.append("client \(index): " + shown.joined(separator: ", ") + (missing.count > 5 ? ", …" : ""))
                }
            }
            for gap in ledger.announcedGaps where announcedGaps.count < 20 {
                announcedGaps.append("client \(index): \(gap.lowerBound)-\(gap.upperBound)")
            }
            for error in recorder.connectionErrors where clientErrors.count < 10 {
                clientErrors.append("client \(index): \(error)")
            }
        }
        if connectionsStillOpen > 0 {
            clientErrors.append("\(connectionsStillOpen) connections were still open 5 s after the clients stopped; their bytes so far are counted")
        }
        let wireBytes = traffic.bytesIn + traffic.bytesOut
        let summary = latency.summary
        let overheadBytes: Int = wireBytes - payloadBytes
        let overheadRatio: Double = wireBytes == 0 ? 0 : Double(overheadBytes) / Double(wireBytes)
        let bytesPerEvent: Double = delivered == 0 ? 0 : Double(wireBytes) / Double(delivered)
        let expected: Int = published * scenario.clients
        self.init(transport: transport.rawValue, variant: variant, encoding: scenario.encoding.rawValue, scenario: scenario.name, clients: scenario.clients)
        eventsPublished = published
        deliveriesExpected = expected
        eventsDelivered = delivered
        eventsLost = lost
        eventsDuplicated = duplicated
        eventsOutOfOrder = outOfOrder
        self.lostSequences = lostSequences
        self.announcedGaps = announcedGaps
        bytesUp = traffic.bytesIn
        bytesDown = traffic.bytesOut
        self.payloadBytes = payloadBytes
        self.overheadBytes = overheadBytes
        self.overheadRatio = overheadRatio
        bytesPerDeliveredEvent = bytesPerEvent
        requests = traffic.requests
        emptyResponses = traffic.emptyResponses
        connections = traffic.connections
        self.reconnects = reconnects
        latencyP50Nanoseconds = summary.p50Nanoseconds
        latencyP90Nanoseconds = summary.p90Nanoseconds
        latencyP99Nanoseconds = summary.p99Nanoseconds
        latencyP999Nanoseconds = summary.p999Nanoseconds
        latencyMaxNanoseconds = summary.maxNanoseconds
        latencyMeanNanoseconds = summary.meanNanoseconds
        latencySamples = summary.count
        durationSeconds = wallSeconds
        self.clientErrors = clientErrors
    }
}
