import Synchronization

/// A one-shot start signal: clients that drive their own sending (echo, upload) wait on it, and
/// the runner opens it once every client is connected, so all schedules start together.
public final class StartGate: Sendable {
    /// The common start: an instant to sleep against and the same moment on ``MonotonicClock``,
    /// which every latency is measured with.
    public struct Start: Sendable {
        public var instant: ContinuousClock.Instant
        public var monotonicNanoseconds: UInt64
    }

    private enum State {
        case closed([CheckedContinuation<Start, Never>])
        case open(Start)
    }

    private let state = Mutex(State.closed([]))

    public init() {}

    /// Opens the gate now, waking every waiter; returns the start.
    @discardableResult
    public func open() -> Start {
        let start = Start(instant: .now, monotonicNanoseconds: MonotonicClock.nowNanoseconds())
        let waiters = state.withLock { state -> [CheckedContinuation<Start, Never>] in
            guard case .closed(let waiters) = state else { return [] }
            state = .open(start)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: start) }
        return start
    }

    /// The start, once the gate opens.
    public func wait() async -> Start {
        await withCheckedContinuation { continuation in
            let instant = state.withLock { state -> Start? in
                switch state {
                case .open(let instant): return instant
                case .closed(var waiters):
                    waiters.append(continuation)
                    state = .closed(waiters)
                    return nil
                }
            }
            if let instant { continuation.resume(returning: instant) }
        }
    }
}
