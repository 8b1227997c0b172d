import BenchCore
import BenchServer

/// The transports of this module: the server halves the loopback server mounts, and a client
/// half for each transport and variant. gRPC's halves live in BenchGRPC, the one module that
/// imports gRPC; the command line joins them to these.
public enum TransportCatalog {
    /// Transports with both halves in this module, in report order.
    public static let implemented: [TransportKind] = [.shortPolling, .longPolling, .serverSentEvents, .webSocket]

    /// The server halves of every implemented transport.
    public static var routes: Routes {
        // gRPC's listener is added by the command line (BenchGRPC).
        Routes(
            http: [ShortPollingEndpoint(), LongPollingEndpoint(), ServerSentEventsEndpoint()],
            webSocket: [WebSocketEndpoint()]
        )
    }

    /// The directions each transport can carry.
    public static func directions(for kind: TransportKind) -> [Direction] {
        switch kind {
        case .shortPolling, .longPolling, .serverSentEvents: [.push]
        case .webSocket, .grpc: Direction.allCases
        }
    }

    /// The client half for `kind` as `scenario` configures it.
    public static func client(for kind: TransportKind, scenario: Scenario) throws(BenchError) -> any TransportClient {
        guard directions(for: kind).contains(scenario.direction) else {
            let supported = directions(for: kind).map(\.rawValue).joined(separator: ", ")
            throw .usage("\(kind.rawValue) carries only \(supported); --direction \(scenario.direction.rawValue) needs websocket or grpc")
        }
        switch kind {
        case .shortPolling: return ShortPollingClient(connectionMode: scenario.connectionMode)
        case .longPolling: return LongPollingClient(connectionMode: scenario.connectionMode)
        case .serverSentEvents: return ServerSentEventsClient()
        case .webSocket: return WebSocketClient(direction: scenario.direction)
        case .grpc: throw .usage("gRPC's client is in BenchGRPC (GRPCTransportClient)")
        }
    }
}
