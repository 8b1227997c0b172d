import BenchCore
import BenchServer

/// A transport, whole: its facts (``TransportTraits``), its server half and its client half.
///
/// One type per transport conforms, next to its endpoint and client in the transport's folder
/// (`ShortPollingTransport` in ShortPolling/, …; gRPC's in BenchGRPC), and one list registers
/// them (``TransportRegistry``). The engine, the reports and the command line ask the
/// descriptor; none of them names a transport.
///
/// ```swift
/// let registry = TransportRegistry([ServerSentEventsTransport(), WebSocketTransport()])
/// let result = try await Runner(registry: registry).run(.defaults, transport: WebSocketTransport())
/// ```
///
/// A cross-cutting option (a field of ``Scenario``) reaches every transport through
/// ``makeClient(for:)`` and ``register(in:)``; one a transport cannot honour is refused by
/// ``check(_:)`` (through ``TransportRegistry/check(_:_:)``) while the run is planned, before
/// anything runs.
public protocol TransportDescriptor: TransportTraits {
    /// Adds the server half (an ``HTTPRoute``, a ``WebSocketRoute`` or a ``ListenerRoute``).
    func register(in routes: inout Routes)
    /// The client half for `scenario` (one ``TransportRegistry/check(_:_:)`` accepted).
    func makeClient(for scenario: Scenario) -> any TransportClient
    /// Refuses a scenario this transport cannot run beyond its ``TransportTraits/directions``,
    /// which the registry checks for every transport. Default: nothing more to refuse.
    func check(_ scenario: Scenario) throws(BenchError)
}

extension TransportDescriptor {
    public func check(_ scenario: Scenario) throws(BenchError) {}
}
