import BenchCore

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

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        retainedEvents: Int = 100_000,
        encodings: [Encoding] = Encoding.allCases,
        maxRequestBodyBytes: Int = 1 << 20,
        maxWebSocketFrameBytes: Int = 1 << 24,
        sseRetryMilliseconds: Int = 1000
    ) {
        self.host = host
        self.port = port
        self.retainedEvents = retainedEvents
        self.encodings = encodings
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.maxWebSocketFrameBytes = maxWebSocketFrameBytes
        self.sseRetryMilliseconds = sseRetryMilliseconds
    }

    public static var defaults: ServerConfiguration { ServerConfiguration() }
}
