import BenchCore
import BenchServer

/// What one client's share of the workload came to, whichever side kept its ledger.
struct ClientOutcome {
    var ledger: Ledger
    var latency: LatencyHistogram
    var uncorrectedLatency: LatencyHistogram?
    /// Payload bytes the delivered events required on the wire.
    var payloadBytes: Int
    /// Push over a text-only carrier (SSE with a binary encoding, gRPC-Web's text format):
    /// base64's extra bytes for the delivered bodies.
    var base64InflationBytes = 0
    var reconnects: Int
    /// Each reconnect's time without a connection (``DeliveryRecorder/reconnectNanoseconds``).
    var reconnectNanoseconds: [UInt64]
    var deadlinesExceeded: Int
    var callsCancelled: Int
    var errors: [String]
    /// What the client's compression layer did.
    var compression: CompressionTally
    /// TCP payload bytes the client's sockets read and wrote (``DeliveryRecorder/wireBytesReceived``).
    var wireBytesReceived: Int
    var wireBytesSent: Int

    /// - Parameters:
    ///   - encodedSizes: push only: the encoded size of each published event (index 0 is sequence 1).
    ///   - uploads: upload only: what the server received from this client.
    ///   - base64Inflation: base64's extra bytes for a delivered body of that many bytes
    ///     (``TransportTraits/base64InflationBytes(bodyBytes:encoding:)``).
    init(
        direction: Direction, recorder: DeliveryRecorder, encodedSizes: [Int], uploads: UploadRegistry.Uploads?,
        base64Inflation: (Int) -> Int = { _ in 0 }
    ) {
        reconnects = recorder.reconnects
        reconnectNanoseconds = recorder.reconnectNanoseconds
        deadlinesExceeded = recorder.deadlinesExceeded
        callsCancelled = recorder.callsCancelled
        errors = recorder.connectionErrors
        compression = recorder.compression
        wireBytesReceived = recorder.wireBytesReceived
        wireBytesSent = recorder.wireBytesSent
        switch direction {
        case .push:
            ledger = recorder.ledger
            latency = recorder.latency
            uncorrectedLatency = nil
            var payload = 0
            for (index, size) in encodedSizes.enumerated() where recorder.ledger.contains(UInt64(index + 1)) {
                payload += size
                base64InflationBytes += base64Inflation(size)
            }
            payloadBytes = payload
        case .echo:
            ledger = recorder.ledger
            latency = recorder.latency
            uncorrectedLatency = recorder.uncorrectedLatency ?? LatencyHistogram()
            payloadBytes = recorder.payloadBytes
        case .upload:
            // The server kept the ledger and the arrival times; the client knows when each event
            // was due and when it left. Latency is arrival minus either.
            let uploads = uploads ?? UploadRegistry.Uploads()
            ledger = uploads.ledger
            latency = LatencyHistogram()
            var uncorrected = LatencyHistogram()
            var payload = 0
            for (index, receivedAt) in uploads.receivedAt.enumerated() where receivedAt != 0 && index < recorder.sentAt.count {
                latency.record(nanoseconds: receivedAt &- recorder.scheduledAt[index])
                uncorrected.record(nanoseconds: receivedAt &- recorder.sentAt[index])
                payload += recorder.sentBodySizes[index]
            }
            uncorrectedLatency = uncorrected
            payloadBytes = payload
        }
    }
}
