import BenchCore
import Synchronization

/// What the server received from clients that upload (client → server), by client number.
///
/// An upload's ledger lives on the receiving side, so the server keeps it: each client's session
/// records which sequences arrived and when, across reconnects. The lock is per client and is
/// only contended if one client number is used on two connections at once.
public final class UploadRegistry: Sendable {
    /// One client's uploads as the server saw them.
    public struct Uploads: Sendable {
        public var ledger = Ledger()
        /// When each sequence arrived (index 0 is sequence 1; 0 = not yet), ``MonotonicClock`` nanoseconds.
        public var receivedAt: [UInt64] = []

        public init() {}
    }

    /// One client's session, shared by its connections.
    public final class Session: Sendable {
        private let uploads = Mutex(Uploads())
        /// Distinct events received so far, for the runner's drain check.
        public let progress = ClientProgress()

        init() {}

        /// Records one uploaded event.
        public func record(_ event: Event, receivedAt: UInt64) {
            let delivered = uploads.withLock { uploads -> Int in
                if uploads.ledger.record(event.sequence) != .duplicate {
                    let index = Int(event.sequence - 1)
                    if index >= uploads.receivedAt.count {
                        uploads.receivedAt.append(contentsOf: repeatElement(0, count: index + 1 - uploads.receivedAt.count))
                    }
                    uploads.receivedAt[index] = receivedAt
                }
                return uploads.ledger.delivered
            }
            progress.noteDelivered(delivered)
        }

        public var snapshot: Uploads { uploads.withLock { $0 } }
    }

    private let sessions = Mutex<[Int: Session]>([:])

    public init() {}

    /// The session of client `number`, created on first use.
    public func session(for number: Int) -> Session {
        sessions.withLock { sessions in
            if let session = sessions[number] { return session }
            let session = Session()
            sessions[number] = session
            return session
        }
    }
}
