import BenchCore
import BenchServer

/// `bench serve`: the loopback server alone, publishing at a steady rate for outside clients.
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
        /// How long to publish; `nil` until the process is interrupted.
        public var seconds: Double?

        public init(rate: Double, payloads: PayloadFactory, preload: Int = 0, seconds: Double? = nil) {
            (self.rate, self.payloads, self.preload, self.seconds) = (rate, payloads, preload, seconds)
        }
    }

    /// Serves `routes` until publishing is over (never, without ``Publishing/seconds``): publishes
    /// the preloaded events, calls `listening` with the server (to print its endpoints), then
    /// publishes one event every `1 / rate` seconds.
    public static func run(
        configuration: ServerConfiguration, routes: Routes, publishing: Publishing, listening: (LoopbackServer) -> Void
    ) async throws {
        try await withLoopbackServer(configuration: configuration, routes: routes) { server in
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
