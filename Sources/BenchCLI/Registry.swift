import BenchCore
import BenchGRPC
import BenchTransports

extension TransportRegistry {
    /// Every transport `bench` offers, in report order: the one list a new transport is added to.
    /// A transport layered on another follows it (NDJSON streaming after SSE, STOMP after
    /// WebSocket, gRPC-Web after gRPC), so tables set each beside what it is built on.
    ///
    /// It lives here because BenchCLI is the only module that sees BenchGRPC (the one module
    /// that imports grpc-swift), so the engine and the microbenchmarks build without gRPC.
    static func standard(grpc: GRPCTransport.Configuration = .defaults, stomp: StompTransport.Configuration = .defaults) -> TransportRegistry {
        TransportRegistry([
            ShortPollingTransport(),
            LongPollingTransport(),
            ServerSentEventsTransport(),
            HTTPStreamingTransport(),
            WebSocketTransport(),
            StompTransport(stomp),
            GRPCTransport(grpc),
            GRPCWebTransport(.binary),
            GRPCWebTransport(.text),
        ])
    }

    /// The `--transport` help text: the registered names.
    static var transportHelp: String { "Transports, comma-separated: \(standard().names) (all: every one that carries the direction)." }

    /// `bench scale`'s `--transport` help text: the transports that hold a connection while idle.
    static var connectionHoldingHelp: String {
        "Connection-holding transports, comma-separated: " + standard().descriptors.filter(\.holdsConnections).map(\.kind.rawValue).joined(separator: ", ") + ", or all."
    }
}
