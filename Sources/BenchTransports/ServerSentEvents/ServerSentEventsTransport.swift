import BenchCore
import BenchServer

/// Server-Sent Events: one long `text/event-stream` response, over HTTP/1.1 or HTTP/2; binary
/// encodings travel base64-encoded, and heartbeats are comment lines.
public struct ServerSentEventsTransport: TransportDescriptor {
    public init() {}

    public var kind: TransportKind { .serverSentEvents }
    public var displayName: String { "SSE" }
    public var carriesBinaryAsBase64: Bool { true }

    /// One heartbeat: the comment line in its chunk (RFC 9112 §7.1).
    public var heartbeatWireBytes: Int? { Framing.chunkWireBytes(payload: ServerSentEventsEndpoint.heartbeat.readableBytes) }

    public func register(in routes: inout Routes) { routes.add(ServerSentEventsEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient { ServerSentEventsClient() }
}
