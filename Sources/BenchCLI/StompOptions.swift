import ArgumentParser
import BenchTransports

/// `--stomp-ack`: the ack mode of the STOMP transport's subscriptions.
struct StompOptions: ParsableArguments {
    @Option(
        name: .customLong("stomp-ack"),
        help: "STOMP's subscription ack mode: auto, client (one cumulative ACK per read) or client-individual (one ACK per message).")
    var ack = StompAckMode.auto

    /// The STOMP transport's configuration.
    var configuration: StompTransport.Configuration { StompTransport.Configuration(ack: ack) }
}

extension StompAckMode: ExpressibleByArgument {}
