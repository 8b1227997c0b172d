import BenchCore
import Synchronization

/// Where a client records what arrives, from the event loop that read it.
///
/// A client's receiving half (an ``HTTPExchangeHandler``'s receiver, the WebSocket push
/// receiver) decodes each event, checks it against the ledger and records its latency in the
/// read that brought its bytes, with no hop to a Swift task in between. What the client needs
/// to resume after a reconnect (a cursor, the last event ID) is kept beside the recorder as
/// `Resume`. The task that runs the client keeps the rest of its ``DeliveryRecorder``
/// (requests, connections, errors) and takes the ledger and latency back when it ends
/// (``collect(into:)``).
///
/// A lock guards the state: one connection of a client reads at a time, so it is never
/// contended and costs tens of nanoseconds against the tens of microseconds an event takes.
final class Arrivals<Resume: Sendable>: Sendable {
    struct State: Sendable {
        /// The ledger and latency of what arrived; the rest of it is unused.
        var recorder: DeliveryRecorder
        var resume: Resume
        /// Set when an event arrived; the task reads and clears it (``takeProgress()``).
        var progressed = false
    }

    private let state: Mutex<State>
    /// The client's progress, which the runner watches.
    let progress: ClientProgress

    /// Arrivals of the client whose recorder is `recorder` (its progress and clock offset).
    init(for recorder: DeliveryRecorder, resume: Resume) {
        progress = recorder.progress
        var own = DeliveryRecorder(progress: recorder.progress)
        own.clockOffsetNanoseconds = recorder.clockOffsetNanoseconds
        state = Mutex(State(recorder: own, resume: resume))
    }

    /// Runs `body` with the state, under the lock.
    func record<Result: Sendable, Failure: Error>(_ body: (inout State) throws(Failure) -> Result) throws(Failure) -> Result {
        try state.withLock { (state: inout State) throws(Failure) -> Result in try body(&state) }
    }

    /// What the client resumes from.
    var resume: Resume { state.withLock { $0.resume } }

    /// Whether an event arrived since the last call.
    func takeProgress() -> Bool {
        state.withLock { state in
            defer { state.progressed = false }
            return state.progressed
        }
    }

    /// Puts the ledger and latency of what arrived into `recorder`.
    func collect(into recorder: inout DeliveryRecorder) {
        let arrived = state.withLock { $0.recorder }
        recorder.ledger = arrived.ledger
        recorder.latency = arrived.latency
    }
}
