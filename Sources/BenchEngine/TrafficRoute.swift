import BenchCore
import BenchServer
import Foundation
import NIOCore

/// `GET /control/traffic` on `bench serve`: what the server counted so far, by transport, as
/// JSON — `{"sse": TrafficTotals, …, "other": TrafficTotals}`, `other` for connections that
/// asked for no transport (the browser page, control requests, handshakes that failed). With
/// `--tls` each entry's `tls` holds its TLS layer's counts, so a test driving `bench serve` with
/// outside clients sees their handshakes.
///
/// The answer counts the connection that asks for it (under `other`), up to its request.
public struct TrafficRoute: HTTPRoute {
    public let transport: TransportKind? = nil
    public let path = "/control/traffic"

    public init() {}

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        var totals: [String: TrafficTotals] = [:]
        for (kind, traffic) in context.traffic.totalsByTransport { totals[kind?.rawValue ?? "other"] = traffic }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = try encoder.encode(totals)
        try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: ByteBuffer(bytes: json))
    }
}
