import Synchronization

/// The bytes a Redis connection wrote to and read from its socket, readable from any thread.
///
/// ``RedisWireMeter`` adds to it on the connection's event loop; a ``RedisSubscriber`` keeps one
/// across its reconnections, so its counts cover every connection it made.
final class RedisByteCounts: Sendable {
    private let written = Atomic<Int>(0)
    private let read = Atomic<Int>(0)

    /// Bytes written to the socket so far.
    var bytesWritten: Int { written.load(ordering: .relaxed) }
    /// Bytes read from the socket so far.
    var bytesRead: Int { read.load(ordering: .relaxed) }

    func countWritten(_ count: Int) {
        written.add(count, ordering: .relaxed)
    }

    func countRead(_ count: Int) {
        read.add(count, ordering: .relaxed)
    }
}
