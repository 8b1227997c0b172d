import BenchCore
import BenchServer

extension TransportKind {
    /// Newline-delimited JSON in one long HTTP response that a page reads with `fetch`.
    public static let httpStreaming = TransportKind(rawValue: "http-streaming")
}

/// HTTP streaming: one long response of newline-delimited JSON (NDJSON), chunked over HTTP/1.1
/// or in DATA frames over HTTP/2, that a page reads with `fetch` and a `ReadableStream`; binary
/// encodings travel as base64 in a JSON string, and heartbeats are empty lines.
public struct HTTPStreamingTransport: TransportDescriptor {
    public init() {}

    public var kind: TransportKind { .httpStreaming }
    public var displayName: String { "HTTP streaming" }
    public var carriesBinaryAsBase64: Bool { true }

    /// One heartbeat: the empty line in its chunk (RFC 9112 §7.1).
    public var heartbeatWireBytes: Int? { Framing.chunkWireBytes(payload: HTTPStreamingEndpoint.heartbeat.readableBytes) }

    public func register(in routes: inout Routes) { routes.add(HTTPStreamingEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient { HTTPStreamingClient() }
}
