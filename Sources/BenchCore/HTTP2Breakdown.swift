/// Which HTTP version the HTTP transports (polling, SSE) speak.
public enum HTTPProtocolVersion: String, CaseIterable, Codable, Sendable, Hashable {
    /// HTTP/1.1 (RFC 9112), one request at a time per connection.
    case http1_1 = "1.1"
    /// HTTP/2 over cleartext TCP with prior knowledge (RFC 9113 §3.3): binary frames, HPACK
    /// header compression, requests as streams of one connection.
    case http2 = "2"

    /// `HTTP/1.1` or `HTTP/2`, for reports.
    public var label: String { "HTTP/\(rawValue)" }
}

/// Where an HTTP/2 connection's bytes went, read frame by frame from the bytes the WireMeter
/// counted (RFC 9113 §4.1: a 9-byte header, then the payload), not estimated.
///
/// Every counted byte lands in exactly one category, so the categories add up to the
/// connection's wire bytes. `up` is client → server, `down` server → client.
public struct HTTP2Breakdown: Codable, Sendable, Hashable {
    /// Frames and bytes of one category, per direction.
    public struct Bytes: Codable, Sendable, Hashable {
        public var frames = 0
        public var up = 0
        public var down = 0

        public init() {}

        public var total: Int { up + down }

        public static func + (lhs: Self, rhs: Self) -> Self {
            var sum = lhs
            sum.frames += rhs.frames
            sum.up += rhs.up
            sum.down += rhs.down
            return sum
        }
    }

    /// The client's 24-byte connection preface `PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n` (§3.4).
    public var preface = Bytes()
    /// SETTINGS frames and their acknowledgements (§6.5).
    public var settings = Bytes()
    /// HEADERS and CONTINUATION frames that start a request or response: frame headers plus
    /// HPACK-compressed header blocks.
    public var headers = Bytes()
    /// HEADERS frames after a stream's DATA (gRPC's `grpc-status` trailers).
    public var trailers = Bytes()
    /// The 9-byte headers of DATA frames (and any padding).
    public var dataFrameHeaders = Bytes()
    /// gRPC's 5-byte message prefix (compressed flag + 4-byte length) inside DATA payloads.
    public var grpcMessagePrefixes = Bytes()
    /// DATA payload bytes after taking out gRPC prefixes: the response bodies or messages.
    public var dataPayload = Bytes()
    /// WINDOW_UPDATE frames (§6.9), flow control.
    public var windowUpdates = Bytes()
    /// PING frames and their acknowledgements (§6.7), keepalive.
    public var pings = Bytes()
    /// RST_STREAM, GOAWAY, PRIORITY and unknown frame types.
    public var other = Bytes()
    /// The HPACK-compressed header blocks in `headers` and `trailers` (frame payloads, without
    /// padding and priority fields); `frames` counts blocks.
    public var headerBlocks = Bytes()
    /// The same header fields uncompressed, name length plus value length per field, as h2load's
    /// "space savings" counts them; `frames` counts fields.
    public var headerFields = Bytes()
    /// Streams the client opened (requests or RPCs).
    public var streams = 0

    public init() {}

    /// Every category, with its name for reports, in wire order.
    public var categories: [(name: String, bytes: Bytes)] {
        [
            ("connection preface", preface), ("SETTINGS", settings), ("HEADERS (requests, responses)", headers),
            ("HEADERS (trailers)", trailers), ("DATA frame headers", dataFrameHeaders),
            ("gRPC message prefixes", grpcMessagePrefixes), ("DATA payload", dataPayload),
            ("WINDOW_UPDATE", windowUpdates), ("PING", pings), ("other frames", other),
        ]
    }

    /// The 9-byte headers of every frame.
    public var frameHeaderBytes: Int {
        9 * [settings, headers, trailers, dataFrameHeaders, windowUpdates, pings, other].reduce(0) { $0 + $1.frames }
    }

    /// All bytes in every category; equals the connection's wire bytes.
    public var totalBytes: Int { categories.reduce(0) { $0 + $1.bytes.total } }

    /// `1 − compressed ÷ uncompressed` header bytes: what HPACK saved, from 0 to 1.
    public var headerSpaceSavings: Double {
        headerFields.total == 0 ? 0 : 1 - Double(headerBlocks.total) / Double(headerFields.total)
    }

    public static func + (lhs: Self, rhs: Self) -> Self {
        var sum = lhs
        sum.preface = lhs.preface + rhs.preface
        sum.settings = lhs.settings + rhs.settings
        sum.headers = lhs.headers + rhs.headers
        sum.trailers = lhs.trailers + rhs.trailers
        sum.dataFrameHeaders = lhs.dataFrameHeaders + rhs.dataFrameHeaders
        sum.grpcMessagePrefixes = lhs.grpcMessagePrefixes + rhs.grpcMessagePrefixes
        sum.dataPayload = lhs.dataPayload + rhs.dataPayload
        sum.windowUpdates = lhs.windowUpdates + rhs.windowUpdates
        sum.pings = lhs.pings + rhs.pings
        sum.other = lhs.other + rhs.other
        sum.headerBlocks = lhs.headerBlocks + rhs.headerBlocks
        sum.headerFields = lhs.headerFields + rhs.headerFields
        sum.streams += rhs.streams
        return sum
    }
}
