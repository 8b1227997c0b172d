import BenchCore
import BenchServer

/// Long polling: the server holds each poll until an event exists or the hold time passes; on
/// one kept-alive connection or a new one per request, over HTTP/1.1 or HTTP/2.
public struct LongPollingTransport: TransportDescriptor {
    public init() {}

    public var kind: TransportKind { .longPolling }
    public var displayName: String { "Long polling" }
    public func delivery(variant: String) -> DeliveryPattern { .longPoll }
    public func opensConnectionPerRequest(variant: String) -> Bool { variant == ConnectionMode.perRequest.rawValue }

    /// A kept-alive connection, and a new connection per request.
    public func suiteScenarios(for scenario: Scenario) -> [Scenario] {
        var perRequest = scenario
        perRequest.connectionMode = .perRequest
        return [scenario, perRequest]
    }

    public func register(in routes: inout Routes) { routes.add(LongPollingEndpoint()) }

    public func makeClient(for scenario: Scenario) -> any TransportClient {
        LongPollingClient(connectionMode: scenario.connectionMode)
    }
}
