/// The server's side of one STOMP 1.2 connection as a state machine: the frames the client
/// sends in, what the server answers and starts, without sockets.
///
/// - CONNECT (or STOMP) with `accept-version` including `1.2` and a `host` header: CONNECTED
///   with `version:1.2` and the server's `heart-beat` offer. Any other version: an ERROR naming
///   the one it speaks. Any other frame before it: an ERROR.
/// - SUBSCRIBE with `id`, `destination` ``destination`` and `ack` (auto, client or
///   client-individual; auto when absent) starts the one subscription of the connection, after
///   the sequence in ``resumeHeader`` when present, else with the next event published.
/// - UNSUBSCRIBE with the subscription's `id` stops it; ACK and NACK need an `id` and are
///   otherwise only read (resume is by ``resumeHeader``: nothing is redelivered).
/// - DISCONNECT ends the connection. Every frame but CONNECT with a `receipt` header gets a
///   RECEIPT first.
/// - SEND and transactions (BEGIN, COMMIT, ABORT): an ERROR, as the server only pushes.
struct StompServerSession {
    /// The one destination: the hub's events.
    static let destination = "/topic/events"
    /// The SUBSCRIBE header carrying the resume cursor: deliver the events after this sequence
    /// (in the spirit of RabbitMQ's `x-stream-offset`, but exclusive, as `after=` is elsewhere).
    static let resumeHeader = "x-resume-after"

    /// A subscription the client asked for.
    struct Subscription: Sendable, Equatable {
        var id: String
        var ack: StompAckMode
        /// The last sequence the client has; `nil` starts with the next event published.
        var resumeAfter: UInt64?
        /// Milliseconds between the server's heart-beats, 0 for none (negotiated at CONNECT).
        var heartbeatMilliseconds: Int
    }

    /// What to do about one frame from the client.
    struct Reply: Sendable, Equatable {
        /// Frames to send back, in order.
        var frames: [StompFrame] = []
        /// A subscription to start pushing.
        var subscribe: Subscription?
        /// Stop pushing: the subscription was cancelled.
        var unsubscribe = false
        /// Close the connection once `frames` are sent.
        var disconnect = false
    }

    private enum Phase {
        case awaitingConnect, connected
        case subscribed(id: String)
        case unsubscribed
    }

    /// What the server offers in CONNECTED: heart-beats every this many milliseconds (0: none);
    /// it wants none from the client.
    let offer: StompHeartbeat
    private var phase = Phase.awaitingConnect
    private var heartbeatMilliseconds = 0

    /// A session whose server can send heart-beats every `heartbeatMilliseconds` (0: none).
    init(heartbeatMilliseconds: Int) {
        offer = StompHeartbeat(canSend: heartbeatMilliseconds, wants: 0)
    }

    /// The answer to `frame`.
    /// - Throws: ``StompError`` for a frame the session does not accept now; the connection
    ///   gets its ERROR frame and is closed.
    mutating func receive(_ frame: StompFrame) throws(StompError) -> Reply {
        if case .awaitingConnect = phase {
            guard frame.command == .connect || frame.command == .stomp else {
                throw StompError("expected CONNECT, got \(frame.command.rawValue)")
            }
            return try connect(frame)
        }
        var reply = Reply()
        switch frame.command {
        case .connect, .stomp:
            throw StompError("already connected")
        case .subscribe:
            reply.subscribe = try subscribe(frame)
        case .unsubscribe:
            let id = try required("id", frame)
            guard case .subscribed(let current) = phase, current == id else { throw StompError("no subscription with id \(id)") }
            phase = .unsubscribed
            reply.unsubscribe = true
        case .ack, .nack:
            _ = try required("id", frame)
        case .disconnect:
            reply.disconnect = true
        case .send, .begin, .commit, .abort:
            throw StompError("\(frame.command.rawValue) is not supported: this server only pushes")
        case .connected, .message, .receipt, .error:
            throw StompError("\(frame.command.rawValue) is a server frame")
        }
        if let receipt = frame["receipt"] { reply.frames.insert(StompFrame(.receipt, ["receipt-id": receipt]), at: 0) }
        return reply
    }

    private mutating func connect(_ frame: StompFrame) throws(StompError) -> Reply {
        let versions = (frame["accept-version"] ?? "1.0").split(separator: ",")
        guard versions.contains("1.2") else {
            throw StompError("supported protocol versions are 1.2", headers: [StompFrame.Header("version", "1.2")])
        }
        _ = try required("host", frame)
        let client = try StompHeartbeat(frame["heart-beat"])
        heartbeatMilliseconds = StompHeartbeat.interval(sender: offer, receiver: client)
        phase = .connected
        return Reply(frames: [StompFrame(.connected, ["version": "1.2", "heart-beat": offer.header])])
    }

    private mutating func subscribe(_ frame: StompFrame) throws(StompError) -> Subscription {
        guard case .connected = phase else { throw StompError("one subscription per connection") }
        let id = try required("id", frame)
        let destination = try required("destination", frame)
        guard destination == Self.destination else { throw StompError("no destination \(destination); subscribe to \(Self.destination)") }
        guard let ack = StompAckMode(rawValue: frame["ack"] ?? "auto") else {
            throw StompError("ack must be auto, client or client-individual")
        }
        var resumeAfter: UInt64?
        if let cursor = frame[Self.resumeHeader] {
            guard let value = UInt64(cursor) else { throw StompError("\(Self.resumeHeader) must be a sequence number") }
            resumeAfter = value
        }
        phase = .subscribed(id: id)
        return Subscription(id: id, ack: ack, resumeAfter: resumeAfter, heartbeatMilliseconds: heartbeatMilliseconds)
    }

    private func required(_ name: String, _ frame: StompFrame) throws(StompError) -> String {
        guard let value = frame[name] else { throw StompError("\(frame.command.rawValue) needs the \(name) header") }
        return value
    }
}
