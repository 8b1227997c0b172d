/// What the engine, the latency model and the reports need to know about a transport: facts,
/// nothing that connects.
///
/// A transport states only what differs from the defaults in the extension below (push only,
/// the scenario's HTTP version, a stream that delivers at once, no heartbeats). Its server and
/// client halves are added by `TransportDescriptor` in BenchTransports, which refines this.
public protocol TransportTraits: Sendable {
    /// The stable name.
    var kind: TransportKind { get }
    /// A name for tables and charts, for example `Short polling`.
    var displayName: String { get }
    /// The directions it can carry. Default: push only.
    var directions: [Direction] { get }
    /// The HTTP version it always speaks (WebSocket's upgrade is HTTP/1.1, gRPC is HTTP/2), or
    /// `nil` when it speaks the scenario's `--http-version`. Default: `nil`.
    var fixedHTTPVersion: HTTPProtocolVersion? { get }
    /// How a pushed event waits before it leaves the server, for the variant the client reports
    /// (gRPC's unary call polls, its stream does not). Default: ``DeliveryPattern/stream``.
    func delivery(variant: String) -> DeliveryPattern
    /// Whether the variant opens a new connection (TCP, and TLS) for every request, which the
    /// latency model charges to each re-poll. Default: `false`.
    func opensConnectionPerRequest(variant: String) -> Bool
    /// The wire bytes of one heartbeat exchange, or `nil` without heartbeats. Default: `nil`.
    var heartbeatWireBytes: Int? { get }
    /// Whether binary encodings travel as base64 text (SSE), which the report counts as
    /// inflation. Default: `false`.
    var carriesBinaryAsBase64: Bool { get }
    /// The base64 inflation the report counts for one delivered event whose body is
    /// `bodyBytes` bytes in `encoding`. Default: base64's extra bytes for the body alone,
    /// 4·⌈n/3⌉ − n, when ``carriesBinaryAsBase64`` and the encoding is binary (SSE), else 0.
    func base64InflationBytes(bodyBytes: Int, encoding: Encoding) -> Int
    /// Whether each client holds one connection open while idle, so `bench scale` can measure
    /// what an idle connection costs. Default: `true`.
    var holdsConnections: Bool { get }
    /// The default suite's rows for this transport on `scenario`. Default: the scenario alone.
    func suiteScenarios(for scenario: Scenario) -> [Scenario]
}

/// How a pushed event reaches a client, as far as latency and per-request overhead go.
public enum DeliveryPattern: String, Codable, Sendable {
    /// The event leaves as soon as it is published (SSE, WebSocket, gRPC streams).
    case stream
    /// The event waits for the client's next poll (short polling, gRPC's unary poll).
    case poll
    /// A waiting poll answers at once; the next one must come back first (long polling).
    case longPoll = "long-poll"

    /// Whether each request fetches events, so overhead per request means something.
    public var requestsCarryEvents: Bool { self != .stream }
}

extension TransportTraits {
    public var directions: [Direction] { [.push] }
    public var fixedHTTPVersion: HTTPProtocolVersion? { nil }
    public func delivery(variant: String) -> DeliveryPattern { .stream }
    public func opensConnectionPerRequest(variant: String) -> Bool { false }
    public var heartbeatWireBytes: Int? { nil }
    public var carriesBinaryAsBase64: Bool { false }
    public func base64InflationBytes(bodyBytes: Int, encoding: Encoding) -> Int {
        carriesBinaryAsBase64 && encoding.isBinary ? EventCodec.base64Length(of: bodyBytes) - bodyBytes : 0
    }
    public var holdsConnections: Bool { true }
    public func suiteScenarios(for scenario: Scenario) -> [Scenario] { [scenario] }

    /// Whether the scenario's `--http-version` applies.
    public var hasHTTPVersionChoice: Bool { fixedHTTPVersion == nil }

    /// The HTTP version under this transport in `scenario`.
    public func httpVersion(in scenario: Scenario) -> HTTPProtocolVersion { fixedHTTPVersion ?? scenario.httpVersion }
}
