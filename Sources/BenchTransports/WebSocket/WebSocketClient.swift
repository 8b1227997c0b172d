import BenchCore
import NIOCore
import NIOWebSocket
import Synchronization

/// WebSocket's client half on SwiftNIO's client upgrader: masked client frames (RFC 6455 §5.3),
/// pongs for pings, and the close handshake.
///
/// - ``Direction/push``: receives events; after a dropped connection it reconnects with
///   exponential backoff and full jitter and resumes after the last sequence it received.
/// - ``Direction/echo``: sends events on the scenario's schedule (its own seeded schedule per
///   client) and times each echo from its *scheduled* send time (coordinated-omission corrected)
///   and from its actual send time (uncorrected).
/// - ``Direction/upload``: sends events on the schedule; the server records what arrives.
///
/// Echo and upload clients close with 1000 once everything is sent (and echoed); push clients
/// answer the server's close at the end of the run.
///
/// Each connection offers permessage-deflate when the scenario's compression is on or its header
/// profile offers it (``WebSocketConnection``), and folds what its compression layer did into
/// the recorder's `compression` tally when it ends.
public struct WebSocketClient: TransportClient {
    public let kind = TransportKind.webSocket
    public let direction: Direction
    public var variant: String { direction.rawValue }

    public init(direction: Direction) {
        self.direction = direction
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let session = direction == .push ? nil : SendingSession(target: target)
        // Push: events are recorded by a WebSocketPushReceiver in the read that brought them.
        let arrivals = Arrivals(for: recorder, resume: WebSocketPushReceiver.Resume())
        let encoding = target.scenario.encoding
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x3E6)
        await loop.run(recorder: &recorder) { loop, recorder in
            var uri = "/ws?mode=\(direction.rawValue)&encoding=\(target.scenario.encoding.rawValue)"
            switch direction {
            case .push:
                uri += "&after=\(arrivals.resume.cursor)"
                if let heartbeat = target.scenario.heartbeatIntervalSeconds { uri += "&heartbeat=\(Int((heartbeat * 1000).rounded()))" }
                arrivals.record { $0.resume.closedCleanly = false }
            case .echo, .upload:
                uri += "&client=\(target.clientIndex)"
            }
            // What this connection's permessage-deflate layer does, folded in when it ends.
            let counter = CompressionCounter()
            defer { recorder.compression = recorder.compression + counter.tally }
            let (direction, arrival) = (direction, ArrivalClock())
            let channel = try await WebSocketConnection.connect(
                to: target, uri: uri, fields: target.requestFields(.webSocket),
                compression: target.scenario.compression, counter: counter, arrival: direction == .push ? arrival : nil
            ) {
                direction == .push ? [WebSocketPushReceiver(codec: EventCodec(encoding), arrivals: arrivals, arrival: arrival)] : []
            }
            recorder.noteConnectionOpened()
            recorder.requestsSent += 1
            let finished = try await channel.executeThenClose { inbound, outbound in
                recorder.progress.markReady()
                var frames = inbound.makeAsyncIterator()
                switch direction {
                case .push:
                    // The receiver consumes every frame: this waits for the connection to end.
                    defer { if arrivals.takeProgress() { loop.resetBackoff() } }
                    while try await frames.next() != nil {}
                    return arrivals.resume.closedCleanly
                case .echo:
                    return try await session!.echo(&frames, outbound, recorder: &recorder)
                case .upload:
                    return try await session!.upload(&frames, outbound, recorder: &recorder)
                }
            }
            return finished ? .finished : .endedEarly(noting: WebSocketClientError.closedEarly)
        }
        if direction == .push { arrivals.collect(into: &recorder) }
    }

    /// Answers a ping with a pong and a close with a close; returns true for a close.
    static func answerControlFrame(_ frame: WebSocketFrame, _ outbound: NIOAsyncChannelOutboundWriter<WebSocketFrame>) async throws -> Bool {
        switch frame.opcode {
        case .ping:
            try await outbound.write(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData))
            return false
        case .connectionClose:
            var data = frame.unmaskedData
            let code = data.readSlice(length: 2) ?? ByteBuffer()
            try await outbound.write(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code))
            return true
        default:
            return false
        }
    }
}
