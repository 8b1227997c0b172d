/// The measurements of one transport on one scenario: the rows of every report.
///
/// The field names are the stable interface of `results.json` (see DESIGN.md); renaming one is a
/// breaking change. Byte counts are TCP payload bytes counted at the server's sockets by the
/// WireMeter; `bytesUp` is client → server, `bytesDown` server → client.
public struct RunResult: Codable, Sendable, Hashable {
    /// Transport name as on the command line (`short-polling`, …).
    public var transport: String
    /// The variant within the transport, for example `keep-alive` or `per-request` for polling.
    public var variant: String
    public var encoding: String
    public var scenario: String
    public var clients: Int

    /// Events the server published.
    public var eventsPublished: Int
    /// Deliveries the workload required: published × clients for push.
    public var deliveriesExpected: Int
    /// Distinct (client, event) deliveries.
    public var eventsDelivered: Int
    /// Expected deliveries that never arrived.
    public var eventsLost: Int
    /// Arrivals of an event a client already had.
    public var eventsDuplicated: Int
    /// First arrivals after a later sequence.
    public var eventsOutOfOrder: Int
    /// Lost sequences as `client N: a-b` ranges (at most a few per client), so loss is never silent.
    public var lostSequences: [String]
    /// Gaps the server announced because a client fell behind the retention window.
    public var announcedGaps: [String]

    public var bytesUp: Int
    public var bytesDown: Int
    /// Encoded event bodies the workload required: each delivered event's encoded size, once per client.
    public var payloadBytes: Int
    /// `bytesUp + bytesDown - payloadBytes`: headers, framing, handshakes, empty polls.
    public var overheadBytes: Int
    /// `overheadBytes / (bytesUp + bytesDown)`, from 0 to 1.
    public var overheadRatio: Double
    /// `(bytesUp + bytesDown) / eventsDelivered`.
    public var bytesPerDeliveredEvent: Double

    /// HTTP requests the server received (upgrade requests included).
    public var requests: Int
    /// Responses that carried no event (polls that found nothing, long polls that timed out).
    public var emptyResponses: Int
    /// TCP connections the server accepted.
    public var connections: Int
    /// Reconnects made by clients after an unexpected disconnect.
    public var reconnects: Int

    public var latencyP50Nanoseconds: UInt64
    public var latencyP90Nanoseconds: UInt64
    public var latencyP99Nanoseconds: UInt64
    public var latencyP999Nanoseconds: UInt64
    public var latencyMaxNanoseconds: UInt64
    public var latencyMeanNanoseconds: Double
    /// Number of latency samples behind the percentiles.
    public var latencySamples: UInt64

    /// Wall time of the run from the first publish to the last delivery (or drain timeout), in seconds.
    public var durationSeconds: Double
    /// Errors that ended client connections, if any (a few examples).
    public var clientErrors: [String]

    /// A row for `transport` with every measurement zero; the engine fills it in.
    public init(transport: String, variant: String, encoding: String, scenario: String, clients: Int) {
        self.transport = transport
        self.variant = variant
        self.encoding = encoding
        self.scenario = scenario
        self.clients = clients
        (eventsPublished, deliveriesExpected, eventsDelivered, eventsLost, eventsDuplicated, eventsOutOfOrder) = (0, 0, 0, 0, 0, 0)
        (lostSequences, announcedGaps, clientErrors) = ([], [], [])
        (bytesUp, bytesDown, payloadBytes, overheadBytes, overheadRatio, bytesPerDeliveredEvent) = (0, 0, 0, 0, 0, 0)
        (requests, emptyResponses, connections, reconnects) = (0, 0, 0, 0)
        (latencyP50Nanoseconds, latencyP90Nanoseconds, latencyP99Nanoseconds, latencyP999Nanoseconds, latencyMaxNanoseconds) = (0, 0, 0, 0, 0)
        (latencyMeanNanoseconds, latencySamples, durationSeconds) = (0, 0, 0)
    }

    /// True when nothing was lost and the byte ledger adds up.
    public var isClean: Bool { eventsLost == 0 && overheadBytes >= 0 }
}
