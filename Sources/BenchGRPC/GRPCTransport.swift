import BenchCore
import BenchServer
import BenchTransports

/// gRPC: protobuf (or JSON) messages over HTTP/2 with grpc-swift-2, in every direction — push as
/// server streaming (`Subscribe`) or a unary poll (`Poll`), echo as a bidirectional stream,
/// upload as a client stream. grpc-swift owns its listening socket, so the server half is a
/// listener of its own (``GRPCEndpoint``).
public struct GRPCTransport: TransportDescriptor {
    /// gRPC's own knobs, set from the command line.
    public struct Configuration: Sendable, Hashable {
        /// Push's call: server streaming or a unary poll on the poll interval.
        public var pushCall: GRPCTransportClient.Call
        /// The server's flush coalescing (grpc-swift-nio-transport's default: on).
        public var flushCoalescing: Bool
        /// The listener's port; 0 lets the kernel choose.
        public var port: Int

        public init(pushCall: GRPCTransportClient.Call = .serverStreaming, flushCoalescing: Bool = true, port: Int = 0) {
            self.pushCall = pushCall
            self.flushCoalescing = flushCoalescing
            self.port = port
        }

        public static var defaults: Configuration { Configuration() }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = .defaults) {
        self.configuration = configuration
    }

    public var kind: TransportKind { .grpc }
    public var displayName: String { "gRPC" }
    public var directions: [Direction] { Direction.allCases }
    public var fixedHTTPVersion: HTTPProtocolVersion? { .http2 }
    /// The unary call polls on the poll interval; the streams deliver at once.
    public func delivery(variant: String) -> DeliveryPattern {
        variant == GRPCTransportClient.Call.unary.rawValue ? .poll : .stream
    }

    public func register(in routes: inout Routes) {
        routes.add(GRPCEndpoint(flushCoalescing: configuration.flushCoalescing, port: configuration.port))
    }

    public func makeClient(for scenario: Scenario) -> any TransportClient {
        GRPCTransportClient(direction: scenario.direction, pushCall: configuration.pushCall)
    }
}
