import BenchCore
import BenchServer

/// Short polling: the client asks every poll interval (`GET /poll?after=N`) and the server
/// answers at once, often with nothing; on one kept-alive connection or a new one per request,
/// over HTTP/1.1 or HTTP/2.
public struct ShortPollingTransport: TransportDescriptor {
    public init() {}

    public var kind: TransportKind { .shortPolling }
    public var displayName: String { "Short polling" }
    public func delivery(variant: String) -> DeliveryPattern { .poll }
    public func opensConnectionPerRequest(variant: String) -> Bool { variant == ConnectionMode.perRequest.rawValue }
    /// Nothing is held between polls.
    public var holdsConnections: Bool { false }

    /// A kept-alive connection, the same over HTTP/2 (what header compression does to a poll),
    /// and a new connection per request (the study notes' assumption).
    public func suiteScenarios(for scenario: Scenario) -> [Scenario] {
        var http2 = scenario
        http2.httpVersion = .http2
        var perRequest = scenario
        perRequest.connectionMode = .perRequest
        return [scenario, http2, perRequest]
    }

    public func register(in routes: inout Routes) { routes.add(ShortPollingEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient {
        ShortPollingClient(connectionMode: scenario.connectionMode)
    }
}
