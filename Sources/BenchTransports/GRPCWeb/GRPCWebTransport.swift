import BenchCore
import BenchServer

extension TransportKind {
    /// gRPC-Web's binary format: length-prefixed messages in one streamed HTTP response.
    public static let grpcWeb = TransportKind(rawValue: "grpc-web")
    /// gRPC-Web's text format: the same frames base64-encoded.
    public static let grpcWebText = TransportKind(rawValue: "grpc-web-text")
}

/// gRPC-Web: gRPC's server-streaming `Subscribe` as browsers reach it, one POST answered by a
/// streamed response whose body carries length-prefixed messages and, last, the trailers
/// (gRPC's PROTOCOL-WEB.md). One descriptor per format: `grpc-web`
/// (`application/grpc-web+proto`) and `grpc-web-text` (`application/grpc-web-text+proto`, the
/// body base64-encoded, whose inflation the report counts). JSON messages travel as `+json`.
///
/// It speaks the scenario's HTTP version (`--http-version`), push only, and has no heartbeat:
/// gRPC-Web keeps nothing of HTTP/2's PING.
public struct GRPCWebTransport: TransportDescriptor {
    public let format: GRPCWebFormat

    public init(_ format: GRPCWebFormat = .binary) {
        self.format = format
    }

    public var kind: TransportKind { format.kind }
    public var displayName: String { format == .binary ? "gRPC-Web" : "gRPC-Web text" }
    /// The text format carries every body as base64, JSON too.
    public var carriesBinaryAsBase64: Bool { format == .text }

    /// The text format's inflation of an event's frame beyond the prefix's characters
    /// (``GRPCWebFormat/messageInflationBytes(message:)``), whatever the encoding.
    public func base64InflationBytes(bodyBytes: Int, encoding: Encoding) -> Int {
        format.messageInflationBytes(message: bodyBytes)
    }

    /// None: the default suite must finish within a minute, and gRPC-Web is a layer on an HTTP
    /// response, measured beside gRPC in `Results/layers`.
    public func suiteScenarios(for scenario: Scenario) -> [Scenario] { [] }

    public func register(in routes: inout Routes) { routes.add(GRPCWebEndpoint(format: format)) }

    public func makeClient(for scenario: Scenario) -> any TransportClient { GRPCWebClient(format: format) }
}
