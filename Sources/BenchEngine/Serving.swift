import BenchCore
import BenchServer

/// `bench serve`: the loopback server alone, publishing at a steady rate for outside clients,
/// or, as a scale-out node, relaying what a Redis channel brings (``BackplaneChannel``).
///
/// ```swift
/// let publishing = Serving.Publishing(rate: 10, payloads: PayloadFactory(byteCount: 128, seed: 1))
/// try await Serving.run(configuration: .defaults, routes: routes, publishing: publishing) { server in
///     for line in server.endpointLines { print(line) }
/// }
/// ```
public enum Serving {
    /// What the server publishes.
    public struct Publishing: Sendable {
        /// Events published per second.
        public var rate: Double
        public var payloads: PayloadFactory
        /// Events published at once before serving (push throughput from a standing start).
        public var preload: Int
        /// How long to publish (or relay); `nil` until the process is interrupted.
        public var seconds: Double?
        /// The Redis channel whose events the hub relays instead of publishing its own schedule
        /// (``rate`` and ``preload`` then do not apply); `nil` to publish.
        public var backplane: BackplaneChannel?

        public init(rate: Double, payloads: PayloadFactory, preload: Int = 0, seconds: Double? = nil, backplane: BackplaneChannel? = nil) {
            (self.rate, self.payloads, self.preload, self.seconds, self.backplane) = (rate, payloads, preload, seconds, backplane)
        }
    }

    /// Serves `routes` until publishing is over (never, without ``Publishing/seconds``): publishes
    /// the preloaded events, calls `listening` with the server (to print its endpoints), then
    /// publishes one event every `1 / rate` seconds. With a ``Publishing/backplane`` it
    /// subscribes first (so `listening` means subscribed) and relays instead.
    ///
    /// - Throws: ``BenchError`` (usage) in one sentence when the backplane's Redis cannot be reached.
    public static func run(
        configuration: ServerConfiguration, routes: Routes, publishing: Publishing, listening: (LoopbackServer) -> Void
    ) async throws {
        try await withLoopbackServer(configuration: configuration, routes: routes) { server in
            if let backplane = publishing.backplane {
                let relay = try await BackplaneRelay.subscribe(to: backplane, hub: server.hub)
                listening(server)
                do {
                    try await Task.sleep(for: .seconds(publishing.seconds ?? Double(Int32.max)))
                } catch {
                    await relay.stop()
                    throw error
                }
                await relay.stop()
                return
            }
            for sequence in stride(from: 1, through: publishing.preload, by: 1) {
                server.hub.publish(payload: publishing.payloads.payload(for: UInt64(sequence)))
            }
            listening(server)
            let schedule = ServerSchedule(server: server, rate: publishing.rate, payloads: publishing.payloads, after: publishing.preload, for: publishing.seconds)
            schedule.start()
            _ = try await schedule.finish()
        }
    }
}
