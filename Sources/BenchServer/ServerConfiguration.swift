import BenchCore
import BenchTLS
import NIOCore

/// How the loopback server is set up.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to bind; loopback unless the user asks otherwise.
    public var host: String
    /// Port to bind; 0 lets the kernel choose a free one.
    public var port: Int
    /// Events kept for clients that ask "everything after N".
    public var retainedEvents: Int
    /// Encodings each event is encoded in when published.
    public var encodings: [Encoding]
    /// Largest request body accepted, in bytes; larger ones get 413.
    public var maxRequestBodyBytes: Int
    /// Largest WebSocket frame accepted, in bytes.
    public var maxWebSocketFrameBytes: Int
    /// The `retry:` an SSE stream opens with, in milliseconds (a request's `retry=` overrides it).
    public var sseRetryMilliseconds: Int
    /// Largest request head accepted (all header names and values together), in bytes: HTTP/1.1
    /// answers `431 Request Header Fields Too Large` (RFC 6585 §5); HTTP/2 advertises it as
    /// SETTINGS_MAX_HEADER_LIST_SIZE.
    public var maxHeaderBytes: Int
    /// Most connections open at once; one more is closed as soon as it is accepted.
    public var maxConnections: Int
    /// A connection with no bytes either way for this long is closed; `nil` never closes one.
    /// Long polls and quiet SSE streams wait this long at most, so keep it above their timeouts.
    public var idleTimeout: TimeAmount?
    /// A connection whose socket stays unwritable (the client does not read and NIO's write
    /// buffer is above its high watermark) for this long is closed; `nil` waits forever.
    public var slowClientTimeout: TimeAmount?
    /// A network link emulated on every connection (``LinkEmulator``); `nil` for loopback as it is.
    public var link: LinkConditions?
    /// Seeds each connection's jitter (with the connection's id), so a run repeats.
    public var linkSeed: UInt64 = 0
    /// The response heads endpoints add for each kind of request (``HeaderProfile``).
    public var headers: HeaderProfile = .minimal
    /// Where every HTTP/1.1 request head is written as it arrived; `nil` records none.
    public var headRecorder: HeadRecorder?
    /// The server's compression policy: what it accepts when a client offers compression.
    public var compression: CompressionSettings = .off
    /// TLS on every connection (HTTPS, wss://, gRPC over TLS); `nil` for cleartext.
    public var tls: ServerTLS?
    /// The server's handshake policy: the origins it accepts and whether requests need a token
    /// (checked by ``handshakeRefusal(for:query:webSocket:meter:)``).
    public var security: SecuritySettings = .open
    /// The key tokens are verified with when ``security`` requires them; without one every
    /// token is refused.
    public var tokenAuthority: JWTAuthority?
    /// The heartbeat interval a server offers where its protocol negotiates one (STOMP's
    /// CONNECTED `heart-beat`); a run sets the scenario's `--heartbeat`. `nil` offers none.
    public var offeredHeartbeat: TimeAmount?

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        retainedEvents: Int = 100_000,
        encodings: [Encoding] = Encoding.allCases,
        maxRequestBodyBytes: Int = 1 << 20,
        maxWebSocketFrameBytes: Int = 1 << 24,
        sseRetryMilliseconds: Int = 1000,
        maxHeaderBytes: Int = 16 * 1024,
        maxConnections: Int = 20_000,
        idleTimeout: TimeAmount? = .minutes(5),
        slowClientTimeout: TimeAmount? = .seconds(30)
    ) {
        self.host = host
        self.port = port
        self.retainedEvents = retainedEvents
        self.encodings = encodings
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxWebSocketFrameBytes = maxWebSocketFrameBytes
        self.sseRetryMilliseconds = sseRetryMilliseconds
        self.maxHeaderBytes = maxHeaderBytes
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
        self.slowClientTimeout = slowClientTimeout
    }

    public static var defaults: ServerConfiguration { ServerConfiguration() }
}

extension ServerConfiguration {
    /// The handler that emulates ``link`` on the connection `meter` counts, to go right behind
    /// its ``WireMeter``; `nil` without a link.
    public func linkEmulator(for meter: ConnectionMeter) -> (any ChannelHandler)? {
        link.map { LinkEmulator(link: $0, seed: linkSeed ^ meter.id) }
    }
}
