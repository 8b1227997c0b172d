/// What `--compression on` gives each transport: its standard compression, as production stacks
/// configure it by default.
///
/// The server's policy decides (a server compresses only what the client offered, and only when
/// its policy is on); the client offers when ``enabled`` — or when its header profile already
/// offers, as a browser does on every connection. The settings are one value so a scenario, a
/// server configuration and a report row carry the same thing.
///
/// - WebSocket: permessage-deflate (RFC 7692), context takeover unless
///   ``webSocketContextTakeover`` is off, an LZ77 window of ``webSocketMaxWindowBits``, and no
///   compression of messages under ``webSocketThreshold`` bytes (1024 by default: the `threshold`
///   of Node's `ws` and OkHttp's `minWebSocketMessageToCompress`).
/// - SSE: `Content-Encoding: gzip` on the event stream, flushed after every write (an event, or the events available at once).
/// - Short and long polling: gzip responses whose body is at least ``gzipMinLength`` bytes when
///   the request's `Accept-Encoding` allows it (20 by default: nginx's `gzip_min_length`).
/// - gRPC: grpc-swift's message compression with ``grpcAlgorithm``.
public struct CompressionSettings: Codable, Sendable, Hashable {
    /// gRPC's message compression algorithms (the `grpc-encoding` names).
    public enum GRPCAlgorithm: String, CaseIterable, Codable, Sendable, Hashable {
        case gzip, deflate
    }

    /// Whether the server compresses and clients offer compression.
    public var enabled: Bool
    /// WebSocket: keep the LZ77 window from one message to the next (RFC 7692 §7.1.1); off sends
    /// `server_no_context_takeover` and `client_no_context_takeover`.
    public var webSocketContextTakeover: Bool
    /// WebSocket: the LZ77 window, 8 to 15 bits (RFC 7692 §7.1.2).
    public var webSocketMaxWindowBits: Int
    /// WebSocket: messages shorter than this many bytes go uncompressed.
    public var webSocketThreshold: Int
    /// Polling: responses with a body shorter than this go uncompressed.
    public var gzipMinLength: Int
    /// gRPC: the message compression algorithm.
    public var grpcAlgorithm: GRPCAlgorithm

    public init(
        enabled: Bool = false,
        webSocketContextTakeover: Bool = true,
        webSocketMaxWindowBits: Int = 15,
        webSocketThreshold: Int = 1024,
        gzipMinLength: Int = 20,
        grpcAlgorithm: GRPCAlgorithm = .gzip
    ) {
        self.enabled = enabled
        self.webSocketContextTakeover = webSocketContextTakeover
        self.webSocketMaxWindowBits = webSocketMaxWindowBits
        self.webSocketThreshold = webSocketThreshold
        self.gzipMinLength = gzipMinLength
        self.grpcAlgorithm = grpcAlgorithm
    }

    /// No compression: what every run did before compression was a layer of its own.
    public static var off: CompressionSettings { CompressionSettings() }

    /// The defaults with compression on.
    public static var on: CompressionSettings { CompressionSettings(enabled: true) }

    /// `off`, or `on` with every setting that differs from the defaults, for reports:
    /// `on (ws: no context takeover, 10-bit window)`.
    public var label: String {
        guard enabled else { return "off" }
        let defaults = CompressionSettings.on
        var changes: [String] = []
        if !webSocketContextTakeover { changes.append("ws: no context takeover") }
        if webSocketMaxWindowBits != defaults.webSocketMaxWindowBits { changes.append("ws: \(webSocketMaxWindowBits)-bit window") }
        if webSocketThreshold != defaults.webSocketThreshold { changes.append("ws: threshold \(webSocketThreshold) B") }
        if gzipMinLength != defaults.gzipMinLength { changes.append("gzip min length \(gzipMinLength) B") }
        if grpcAlgorithm != defaults.grpcAlgorithm { changes.append("grpc: \(grpcAlgorithm.rawValue)") }
        return changes.isEmpty ? "on" : "on (\(changes.joined(separator: ", ")))"
    }

    /// Throws one sentence naming the first setting out of range.
    public func validate() throws(BenchError) {
        guard (8...15).contains(webSocketMaxWindowBits) else {
            throw .usage("--ws-max-window-bits must be between 8 and 15 (RFC 7692 §7.1.2; got \(webSocketMaxWindowBits))")
        }
        guard webSocketThreshold >= 0 else { throw .usage("--ws-compress-threshold must not be negative (got \(webSocketThreshold))") }
        guard gzipMinLength >= 0 else { throw .usage("--gzip-min-length must not be negative (got \(gzipMinLength))") }
    }
}
