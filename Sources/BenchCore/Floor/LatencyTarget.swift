/// The targets issue 21 sets for push latency against the in-run floor
/// (``RunResult/latencyP50ToFloor``): with one client, p50 at most 1.5× the one-way floor for
/// WebSocket and SSE and 2.5× for long polling and gRPC's stream; with ten clients, 3× for
/// each of them. Reports state whether a row met its target; a run never fails on one.
///
/// Short polling and gRPC's unary poll have none: half a poll interval sets their latency.
/// Other client counts and echo or upload have none either.
public enum LatencyTarget {
    /// The largest p50 ÷ floor the row may show, or nil when no target applies to it.
    public static func ratio(transport: String, delivery: DeliveryPattern?, direction: String, clients: Int) -> Double? {
        guard direction == Direction.push.rawValue else { return nil }
        switch delivery {
        case .stream?, .longPoll?: break
        default: return nil
        }
        switch (clients, transport) {
        case (1, TransportKind.webSocket.rawValue), (1, TransportKind.serverSentEvents.rawValue): return 1.5
        case (1, TransportKind.longPolling.rawValue), (1, TransportKind.grpc.rawValue): return 2.5
        case (10, TransportKind.webSocket.rawValue), (10, TransportKind.serverSentEvents.rawValue),
            (10, TransportKind.longPolling.rawValue), (10, TransportKind.grpc.rawValue):
            return 3
        default: return nil
        }
    }
}
