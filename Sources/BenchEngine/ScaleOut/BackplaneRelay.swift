import BenchCore
import BenchRedis
import BenchServer
import NIOCore
import Synchronization

/// A scale-out node's feed: every event the publisher sent through the backplane, relayed into
/// the node's ``EventHub`` with its sequence and publish time, on the subscription's event loop.
///
/// Each message is one event in the run's encoding (as the publisher encoded it). The relay
/// notes when each one was read (the broker hop: publish → the node's read, one kernel's
/// monotonic clock) and which sequences never came (Pub/Sub delivers at most once), and counts
/// its subscription's bytes at the socket: ``tally``.
final class BackplaneRelay: Sendable {
    private struct Feed {
        let codec: EventCodec
        var encoding: Encoding { codec.encoding }
        var tally = BackplaneTally()
        var highest: UInt64 = 0
        var brokerHop = LatencyHistogram()
    }

    private let feed: Mutex<Feed>
    private let hub: EventHub
    private let subscriber = Mutex<RedisSubscriber?>(nil)

    private init(encoding: Encoding, hub: EventHub) {
        self.feed = Mutex(Feed(codec: EventCodec(encoding)))
        self.hub = hub
    }

    /// Subscribes `hub` to `channel`; returns once Redis confirmed.
    /// - Throws: ``BenchError`` (usage) in one sentence when Redis cannot be reached.
    static func subscribe(to channel: BackplaneChannel, hub: EventHub) async throws -> BackplaneRelay {
        let relay = BackplaneRelay(encoding: channel.encoding, hub: hub)
        let subscriber = try await RedisSubscriber.subscribe(
            to: try RedisEndpoint(url: channel.url), channel: channel.channel, on: hub.timerLoop,
            onEvent: { event in relay.note(event) },
            onMessage: { body, readAt in relay.receive(body, readAt: readAt) })
        relay.subscriber.withLock { $0 = subscriber }
        return relay
    }

    /// One message: decoded, timed, checked for skipped sequences, relayed with its body as
    /// it came (the hub does not encode it again).
    private func receive(_ body: ByteBuffer, readAt: UInt64) {
        let decoded = feed.withLock { feed -> (Event, Encoding)? in
            feed.tally.messages += 1
            guard let event = try? feed.codec.decode(body) else { return nil }
            feed.brokerHop.record(nanoseconds: readAt &- event.publishedAt)
            if event.sequence > feed.highest + 1 { feed.tally.lost.append((feed.highest + 1)...(event.sequence - 1)) }
            feed.highest = Swift.max(feed.highest, event.sequence)
            return (event, feed.encoding)
        }
        // A copy of its own: a slice would keep the whole read buffer alive in the replay window.
        if let (event, encoding) = decoded { hub.relay(event, encoded: (ByteBuffer(bytes: body.readableBytesView), encoding)) }
    }

    private func note(_ event: RedisSubscriber.Event) {
        if case .disconnected = event { feed.withLock { $0.tally.disconnects += 1 } }
    }

    /// What the node saw of its backplane so far.
    var tally: BackplaneTally {
        let (bytesRead, bytesWritten) = subscriber.withLock { ($0?.bytesRead ?? 0, $0?.bytesWritten ?? 0) }
        return feed.withLock { feed in
            var tally = feed.tally
            tally.socketBytesReceived = bytesRead
            tally.socketBytesSent = bytesWritten
            tally.highestSequence = feed.highest
            tally.brokerHopHistogram = feed.brokerHop.encoded
            return tally
        }
    }

    /// Unsubscribes.
    func stop() async {
        await subscriber.withLock { $0 }?.stop()
    }
}
