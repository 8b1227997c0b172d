import BenchCore
import NIOCore
import Synchronization

/// The server's register of connections and their counts, by transport.
///
/// Connections are registered when accepted and folded into per-transport totals when they close,
/// so ``totals(for:)`` is exact at any time: closed connections' final counts plus open ones'
/// current counts. The lock is taken per connection (open, close, snapshot), never per byte.
public final class TrafficRecorder: Sendable {
    private struct State {
        var nextID: UInt64 = 0
        var open: [UInt64: ConnectionMeter] = [:]
        /// Closed connections' totals; the key `nil` holds connections that never made a valid request.
        var closed: [TransportKind?: TrafficTotals] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Registers a newly accepted connection (the server does this; public for benchmarks).
    public func open(channel: any Channel) -> ConnectionMeter {
        state.withLock { state in
            state.nextID += 1
            let meter = ConnectionMeter(id: state.nextID, channel: channel)
            state.open[meter.id] = meter
            return meter
        }
    }

    /// Folds a closed connection's final counts into its transport's totals.
    func close(_ meter: ConnectionMeter) {
        state.withLock { state in
            guard state.open.removeValue(forKey: meter.id) != nil else { return }
            state.closed[meter.transport, default: TrafficTotals()] = state.closed[meter.transport, default: TrafficTotals()] + meter.totals
        }
    }

    /// Totals for one transport; `nil` means connections not attributed to any transport.
    public func totals(for transport: TransportKind?) -> TrafficTotals {
        state.withLock { state in
            state.open.values.filter { $0.transport == transport }.reduce(state.closed[transport] ?? TrafficTotals()) { $0 + $1.totals }
        }
    }

    /// Totals by transport, over every connection so far; the key `nil` holds connections that
    /// never made a valid request for a transport (the browser page, control requests, a
    /// handshake that failed).
    public var totalsByTransport: [TransportKind?: TrafficTotals] {
        state.withLock { state in
            state.open.values.reduce(into: state.closed) { totals, meter in
                totals[meter.transport, default: TrafficTotals()] = totals[meter.transport, default: TrafficTotals()] + meter.totals
            }
        }
    }

    /// Totals over every connection.
    public var allTotals: TrafficTotals {
        state.withLock { state in
            state.open.values.reduce(state.closed.values.reduce(TrafficTotals(), +)) { $0 + $1.totals }
        }
    }

    /// Connections accepted and not yet closed.
    public var openConnectionCount: Int { state.withLock { $0.open.count } }

    /// Waits until every connection has closed or `timeout` passes; returns whether all closed.
    public func waitUntilAllClosed(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while openConnectionCount > 0 {
            if ContinuousClock.now >= deadline { return false }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return true
    }

    /// Drops `fraction` of the open connections, chosen with `generator` (fault injection);
    /// returns how many were dropped. Rounds to the nearest count, and drops at least one when
    /// the fraction is above 0 and a connection is open.
    public func dropConnections(fraction: Double, using generator: inout SeededGenerator) -> Int {
        let open = state.withLock { $0.open.values.sorted { $0.id < $1.id } }
        guard fraction > 0, !open.isEmpty else { return 0 }
        let count = Swift.min(open.count, Swift.max(1, Int((Double(open.count) * fraction).rounded())))
        for meter in open.shuffled(using: &generator).prefix(count) { meter.channel.close(promise: nil) }
        return count
    }

    /// Closes every open connection (used when the server stops).
    func closeAll() {
        let channels = state.withLock { $0.open.values.map(\.channel) }
        for channel in channels { channel.close(promise: nil) }
    }
}
