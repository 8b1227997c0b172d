import BenchCore

/// Runs a client's connection attempts until the run is over, reconnecting with backoff after
/// an attempt that fails or ends early.
///
/// The loop owns retrying; the attempt owns one connection's life and says how it ended. After
/// an attempt that throws or ends early, the loop records the error, counts a reconnect and waits
/// ``retryBaseSeconds`` plus the next ``Backoff`` delay. A stop request (``ClientProgress``) or
/// the task's cancellation ends the loop quietly, also in the middle of a wait.
///
/// ```swift
/// var loop = ReconnectLoop(seed: target.scenario.seed ^ UInt64(target.clientIndex) ^ 0x3E6)
/// await loop.run(recorder: &recorder) { loop, recorder in
///     let channel = try await WebSocketConnection.connect(to: target, uri: uri)
///     recorder.noteConnectionOpened()
///     let closedCleanly = try await channel.executeThenClose { inbound, outbound in
///         … // each event received calls loop.resetBackoff()
///     }
///     return closedCleanly ? .finished : .endedEarly(noting: WebSocketClientError.closedEarly)
/// }
/// ```
public struct ReconnectLoop: Sendable {
    /// How an attempt ended, when it did not throw.
    public enum Outcome {
        /// The client's work is done: the loop ends.
        case finished
        /// Go again at once, without a reconnect or a wait (a poll answered, a call past its deadline).
        case again
        /// The connection ended before the run did: recorded with `noting` (when given), counted
        /// as a reconnect, and followed by the wait.
        case endedEarly(noting: (any Error)?)
    }

    /// Seconds waited before the backoff's delay on every reconnect (Server-Sent Events: the
    /// server's `retry:` time); an attempt may change it.
    public var retryBaseSeconds: Double
    private var backoff: Backoff
    /// Sleeps for a delay in seconds; tests replace it to see the delays.
    var sleep: @Sendable (Double) async throws -> Void = { try await Task.sleep(for: .seconds($0)) }

    /// A loop whose backoff (``Backoff``'s defaults) is seeded with `seed`, so runs repeat.
    public init(seed: UInt64, retryBaseSeconds: Double = 0) {
        self.backoff = Backoff(seed: seed)
        self.retryBaseSeconds = retryBaseSeconds
    }

    /// Starts the backoff over; an attempt calls it once it has made progress.
    public mutating func resetBackoff() { backoff.reset() }

    /// Runs `attempt` until it finishes, the run asks the client to stop or the task is
    /// cancelled, recording errors and reconnects in `recorder`.
    public mutating func run(
        recorder: inout DeliveryRecorder,
        attempt: (inout ReconnectLoop, inout DeliveryRecorder) async throws -> Outcome
    ) async {
        await run(until: recorder.progress, onReconnect: { recorder.noteReconnect(after: $0) }) { loop in
            try await attempt(&loop, &recorder)
        }
    }

    /// Runs `attempt` until it finishes, `progress` asks the client to stop or the task is
    /// cancelled; `onReconnect` records each reconnect (with the error that caused it, if any)
    /// before its wait.
    public mutating func run(
        until progress: ClientProgress,
        onReconnect: ((any Error)?) -> Void,
        attempt: (inout ReconnectLoop) async throws -> Outcome
    ) async {
        while !Task.isCancelled && !progress.isStopRequested {
            let cause: (any Error)?
            do {
                switch try await attempt(&self) {
                case .finished: return
                case .again: continue
                case .endedEarly(let error):
                    if progress.isStopRequested { return }
                    cause = error
                }
            } catch {
                if Task.isCancelled || error is CancellationError || progress.isStopRequested { return }
                cause = error
            }
            onReconnect(cause)
            do { try await sleep(retryBaseSeconds + backoff.nextDelaySeconds()) } catch { return }
        }
    }
}
