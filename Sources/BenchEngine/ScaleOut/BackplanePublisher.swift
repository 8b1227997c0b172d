import BenchCore
import BenchRedis
import NIOCore
import Synchronization

/// A scale-out run's publisher: the application that PUBLISHes each event once to the Redis
/// channel every node subscribes to, on its connection's event loop (a ``ServerSchedule``'s
/// ``EventSink``).
///
/// Each event is stamped (`publishedAt`) just before its PUBLISH is written, and encoded in the
/// run's encoding, the body every node relays as it is. A PUBLISH that fails (Redis went away)
/// loses its event: ``lost`` names it, and the run fails naming it.
final class BackplanePublisher: EventSink {
    private let connection: RedisConnection
    private let channel: String
    private let codec: Mutex<EventCodec>
    private let failed = Mutex<[UInt64]>([])
    /// The PUBLISH replies (subscribers that got each event), for the fewest seen.
    private let fewestReceivers = Atomic<Int>(.max)

    init(connection: RedisConnection, channel: BackplaneChannel) {
        self.connection = connection
        self.channel = channel.channel
        self.codec = Mutex(EventCodec(channel.encoding))
    }

    var loop: any EventLoop { connection.eventLoop }

    func publish(sequence: UInt64, payload: String, sizeIn encoding: Encoding?) -> Int? {
        let body = codec.withLock { $0.encode(Event(sequence: sequence, publishedAt: MonotonicClock.nowNanoseconds(), payload: payload)) }
        connection.submit(.publish(channel: channel, payload: body)).whenComplete { result in
            switch result {
            case .success(let reply): self.fewestReceivers.min(Int(reply.integer ?? 0), ordering: .relaxed)
            case .failure: self.failed.withLock { $0.append(sequence) }
            }
        }
        return encoding.map { _ in body.readableBytes }
    }

    /// Sequences whose PUBLISH failed, as ranges.
    var lost: [ClosedRange<UInt64>] { failed.withLock { Self.ranges($0.sorted()) } }

    /// The fewest nodes any event reached (PUBLISH's reply); `nil` before the first reply.
    var fewestNodesReached: Int? {
        let fewest = fewestReceivers.load(ordering: .relaxed)
        return fewest == .max ? nil : fewest
    }

    /// TCP payload bytes the publisher wrote (its PUBLISH commands) and read (Redis's replies).
    var socketBytes: (sent: Int, received: Int) { (connection.bytesWritten, connection.bytesRead) }

    func close() async { await connection.close() }

    /// Ascending sequences as ranges of consecutive ones.
    static func ranges(_ sequences: [UInt64]) -> [ClosedRange<UInt64>] {
        var ranges: [ClosedRange<UInt64>] = []
        for sequence in sequences {
            if let last = ranges.last, last.upperBound + 1 == sequence {
                ranges[ranges.count - 1] = last.lowerBound...sequence
            } else if ranges.last?.contains(sequence) != true {
                ranges.append(sequence...sequence)
            }
        }
        return ranges
    }
}
