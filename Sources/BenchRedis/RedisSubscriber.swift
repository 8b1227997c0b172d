import BenchCore
import NIOCore
import NIOPosix

/// Receives the messages of one Redis Pub/Sub channel, on the connection's event loop, and
/// reconnects when the connection drops.
///
/// Each message's payload goes to `onMessage` on ``eventLoop``, inside the read that brought
/// it, with the ``MonotonicClock`` nanoseconds of that read (taken before any decoding). When the
/// connection drops, `onEvent` hears ``Event/disconnected(reason:)``; the subscriber then tries
/// again after 50 ms, doubling to at most 1 s (``Configuration``), subscribes again and reports
/// ``Event/resubscribed`` — or ``Event/gaveUp(reason:)`` once ``Configuration/reconnectWithin``
/// has passed. Pub/Sub delivers at most once: what was published while it was away is gone,
/// and the caller finds the gap by its own sequence numbers.
///
/// ```swift
/// let subscriber = try await RedisSubscriber.subscribe(
///     to: endpoint, channel: "tb", onEvent: { print($0) }, onMessage: { payload, readNanoseconds in … })
/// …
/// await subscriber.stop()
/// ```
public final class RedisSubscriber: Sendable {
    /// A change in the subscription, reported on ``eventLoop``.
    public enum Event: Sendable, Hashable {
        /// The connection dropped, for `reason` (e.g. `Redis closed the connection`); it is
        /// reconnecting.
        case disconnected(reason: String)
        /// Connected and subscribed again after a ``disconnected(reason:)``.
        case resubscribed
        /// It stopped trying: Redis could not be reached within ``Configuration/reconnectWithin``.
        case gaveUp(reason: String)
    }

    /// How it connects and reconnects.
    public struct Configuration: Sendable, Hashable {
        /// How long to wait for each TCP connection.
        public var connectTimeout: TimeAmount
        /// The wait before the first reconnection attempt; it doubles after each failed one…
        public var firstBackoff: TimeAmount
        /// …up to this.
        public var maximumBackoff: TimeAmount
        /// How long after a disconnection it keeps trying before it gives up.
        public var reconnectWithin: TimeAmount

        public init(connectTimeout: TimeAmount, firstBackoff: TimeAmount, maximumBackoff: TimeAmount, reconnectWithin: TimeAmount) {
            self.connectTimeout = connectTimeout
            self.firstBackoff = firstBackoff
            self.maximumBackoff = maximumBackoff
            self.reconnectWithin = reconnectWithin
        }

        /// 2 s to connect; retries after 50 ms, 100 ms, … up to 1 s apart, for 10 s.
        public static var defaults: Configuration {
            Configuration(
                connectTimeout: .seconds(2), firstBackoff: .milliseconds(50), maximumBackoff: .seconds(1), reconnectWithin: .seconds(10))
        }
    }

    /// Where it subscribes.
    public let endpoint: RedisEndpoint
    /// The Pub/Sub channel it listens to.
    public let channelName: String
    /// The loop its connections run on, and its callbacks too.
    public let eventLoop: any EventLoop
    private let configuration: Configuration
    private let counts = SocketByteCounter()
    private let onMessage: @Sendable (ByteBuffer, UInt64) -> Void
    private let onEvent: @Sendable (Event) -> Void
    private let state: NIOLoopBoundBox<State>

    /// What changes over its life; touched on ``eventLoop`` only.
    private struct State {
        var channel: (any Channel)?
        var stopped = false
        var retry: Scheduled<Void>?
        /// Since when it has been disconnected, and the wait before the next attempt.
        var disconnectedAt: NIODeadline?
        var backoff: TimeAmount = .zero
    }

    private init(
        endpoint: RedisEndpoint, channelName: String, configuration: Configuration, eventLoop: any EventLoop,
        onEvent: @escaping @Sendable (Event) -> Void, onMessage: @escaping @Sendable (ByteBuffer, UInt64) -> Void
    ) {
        self.endpoint = endpoint
        self.channelName = channelName
        self.configuration = configuration
        self.eventLoop = eventLoop
        self.onEvent = onEvent
        self.onMessage = onMessage
        self.state = .makeBoxSendingValue(State(), eventLoop: eventLoop)
    }

    /// Connects to `endpoint`, subscribes to `channel` and returns once Redis confirmed it.
    ///
    /// - Parameters:
    ///   - onEvent: hears disconnections, resubscriptions and giving up, on the event loop.
    ///   - onMessage: each message's payload and the ``MonotonicClock`` nanoseconds of the read
    ///     that brought it, on the event loop.
    /// - Throws: ``BenchError/usage(_:)`` in one sentence naming the URL when Redis cannot be
    ///   reached, or the subscription was refused.
    public static func subscribe(
        to endpoint: RedisEndpoint, channel: String, configuration: Configuration = .defaults,
        on eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next(),
        onEvent: @escaping @Sendable (Event) -> Void = { _ in },
        onMessage: @escaping @Sendable (ByteBuffer, UInt64) -> Void
    ) async throws -> RedisSubscriber {
        let subscriber = RedisSubscriber(
            endpoint: endpoint, channelName: channel, configuration: configuration, eventLoop: eventLoop, onEvent: onEvent,
            onMessage: onMessage)
        do {
            try await eventLoop.flatSubmit { subscriber.open() }.get()
        } catch {
            throw endpoint.unreachable(error)
        }
        return subscriber
    }

    /// Bytes read from the socket over all its connections: confirmations and messages.
    public var bytesRead: Int { counts.bytesReceived }

    /// Bytes written to the socket over all its connections: its SUBSCRIBE commands.
    public var bytesWritten: Int { counts.bytesSent }

    /// Unsubscribes by closing the connection; no callback runs after it returns.
    public func stop() async {
        let closed = eventLoop.flatSubmit { [self] in
            state.value.stopped = true
            state.value.retry?.cancel()
            guard let channel = state.value.channel else { return eventLoop.makeSucceededVoidFuture() }
            return channel.close().recover { _ in }
        }
        try? await closed.get()
    }

    /// Opens a connection and subscribes; the future succeeds once Redis confirmed.
    private func open() -> EventLoopFuture<Void> {
        let subscribed = eventLoop.makePromise(of: Void.self)
        let connected = endpoint.connectFuture(on: eventLoop, timeout: configuration.connectTimeout) { [self] channel in
            channel.eventLoop.makeCompletedFuture {
                let meter = SocketByteMeter(counts, stampsReads: true)
                let handler = RedisSubscriptionHandler(
                    channelName: channelName, meter: meter, subscribed: subscribed, onMessage: onMessage,
                    onClose: { [self] reason in connectionLost(reason) })
                try channel.pipeline.syncOperations.addHandlers(meter, ByteToMessageHandler(RESPDecoder()), handler)
            }
        }
        // A connection that never opened has no handler to fail the promise.
        connected.whenFailure { subscribed.fail($0) }
        return connected.flatMap { [self] channel in
            guard !state.value.stopped else { return channel.close().flatMapThrowing { throw ChannelError.ioOnClosedChannel } }
            state.value.channel = channel
            return subscribed.futureResult
        }
    }

    /// The subscribed connection dropped: report it and start reconnecting.
    private func connectionLost(_ reason: String) {
        state.value.channel = nil
        guard !state.value.stopped else { return }
        onEvent(.disconnected(reason: reason))
        state.value.disconnectedAt = .now()
        state.value.backoff = configuration.firstBackoff
        scheduleRetry(lastReason: reason)
    }

    /// Tries again after the current backoff, or gives up when the time for it has passed.
    private func scheduleRetry(lastReason: String) {
        guard let since = state.value.disconnectedAt else { return }
        let deadline = since + configuration.reconnectWithin
        let now = NIODeadline.now()
        guard now < deadline else {
            let within = Self.text(configuration.reconnectWithin)
            onEvent(.gaveUp(reason: "cannot reach Redis at \(endpoint.url) again within \(within) of losing the connection: \(lastReason)"))
            return
        }
        let wait = min(state.value.backoff, deadline - now)
        state.value.backoff = min(state.value.backoff * 2, configuration.maximumBackoff)
        state.value.retry = eventLoop.scheduleTask(in: wait) { [self] in
            open().whenComplete { [self] result in
                guard !state.value.stopped else { return }
                switch result {
                case .success:
                    state.value.disconnectedAt = nil
                    onEvent(.resubscribed)
                case .failure(let error):
                    scheduleRetry(lastReason: RedisEndpoint.reason(error))
                }
            }
        }
    }

    /// `10 s`, `500 ms`.
    private static func text(_ amount: TimeAmount) -> String {
        amount.nanoseconds % 1_000_000_000 == 0 ? "\(amount.nanoseconds / 1_000_000_000) s" : "\(amount.nanoseconds / 1_000_000) ms"
    }
}
