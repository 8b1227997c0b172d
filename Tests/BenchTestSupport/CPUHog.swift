import Foundation
import Synchronization

/// Threads that spin until ``end()`` or their deadline, whichever comes first: a neighbour that
/// keeps every CPU busy, so a run beside it is disturbed.
public final class CPUHog: Sendable {
    private let stopped = Atomic<Bool>(false)

    /// Starts `threads` spinning threads that stop by themselves after `seconds` at most.
    public init(threads: Int, seconds: Double) {
        let deadline = Date().addingTimeInterval(seconds)
        for _ in 0..<threads {
            Thread { [self] in
                var spins: UInt64 = 0
                while !self.stopped.load(ordering: .relaxed) {
                    spins &+= 1
                    if spins % 1_000_000 == 0, Date() >= deadline { break }
                }
            }.start()
        }
    }

    /// Stops the spinning threads.
    public func end() {
        stopped.store(true, ordering: .relaxed)
    }
}
