import BenchCore
import BenchGRPC
import BenchServer
import BenchTransports

/// Every transport the command line offers: the four in BenchTransports and gRPC, whose module
/// (BenchGRPC) is the only one that imports grpc-swift, so the engine and the microbenchmarks
/// build without it.
enum Transports {
    /// Transports with both halves implemented, in report order.
    static let implemented = TransportCatalog.implemented + [.grpc]

    /// The server halves of every transport.
    static func routes(grpc: GRPCEndpoint = GRPCEndpoint()) -> Routes {
        TransportCatalog.routes.merging(Routes(listeners: [grpc]))
    }

    /// The client half for `kind` as `scenario` configures it; push over gRPC uses `grpcPushCall`.
    static func client(
        for kind: TransportKind,
        scenario: Scenario,
        grpcPushCall: GRPCTransportClient.Call = .serverStreaming
    ) throws(BenchError) -> any TransportClient {
        guard kind == .grpc else { return try TransportCatalog.client(for: kind, scenario: scenario) }
        return GRPCTransportClient(direction: scenario.direction, pushCall: grpcPushCall)
    }
}
