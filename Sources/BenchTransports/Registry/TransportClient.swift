import BenchCore
import BenchTLS
import NIOCore

/// The client half of a transport: one simulated client, run as one task.
///
/// The engine is generic over this protocol; each transport's client sits next to its server
/// half in this module, and its ``TransportDescriptor`` makes it.
public protocol TransportClient: Sendable {
    /// Which transport this is.
    var kind: TransportKind { get }
    /// The variant reported beside the transport name, for example `keep-alive`.
    var variant: String { get }
    /// Runs one client until its task is cancelled, recording what it receives in `recorder`.
    ///
    /// It marks `recorder.progress` ready once it will not miss what is published. Connection
    /// failures are recorded, followed by a reconnect with backoff; they never end the client
    /// early, and cancellation ends it quietly.
    func run(_ target: ClientTarget, recorder: inout DeliveryRecorder) async
}

/// Where and as whom a client runs.
public struct ClientTarget: Sendable {
    public var host: String
    public var port: Int
    /// The client's number within the run, from 0.
    public var clientIndex: Int
    public var scenario: Scenario
    /// Clients that send on a schedule (echo, upload) start when the runner opens this gate.
    public var startGate: StartGate
    /// The server's TLS, as its clients see it; `nil` for cleartext.
    public var tls: ClientTLS?

    /// The JWT the client presents when the scenario's server requires one (the run's server
    /// issued it); `nil` presents none.
    public var bearerToken: String?
    /// Where the client's connections count their bytes at the socket (``ClientWireMeter``);
    /// `nil` counts nothing (control requests).
    public var wire: ClientWireCounter?

    public init(
        host: String, port: Int, clientIndex: Int, scenario: Scenario, startGate: StartGate = StartGate(), tls: ClientTLS? = nil,
        bearerToken: String? = nil, wire: ClientWireCounter? = nil
    ) {
        self.host = host
        self.port = port
        self.clientIndex = clientIndex
        self.scenario = scenario
        self.startGate = startGate
        self.tls = tls
        self.bearerToken = bearerToken
        self.wire = wire
    }

    /// Puts a ``ClientWireMeter`` counting into ``wire`` first in a new client pipeline, in
    /// front of TLS and every decoder (called before any other handler is added, or after TLS
    /// where a library adds that first), when the target has a counter.
    public func addWireMeter(to channel: any Channel) throws {
        guard let wire else { return }
        try channel.pipeline.syncOperations.addHandler(ClientWireMeter(wire), position: .first)
    }

    /// Puts TLS first in a new client pipeline, offering `alpn`, when the server speaks TLS.
    func addTLS(to channel: any Channel, offering alpn: [String]) throws {
        guard let tls else { return }
        try channel.pipeline.syncOperations.addHandlers(tls.handlers(offering: alpn))
    }

    /// The `Host` header value.
    var authority: String { "\(host):\(port)" }

    /// The request head a request of `kind` carries after `Host`: the header profile's, with
    /// the run's `Origin` and `Authorization` (``SecuritySettings/requestFields(_:kind:token:)``),
    /// and behind a balancer the session cookie (``ScaleOutSettings/addingSessionCookie(to:client:)``).
    public func requestFields(_ kind: HeaderProfile.Kind) -> [HeaderProfile.Field] {
        let fields = scenario.security.requestFields(scenario.headers.request(kind), kind: kind, token: bearerToken)
        return scenario.scaleOut.addingSessionCookie(to: fields, client: clientIndex)
    }

    /// What a request of `kind` appends to its query: `&access_token=…` where the token travels
    /// there (SSE), else nothing.
    public func tokenQuery(_ kind: HeaderProfile.Kind) -> String {
        SecuritySettings.tokenQuery(kind, token: bearerToken)
    }
}
