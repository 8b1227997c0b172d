import BenchCore
import BenchServer

extension TransportKind {
    /// STOMP 1.2 frames over a WebSocket (the `v12.stomp` subprotocol).
    public static let stomp = TransportKind(rawValue: "stomp")
}

/// STOMP: STOMP 1.2 frames (CONNECT, SUBSCRIBE, MESSAGE, ACK …) over an upgraded HTTP/1.1
/// WebSocket, as Spring and stomp.js speak it; push only. Its heartbeat is STOMP's: an EOL the
/// server sends in a WebSocket frame of its own, which nobody answers.
///
/// ```swift
/// let registry = TransportRegistry([StompTransport(.init(ack: .clientIndividual))])
/// ```
public struct StompTransport: TransportDescriptor {
    /// What `bench run --stomp-ack` chooses.
    public struct Configuration: Sendable, Hashable {
        /// The subscription's ack mode.
        public var ack: StompAckMode

        public init(ack: StompAckMode = .auto) {
            self.ack = ack
        }

        public static var defaults: Configuration { Configuration() }
    }

    public var configuration: Configuration

    public init(_ configuration: Configuration = .defaults) {
        self.configuration = configuration
    }

    public var kind: TransportKind { .stomp }
    public var displayName: String { "STOMP" }
    public var fixedHTTPVersion: HTTPProtocolVersion? { .http1_1 }

    /// One heart-beat: the server's EOL in an unmasked text frame (RFC 6455 §5.2: 2 header bytes
    /// + 1 payload byte); the client answers nothing.
    public var heartbeatWireBytes: Int? { Framing.webSocketFrameWireBytes(payload: 1, masked: false) }

    /// None: the default suite must finish within a minute, and STOMP is a layer on WebSocket,
    /// measured beside it in `Results/layers`.
    public func suiteScenarios(for scenario: Scenario) -> [Scenario] { [] }

    public func register(in routes: inout Routes) { routes.add(StompEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient { StompClient(ack: configuration.ack) }
}
