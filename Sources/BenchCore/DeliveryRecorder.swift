import Synchronization

/// What one client saw: its ``Ledger``, its ``LatencyHistogram`` and its own request counts.
///
/// A client task owns its recorder (passed `inout`), so recording takes no lock. The only
/// shared piece is ``progress``, which the runner reads to know when every client is ready and
/// when every event has arrived.
public struct DeliveryRecorder: Sendable {
    public var ledger = Ledger()
    public var latency = LatencyHistogram()
    /// Requests this client sent (HTTP requests, or WebSocket/stream messages for upload and echo).
    public var requestsSent = 0
    /// TCP connections this client opened.
    public var connectionsOpened = 0
    /// Times the client reconnected after a connection ended before the run did.
    public var reconnects = 0
    /// Errors that ended a connection, as text, for the report (at most a few kept).
    public var connectionErrors: [String] = []
    public let progress: ClientProgress

    public init(progress: ClientProgress = ClientProgress()) {
        self.progress = progress
    }

    /// Records an event that arrived at `receivedAt` (``MonotonicClock`` nanoseconds).
    public mutating func deliver(_ event: Event, receivedAt: UInt64) {
        if ledger.record(event.sequence) != .duplicate {
            latency.record(nanoseconds: receivedAt &- event.publishedAt)
            progress.noteDelivered(ledger.delivered)
        }
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

    public init() {}

    /// Called by the client once it is connected or subscribed and will not miss what is published.
    public func markReady() { readyFlag.store(true, ordering: .releasing) }

    public var isReady: Bool { readyFlag.load(ordering: .acquiring) }

    /// Distinct events delivered so far.
    public var delivered: Int { deliveredCount.load(ordering: .relaxed) }

    func noteDelivered(_ count: Int) { deliveredCount.store(count, ordering: .relaxed) }
}
