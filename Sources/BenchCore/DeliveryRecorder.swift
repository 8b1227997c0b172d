import Synchronization

/// What one client saw: its ``Ledger``, its ``LatencyHistogram`` and its own request counts.
///
/// A client task owns its recorder (passed `inout`), so recording takes no lock. The only
/// shared piece is ``progress``, which the runner reads to know when every client is ready and
/// when every event has arrived.
public struct DeliveryRecorder: Sendable {
    public var ledger = Ledger()
    /// Latency from publish (push) or from the scheduled send time (echo, upload).
    public var latency = LatencyHistogram()
    /// Echo and upload: latency from the actual send time, the figure without
    /// coordinated-omission correction, reported beside the corrected one.
    public var uncorrectedLatency: LatencyHistogram?
    /// Echo: payload bytes of the events delivered (each body up and back).
    public var payloadBytes = 0
    /// Upload: the encoded size of each event this client sent (index 0 is sequence 1).
    public var sentBodySizes: [Int] = []
    /// Echo and upload: when each event was scheduled to leave and when it left, in
    /// ``MonotonicClock`` nanoseconds (index 0 is sequence 1).
    public var scheduledAt: [UInt64] = []
    public var sentAt: [UInt64] = []
    /// Requests this client sent (HTTP requests, or WebSocket/stream messages for upload and echo).
    public var requestsSent = 0
    /// TCP connections this client opened.
    public var connectionsOpened = 0
    /// Times the client reconnected after a connection ended before the run did.
    public var reconnects = 0
    /// gRPC: calls that ended because their deadline passed (the client then opened a new one
    /// from its cursor), and calls the client cancelled. Neither loses events.
    public var deadlinesExceeded = 0
    public var callsCancelled = 0
    /// The client's compression layer: what it inflated (push) or compressed (echo, upload).
    public var compression = CompressionTally()
    /// TCP payload bytes the client's connections read from and wrote to their sockets, counted
    /// in front of TLS and every decoder (the clients' side of the wire; 0 when not counted).
    public var wireBytesReceived = 0
    public var wireBytesSent = 0
    /// Errors that ended a connection, as text, for the report (at most a few kept).
    public var connectionErrors: [String] = []
    /// For each reconnect, the time from the client noticing its connection (or call) was gone to
    /// its next connection opening, or its next call accepted (the backoff's wait included), in
    /// nanoseconds.
    public var reconnectNanoseconds: [UInt64] = []
    /// When the client noticed its last connection was gone (``MonotonicClock``), until it
    /// opens the next.
    private var disconnectedAt: UInt64?
    public let progress: ClientProgress
    /// Added to arrival times before push latency is taken, when the server's clock is not this
    /// process's (``ClockRelation``); 0 in-process.
    public var clockOffsetNanoseconds: Int64 = 0

    public init(progress: ClientProgress = ClientProgress()) {
        self.progress = progress
    }

    /// Records an event that arrived at `receivedAt` (``MonotonicClock`` nanoseconds).
    public mutating func deliver(_ event: Event, receivedAt: UInt64) {
        if ledger.record(event.sequence) != .duplicate {
            // On the server's clock; an offset estimated over the network may put an arrival a
            // little before its publish, which counts as 0.
            let arrival = receivedAt &+ UInt64(bitPattern: clockOffsetNanoseconds)
            latency.record(nanoseconds: arrival > event.publishedAt ? arrival - event.publishedAt : 0)
            progress.noteDelivered(ledger.delivered)
        }
    }

    /// Records an echoed event: latency from its scheduled send time (corrected for coordinated
    /// omission) and from its actual send time, `event.publishedAt` (uncorrected). The body
    /// crossed the wire twice, so it counts twice as payload.
    public mutating func deliverEcho(_ event: Event, scheduledAt: UInt64, receivedAt: UInt64, bodyBytes: Int) {
        guard ledger.record(event.sequence) != .duplicate else { return }
        latency.record(nanoseconds: receivedAt &- scheduledAt)
        if uncorrectedLatency == nil { uncorrectedLatency = LatencyHistogram() }
        uncorrectedLatency!.record(nanoseconds: receivedAt &- event.publishedAt)
        payloadBytes += 2 * bodyBytes
        progress.noteDelivered(ledger.delivered)
    }

    /// Records that event `sequence` (the next one) was sent.
    public mutating func noteSent(sequence: UInt64, bodySize: Int, scheduledAt scheduled: UInt64, sentAt sent: UInt64) {
        precondition(Int(sequence) == sentBodySizes.count + 1, "events are sent in sequence order")
        sentBodySizes.append(bodySize)
        scheduledAt.append(scheduled)
        sentAt.append(sent)
    }

    /// Counts a connection opened (for WebSocket, its upgrade done); after a reconnect, notes
    /// how long the client was without one (``reconnectNanoseconds``).
    public mutating func noteConnectionOpened() {
        connectionsOpened += 1
        noteResumed()
    }

    /// Notes that the client's connection (or call) is gone, unless it already was.
    public mutating func noteDisconnected() {
        if disconnectedAt == nil { disconnectedAt = MonotonicClock.nowNanoseconds() }
    }

    /// After a reconnect, notes how long the client was without a working connection
    /// (``reconnectNanoseconds``): called when a connection opens, or, where the connection
    /// outlived the failure (a gRPC call reset by a balancer whose connection stays up), when
    /// the next call is accepted.
    public mutating func noteResumed() {
        guard let lost = disconnectedAt else { return }
        reconnectNanoseconds.append(MonotonicClock.nowNanoseconds() &- lost)
        disconnectedAt = nil
    }

    /// Keeps an error that ended a connection (the first few only).
    public mutating func noteConnectionError(_ error: any Error) {
        if connectionErrors.count < 5 { connectionErrors.append(String(describing: error)) }
    }
}

/// The part of a client's state the runner watches while the client runs.
public final class ClientProgress: Sendable {
    private let readyFlag = Atomic<Bool>(false)
    private let deliveredCount = Atomic<Int>(0)
    private let stopFlag = Atomic<Bool>(false)

    public init() {}

    /// Set by the runner when the run is over: a client that sees its stream end, or is about to
    /// reconnect or poll again, returns instead.
    public func requestStop() { stopFlag.store(true, ordering: .releasing) }

    public var isStopRequested: Bool { stopFlag.load(ordering: .acquiring) }

    /// Called by the client once it is connected or subscribed and will not miss what is published.
    public func markReady() { readyFlag.store(true, ordering: .releasing) }

    public var isReady: Bool { readyFlag.load(ordering: .acquiring) }

    /// Distinct events delivered so far.
    public var delivered: Int { deliveredCount.load(ordering: .relaxed) }

    /// Publishes the number of distinct events delivered so far.
    public func noteDelivered(_ count: Int) { deliveredCount.store(count, ordering: .relaxed) }
}
