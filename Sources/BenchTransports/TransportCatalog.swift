import BenchCore
import BenchServer

/// Every transport this build implements: the server halves the loopback server mounts, and a
/// client half for each transport and variant.
public enum TransportCatalog {
    /// Transports with both halves implemented, in report order.
    public static let implemented: [TransportKind] = [.shortPolling, .longPolling]

    /// The server halves of every implemented transport.
    public static var routes: Routes {
        Routes(http: [ShortPollingEndpoint(), LongPollingEndpoint()])
    }

    /// The client half for `kind` as `scenario` configures it.
    public static func client(for kind: TransportKind, scenario: Scenario) throws(BenchError) -> any TransportClient {
        switch kind {
        case .shortPolling: return ShortPollingClient(connectionMode: scenario.connectionMode)
        case .longPolling: return LongPollingClient(connectionMode: scenario.connectionMode)
        case .serverSentEvents, .webSocket, .grpc:
            throw .usage("transport '\(kind.rawValue)' is not implemented yet; available: \(implemented.map(\.rawValue).joined(separator: ", "))")
        }
    }
}
