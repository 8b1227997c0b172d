import BenchCore
import BenchServer
import NIOConcurrencyHelpers
import NIOCore

/// Long polling's server half: `GET /long-poll?after=N&timeout=MS&encoding=E` answers at once
/// when events after N are waiting, otherwise holds the request until one is published or the
/// hold timeout passes (then answers with an empty batch). Bodies go gzip as short polling's do
/// (``PollResponse``).
public struct LongPollingEndpoint: HTTPRoute {
    public let transport: TransportKind? = .longPolling
    public let path = "/long-poll"
    /// Hold timeout when the request does not give one.
    public var defaultTimeoutMilliseconds: UInt64 = 30_000
    /// The longest hold a request may ask for.
    public static let maximumTimeoutMilliseconds: UInt64 = 600_000

    public init() {}

    public func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        let (cursor, encoding) = try PollResponse.parameters(request, configuration: context.configuration)
        let timeout = try request.unsignedParameter("timeout") ?? defaultTimeoutMilliseconds
        guard timeout <= Self.maximumTimeoutMilliseconds else {
            throw HTTPRequestError(message: "timeout must be at most \(Self.maximumTimeoutMilliseconds) ms, got \(timeout)")
        }
        // Answered from the connection's event loop as soon as an event is published.
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        await context.hub.stream(after: cursor, heartbeat: .milliseconds(Int64(timeout)), to: writer.channel) { batch in
            guard batch.reason != .cancelled else { return nil }
            do {
                _ = try PollResponse.writeNow(batch, to: request, kind: .longPoll, encoding: encoding, writer: writer, context: context)
            } catch {
                failure.withLockedValue { $0 = error }
            }
            return nil
        }
        if let error = failure.withLockedValue({ $0 }) { throw error }
    }
}
