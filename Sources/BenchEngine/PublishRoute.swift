import BenchCore
import BenchServer
import NIOCore

/// `POST /control/publish?count=N` on `bench serve`: publishes N events at once (`bench scale`'s
/// broadcast); answers `{"first":F,"last":L}`.
public struct PublishRoute: HTTPRoute {
    public let transport: TransportKind? = nil
    public let path = "/control/publish"
    let payloads: PayloadFactory

    /// Publishes events whose payloads `payloads` makes, as the server's own schedule does.
    public init(payloads: PayloadFactory) {
        self.payloads = payloads
    }

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        guard request.head.method == .POST else { throw HTTPRequestError(message: "publish with POST /control/publish?count=N") }
        let count = try request.unsignedParameter("count") ?? 1
        guard (1...100_000).contains(count) else { throw HTTPRequestError(message: "count must be between 1 and 100000 (got \(count))") }
        var first: UInt64 = 0
        var last: UInt64 = 0
        for index in 0..<count {
            let sequence = context.hub.lastSequence + 1
            last = context.hub.publish(payload: payloads.payload(for: sequence)).event.sequence
            if index == 0 { first = last }
        }
        try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "{\"first\":\(first),\"last\":\(last)}"))
    }
}
