import BenchCore
import BenchServer

/// Short polling's server half: `GET /poll?after=N&encoding=E` answers at once with every
/// event after sequence N, or an empty batch (gzip when the request accepts it and the server
/// compresses: ``PollResponse``).
public struct ShortPollingEndpoint: HTTPRoute {
    public let transport: TransportKind? = .shortPolling
    public let path = "/poll"

    public init() {}

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let (cursor, encoding) = try PollResponse.parameters(request, configuration: context.configuration)
        try await PollResponse.write(context.hub.events(after: cursor), to: request, kind: .shortPoll, encoding: encoding, writer: writer, context: context)
    }
}
