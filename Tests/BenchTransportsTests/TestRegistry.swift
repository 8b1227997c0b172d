import BenchTransports

extension TransportRegistry {
    /// The transports of BenchTransports; gRPC's, in BenchGRPC, are tested in BenchGRPCTests.
    static let withoutGRPC = TransportRegistry([ShortPollingTransport(), LongPollingTransport(), ServerSentEventsTransport(), WebSocketTransport(), HTTPStreamingTransport()])
}
