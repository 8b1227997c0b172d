import BenchCore
import BenchServer

/// WebSocket: RFC 6455 frames over an upgraded HTTP/1.1 connection, in every direction; its
/// heartbeat is a ping and the client's pong.
public struct WebSocketTransport: TransportDescriptor {
    public init() {}

    public var kind: TransportKind { .webSocket }
    public var displayName: String { "WebSocket" }
    public var directions: [Direction] { Direction.allCases }
    public var fixedHTTPVersion: HTTPProtocolVersion? { .http1_1 }

    /// One heartbeat: the server's empty ping and the client's masked empty pong.
    public var heartbeatWireBytes: Int? {
        Framing.webSocketFrameWireBytes(payload: 0, masked: false) + Framing.webSocketFrameWireBytes(payload: 0, masked: true)
    }

    public func register(in routes: inout Routes) { routes.add(WebSocketEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient { WebSocketClient(direction: scenario.direction) }
}
