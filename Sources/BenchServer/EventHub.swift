import BenchCore
import NIOCore
import Synchronization

/// Publishes ``Event``s and keeps a bounded window of recent ones, so a client that asks for
/// "everything after sequence N" gets all it missed, or an explicit gap when N fell out of the
/// window.
///
/// Each event is encoded once, when it is published, in every encoding the hub serves; the
/// transports' server halves write those bodies as they are, whatever the number of clients.
///
/// ```swift
/// let hub = EventHub(retainedEvents: 1_000, encodings: [.json], timerLoop: group.next())
/// hub.publish(payload: "hello")
/// let batch = await hub.next(after: 0, timeout: .seconds(30))
/// ```
public final class EventHub: Sendable {
    /// A published event with its encoded bodies.
    public struct StoredEvent: Sendable {
        public let event: Event
        private let bodies: [Encoding: ByteBuffer]
        private let textBodies: [Encoding: ByteBuffer]

        init(event: Event, bodies: [Encoding: ByteBuffer]) {
            self.event = event
            self.bodies = bodies
            var textBodies: [Encoding: ByteBuffer] = [:]
            for (encoding, body) in bodies where encoding.isBinary {
                textBodies[encoding] = EventCodec.textForm(of: body, encoding: encoding)
            }
            self.textBodies = textBodies
        }

        /// The encoded body, or `nil` when the hub does not serve `encoding`.
        public func body(_ encoding: Encoding) -> ByteBuffer? { bodies[encoding] }

        /// The body as text (base64 for binary encodings), for carriers that take only text.
        public func textBody(_ encoding: Encoding) -> ByteBuffer? { encoding.isBinary ? textBodies[encoding] : bodies[encoding] }
    }

    /// The answer to "what came after sequence N".
    public struct Batch: Sendable {
        /// Why the batch was handed out.
        public enum Reason: Sendable, Hashable {
            /// Events (or a gap) were there.
            case available
            /// Nothing came before the timeout.
            case timedOut
            /// The hub was finished: the run is over.
            case finished
            /// The waiting task was cancelled.
            case cancelled
        }

        /// Events after the cursor, in sequence order.
        public var events: [StoredEvent]
        /// Sequences after the cursor that have left the retention window.
        public var gap: ClosedRange<UInt64>?
        public var reason: Reason

        public var isEmpty: Bool { events.isEmpty && gap == nil }

        /// The cursor of a client that was at `cursor` once it has this batch.
        public func cursor(after cursor: UInt64) -> UInt64 {
            Swift.max(cursor, gap?.upperBound ?? 0, events.last?.event.sequence ?? 0)
        }
    }

    private struct Waiter {
        var cursor: UInt64
        var wake: Wake
        var timer: Scheduled<Void>?
    }

    /// How a waiter is handed its batch: a task's continuation (``next(after:timeout:)``), or a
    /// callback run on a connection's event loop (``stream(after:heartbeat:to:_:)``), so a server
    /// writes from the event loop with no task between the publish and the write.
    private enum Wake {
        case task(CheckedContinuation<Batch, Never>)
        case loop(any EventLoop, @Sendable (Batch) -> Void)

        func callAsFunction(_ batch: Batch) {
            switch self {
            case .task(let continuation): continuation.resume(returning: batch)
            case .loop(let loop, let callback): loop.execute { callback(batch) }
            }
        }
    }

    private struct State {
        var ring: [StoredEvent?]
        var lastSequence: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var finished = false
        /// One codec per served encoding; used only under the lock, by `publish`.
        let codecs: [EventCodec]

        var firstRetained: UInt64 {
            lastSequence < UInt64(ring.count) ? 1 : lastSequence - UInt64(ring.count) + 1
        }

        func batch(after cursor: UInt64, limit: Int) -> Batch {
            var batch = Batch(events: [], gap: nil, reason: .available)
            guard cursor < lastSequence else { return batch }
            var first = cursor + 1
            if first < firstRetained {
                batch.gap = first...(firstRetained - 1)
                first = firstRetained
            }
            let last = Swift.min(lastSequence, first + UInt64(Swift.max(limit, 1)) - 1)
            batch.events.reserveCapacity(Int(last - first + 1))
            for sequence in first...last {
                // A relayed stream may miss sequences its broker lost: those slots are empty.
                if let stored = ring[slot(sequence)] { batch.events.append(stored) }
            }
            return batch
        }

        /// The ring slot of `sequence`.
        func slot(_ sequence: UInt64) -> Int { Int((sequence - 1) % UInt64(ring.count)) }
    }

    private let state: Mutex<State>
    private let nextWaiterID = Atomic<UInt64>(0)
    /// The event loop that runs wait timeouts; a run's schedule publishes from it too.
    public let timerLoop: any EventLoop
    /// How many recent events are kept.
    public let retainedEvents: Int

    /// Creates a hub.
    /// - Parameters:
    ///   - retainedEvents: the size of the window of recent events.
    ///   - encodings: the encodings each event is encoded in when published.
    ///   - timerLoop: the event loop that runs wait timeouts.
    public init(retainedEvents: Int, encodings: [Encoding], timerLoop: any EventLoop) {
        precondition(retainedEvents >= 1)
        self.retainedEvents = retainedEvents
        self.timerLoop = timerLoop
        self.state = Mutex(State(ring: Array(repeating: nil, count: retainedEvents), codecs: encodings.map(EventCodec.init)))
    }

    /// The highest sequence published so far (0 before the first).
    public var lastSequence: UInt64 { state.withLock { $0.lastSequence } }

    /// Publishes one event now and wakes every waiting client.
    @discardableResult
    public func publish(payload: String) -> StoredEvent {
        store(encoded: nil) { state in Event(sequence: state.lastSequence + 1, publishedAt: MonotonicClock.nowNanoseconds(), payload: payload) }!
    }

    /// Publishes an event another process numbered and stamped (a scale-out node relaying its
    /// backplane), keeping its sequence and publish time, and wakes every waiting client.
    ///
    /// Sequences the relay skipped (the broker lost them) stay missing: a client's batch skips
    /// them, so its ledger names them lost. An event at or below ``lastSequence`` (a duplicate)
    /// is ignored: returns `nil`. `encoded` is the event's body as it arrived, in its encoding,
    /// kept as it is rather than encoded again (``EventCodec`` made it, as the hub would).
    @discardableResult
    public func relay(_ event: Event, encoded: (body: ByteBuffer, encoding: Encoding)? = nil) -> StoredEvent? {
        store(encoded: encoded) { state in event.sequence > state.lastSequence ? event : nil }
    }

    /// Stores the event `make` returns (numbered after the last, or later) with its bodies
    /// (`encoded`'s, and the others encoded here), clears the slots of any sequences it skipped,
    /// and wakes every waiter it has news for.
    private func store(encoded: (body: ByteBuffer, encoding: Encoding)?, _ make: (State) -> Event?) -> StoredEvent? {
        var woken: [(Wake, Batch, Scheduled<Void>?)] = []
        let stored = state.withLock { state -> StoredEvent? in
            guard let event = make(state) else { return nil }
            var bodies: [Encoding: ByteBuffer] = [:]
            for codec in state.codecs {
                bodies[codec.encoding] = codec.encoding == encoded?.encoding ? encoded!.body : codec.encode(event)
            }
            let stored = StoredEvent(event: event, bodies: bodies)
            // Skipped sequences (at most a ring's worth) leave no stale event in their slots.
            let skipped = Swift.min(event.sequence - state.lastSequence - 1, UInt64(state.ring.count))
            for sequence in (event.sequence - skipped)..<event.sequence { state.ring[state.slot(sequence)] = nil }
            state.lastSequence = event.sequence
            state.ring[state.slot(event.sequence)] = stored
            if !state.waiters.isEmpty {
                woken.reserveCapacity(state.waiters.count)
                // Waiters almost always share a cursor (they were all up to date): build each
                // distinct batch once. A waiter ahead of this hub (a poller that got later events
                // from a node whose backplane runs ahead) has no news yet: it keeps waiting.
                var batches: [UInt64: Batch] = [:]
                var waiting: [UInt64: Waiter] = [:]
                for (id, waiter) in state.waiters {
                    let batch = batches[waiter.cursor] ?? state.batch(after: waiter.cursor, limit: .max)
                    batches[waiter.cursor] = batch
                    if batch.isEmpty { waiting[id] = waiter } else { woken.append((waiter.wake, batch, waiter.timer)) }
                }
                state.waiters.removeAll(keepingCapacity: true)
                state.waiters.merge(waiting) { first, _ in first }
            }
            return stored
        }
        for (wake, batch, timer) in woken {
            timer?.cancel()
            wake(batch)
        }
        return stored
    }

    /// Events after `cursor` available now, at most `limit` of them; never waits.
    public func events(after cursor: UInt64, limit: Int = .max) -> Batch {
        state.withLock { $0.batch(after: cursor, limit: limit) }
    }

    /// Events after `cursor`: at once if there are some, otherwise as soon as one is published,
    /// the timeout passes, the hub finishes or the task is cancelled.
    public func next(after cursor: UInt64, timeout: TimeAmount? = nil) async -> Batch {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Batch, Never>) in
                // Checked under the lock: a cancellation handler that ran before this point
                // found no waiter to remove, but it had already set the flag.
                wait(id, after: cursor, timeout: timeout, wake: .task(continuation)) { Task.isCancelled }
            }
        } onCancel: {
            resumeWaiter(id, reason: .cancelled)
        }
    }

    /// Streams the events after `cursor` to one connection (`channel`) from its event loop, until
    /// the hub finishes or the calling task is cancelled.
    ///
    /// `write` runs on `loop` with each batch — events, a gap, ``Batch/Reason/timedOut`` after
    /// `heartbeat` of idleness, then ``Batch/Reason/finished`` or ``Batch/Reason/cancelled`` —
    /// and returns the future of its writes, or `nil` once the stream is over; returns how the
    /// stream ended (finished, or cancelled). The hub is asked for more at once while the channel
    /// stays writable, else only when the writes have gone out, so a client that stops reading
    /// holds back only itself: it falls behind, and a gap is announced once its cursor leaves the
    /// retention window.
    @discardableResult
    public func stream(
        after cursor: UInt64, heartbeat: TimeAmount?, to channel: any Channel, _ write: @escaping @Sendable (Batch) -> EventLoopFuture<Void>?
    ) async -> Batch.Reason {
        let loop = channel.eventLoop
        // How the stream ended: finished or cancelled (also when a write failed or `write` stopped it).
        let ended = loop.makePromise(of: Batch.Reason.self)
        // The waiter armed now, and whether the task was cancelled (then the next arming ends the stream).
        let armed = Mutex<(id: UInt64?, cancelled: Bool)>((nil, false))
        @Sendable func arm(after cursor: UInt64) {
            let id = nextWaiterID.add(1, ordering: .relaxed).newValue
            guard armed.withLock({ state in state.id = id; return !state.cancelled }) else {
                _ = write(Batch(events: [], gap: nil, reason: .cancelled))
                return ended.succeed(.cancelled)
            }
            wait(id, after: cursor, timeout: heartbeat, wake: .loop(loop) { batch in
                guard let written = write(batch) else {
                    return ended.succeed(batch.reason == .finished ? .finished : .cancelled)
                }
                // As NIO's async writers do: more while the channel is writable, else once the
                // writes have gone out.
                if channel.isWritable { return arm(after: batch.cursor(after: cursor)) }
                written.whenComplete { result in
                    switch result {
                    case .success: arm(after: batch.cursor(after: cursor))
                    case .failure: ended.succeed(.cancelled)
                    }
                }
            }) { false }
        }
        loop.execute { arm(after: cursor) }
        return await withTaskCancellationHandler {
            (try? await ended.futureResult.get()) ?? .cancelled
        } onCancel: {
            let id = armed.withLock { state in
                state.cancelled = true
                return state.id
            }
            if let id { resumeWaiter(id, reason: .cancelled) }
        }
    }

    /// Hands `wake` the events after `cursor` at once if there are some (or the hub has
    /// finished, or `cancelled()` says so under the lock), otherwise registers it as waiter `id`.
    private func wait(_ id: UInt64, after cursor: UInt64, timeout: TimeAmount?, wake: Wake, cancelled: () -> Bool) {
        let immediate = state.withLock { state -> Batch? in
            if state.finished { return Batch(events: [], gap: nil, reason: .finished) }
            let batch = state.batch(after: cursor, limit: .max)
            if !batch.isEmpty { return batch }
            if cancelled() { return Batch(events: [], gap: nil, reason: .cancelled) }
            var waiter = Waiter(cursor: cursor, wake: wake, timer: nil)
            if let timeout {
                waiter.timer = timerLoop.scheduleTask(in: timeout) { [self] in
                    self.resumeWaiter(id, reason: .timedOut)
                }
            }
            state.waiters[id] = waiter
            return nil
        }
        if let immediate { wake(immediate) }
    }

    /// Ends the stream: every waiting client is woken with ``Batch/Reason/finished`` and later
    /// waits return at once. Events published before stay available.
    public func finish() {
        let waiters = state.withLock { state -> [Waiter] in
            state.finished = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.timer?.cancel()
            waiter.wake(Batch(events: [], gap: nil, reason: .finished))
        }
    }

    private func resumeWaiter(_ id: UInt64, reason: Batch.Reason) {
        guard let waiter = state.withLock({ $0.waiters.removeValue(forKey: id) }) else { return }
        if reason != .timedOut { waiter.timer?.cancel() }
        waiter.wake(Batch(events: [], gap: nil, reason: reason))
    }
}
