import BenchCore
import NIOCore
import NIOWebSocket

/// STOMP 1.2 over WebSocket's client half, on the WebSocket client's connection
/// (``WebSocketConnection``): it upgrades `/stomp` offering the `v12.stomp` subprotocol, sends
/// CONNECT (`heart-beat:0,MS` when the scenario has a heartbeat: it sends none and wants the
/// server's every MS), and its ``StompReceiver`` subscribes once CONNECTED arrives, with the
/// resume header carrying the last sequence it has, records every MESSAGE and acknowledges as
/// ``ack`` asks.
///
/// After a dropped connection it reconnects through the shared ``ReconnectLoop`` and subscribes
/// again after the last sequence it received, so every event arrives exactly once (or inside an
/// announced gap). An ERROR frame from the server ends the connection with its message recorded.
public struct StompClient: TransportClient {
    public let kind = TransportKind.stomp
    /// The subscription's ack mode.
    public let ack: StompAckMode
    public var variant: String { "ack-\(ack.rawValue)" }

    public init(ack: StompAckMode) {
        self.ack = ack
    }

    /// The CONNECT frame for `host`, asking for the server's heart-beats every `heartbeatSeconds`.
    static func connect(host: String, heartbeatSeconds: Double?) -> StompFrame {
        var frame = StompFrame(.connect, ["accept-version": "1.2", "host": host])
        if let seconds = heartbeatSeconds {
            frame.headers.append(StompFrame.Header("heart-beat", StompHeartbeat(canSend: 0, wants: Int((seconds * 1000).rounded())).header))
        }
        return frame
    }

    public func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async {
        let arrivals = Arrivals(for: recorder, resume: StompReceiver.Resume())
        let (encoding, ack) = (target.scenario.encoding, ack)
        let fields = target.requestFields(.webSocket) + [HeaderProfile.Field("Sec-WebSocket-Protocol", StompFrame.subprotocol)]
        let connect = Self.connect(host: target.host, heartbeatSeconds: target.scenario.heartbeatIntervalSeconds)
        var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x570)
        await loop.run(recorder: &recorder) { loop, recorder in
            arrivals.record { state in
                state.resume.closedCleanly = false
                state.resume.serverError = nil
            }
            // What this connection's permessage-deflate layer does, folded in when it ends.
            let counter = CompressionCounter()
            defer { recorder.compression = recorder.compression + counter.tally }
            let arrival = ArrivalClock()
            let channel = try await WebSocketConnection.connect(
                to: target, uri: "/stomp?encoding=\(encoding.rawValue)", fields: fields,
                compression: target.scenario.compression, counter: counter, arrival: arrival
            ) {
                [StompReceiver(codec: EventCodec(encoding), ack: ack, arrivals: arrivals, arrival: arrival)]
            }
            recorder.noteConnectionOpened()
            recorder.requestsSent += 1
            try await channel.executeThenClose { inbound, outbound in
                recorder.progress.markReady()
                try await outbound.write(WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: connect.bytes))
                // The receiver consumes every frame: this waits for the connection to end.
                defer { if arrivals.takeProgress() { loop.resetBackoff() } }
                for try await _ in inbound {}
            }
            let resume = arrivals.resume
            if let message = resume.serverError { return .endedEarly(noting: StompClientError.serverError(message)) }
            return resume.closedCleanly ? .finished : .endedEarly(noting: WebSocketClientError.closedEarly)
        }
        arrivals.collect(into: &recorder)
    }
}

enum StompClientError: Error, CustomStringConvertible {
    /// The server's ERROR frame, with its `message`.
    case serverError(String)

    var description: String {
        switch self {
        case .serverError(let message): "the STOMP server sent ERROR: \(message)"
        }
    }
}
