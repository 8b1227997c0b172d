/// The measurements of one transport on one scenario: the rows of every report.
///
/// The field names are the stable interface of `results.json`; renaming one is a breaking change. Byte counts are TCP payload bytes counted at the server's sockets by the
/// WireMeter; `bytesUp` is client → server, `bytesDown` server → client.
public struct RunResult: Codable, Sendable, Hashable {
    /// Transport name as on the command line (`short-polling`, …).
    public var transport: String
    /// The transport's name for tables and charts (`Short polling`); `nil` in documents written
    /// before it was recorded, where reports show ``transport``.
    public var transportName: String?
    /// How the transport delivers a pushed event (``DeliveryPattern``): whether each request
    /// fetches events, so overhead per request means something; `nil` in older documents.
    public var delivery: DeliveryPattern?
    /// The variant within the transport, for example `keep-alive` or `per-request` for polling.
    public var variant: String
    public var encoding: String
    /// `1.1` or `2`: the HTTP version under the transport (WebSocket's upgrade is HTTP/1.1, gRPC is HTTP/2).
    public var httpVersion: String
    /// `push`, `echo` or `upload`.
    public var direction: String
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

    /// TCP payload bytes this run's clients read from and wrote to their own sockets, summed over
    /// them, counted in front of TLS and every decoder. Against a server on loopback they equal
    /// `bytesDown` and `bytesUp`; behind a load balancer they are the client–balancer side (what
    /// users pay), while `bytesUp`/`bytesDown` are the balancer–node side. `nil` in documents
    /// written before clients counted.
    public var clientWireBytesReceived: Int?
    public var clientWireBytesSent: Int?

    /// One-time protocol handshake bytes included in `bytesUp` (the WebSocket upgrade request).
    public var handshakeBytesUp: Int
    /// One-time protocol handshake bytes included in `bytesDown` (the `101 Switching Protocols` response).
    public var handshakeBytesDown: Int
    /// SSE with a binary encoding, gRPC-Web's text format with any: the extra bytes of sending
    /// each delivered body as base64 (the carrier takes text only); included in `overheadBytes`,
    /// 0 otherwise.
    public var base64InflationBytes: Int
    /// Heartbeats the server sent: SSE comment lines or WebSocket pings.
    public var heartbeats: Int
    /// A transport layered on another (STOMP on WebSocket, gRPC-Web and NDJSON streaming on an
    /// HTTP response): the bytes its own framing added in both directions (STOMP's command and
    /// header lines and NUL, gRPC-Web's message prefixes and trailer frame, NDJSON's newlines),
    /// counted by the server as it wrote and parsed them; included in `overheadBytes`, the rest
    /// of which is the carrier's. `nil` for a transport that is not layered.
    public var layerFramingBytes: Int?
    /// Model: what heartbeats at the scenario's interval cost one idle connection per hour, in
    /// bytes (one heartbeat's framing per its RFC × heartbeats per hour); 0 without heartbeats.
    public var heartbeatBytesPerIdleConnectionHour: Double

    /// HTTP requests the server received (upgrade requests included).
    public var requests: Int
    /// Responses that carried no event (polls that found nothing, long polls that timed out).
    public var emptyResponses: Int
    /// TCP connections the server accepted.
    public var connections: Int
    /// Reconnects made by clients after an unexpected disconnect.
    public var reconnects: Int
    /// Connections the server dropped on purpose (fault injection).
    public var connectionsDropped: Int

    /// gRPC: calls that ended at their deadline and calls the client cancelled; the client
    /// resumed after each from its cursor, so neither counts as loss.
    public var deadlinesExceeded: Int
    public var callsCancelled: Int
    /// HTTP/2 rows: where the bytes went, frame by frame (`nil` for HTTP/1.1 and WebSocket).
    public var http2: HTTP2Breakdown?
    public var latencyP50Nanoseconds: UInt64
    public var latencyP90Nanoseconds: UInt64
    public var latencyP99Nanoseconds: UInt64
    public var latencyP999Nanoseconds: UInt64
    public var latencyMaxNanoseconds: UInt64
    public var latencyMeanNanoseconds: Double
    /// Number of latency samples behind the percentiles.
    public var latencySamples: UInt64
    /// What latency is measured from: `publish` (push), or `scheduled send` for echo and upload,
    /// which corrects for coordinated omission as wrk2 does.
    public var latencyReference: String
    /// Echo and upload: the same latencies measured from the actual send time (not corrected
    /// for coordinated omission); 0 for push.
    public var uncorrectedLatencyP50Nanoseconds: UInt64
    public var uncorrectedLatencyP99Nanoseconds: UInt64
    public var uncorrectedLatencyMaxNanoseconds: UInt64

    /// The scenario's time scale: 1 for wall time; at 100 the run went 100× faster than the
    /// workload it models, so bytes and requests are the modeled workload's and latencies are
    /// wall-clock (multiply by the scale only where the latency is set by an interval, such as
    /// short polling's wait for the next poll).
    public var timeScale: Double
    /// Wall time of the run from the first publish to the last delivery (or drain timeout), in seconds.
    public var durationSeconds: Double
    /// Errors that ended client connections, if any (a few examples).
    public var clientErrors: [String]

    /// The analytic model's median latency (``LatencyModel``) for this row's transport on the
    /// run's link, wall-clock, and its formula; `nil` in documents written before the model.
    public var modelLatencyP50Nanoseconds: UInt64?
    public var latencyModel: String?
    /// The emulated link (wall clock), `nil` for loopback as it is.
    public var link: LinkConditions?
    /// The header profile the run's requests and responses carried (`minimal`, `browser`,
    /// `browser-cookies` or a file's path); `nil` in documents written before profiles.
    public var headerProfile: String?
    /// The `Cookie` value bytes on every request head; `nil` when none.
    public var cookieBytes: Int?
    /// `off`, or `on` with the settings that differ from the defaults (``CompressionSettings/label``);
    /// `nil` in documents written before compression was a layer (they ran without).
    public var compression: String?
    /// What payloads looked like (`random`, `chat`, `ticker`, `document`); `nil` in older documents (random).
    public var payloadContent: String?
    /// What the compression layer did at the server and at the clients; `nil` where nothing was
    /// compressed or decompressed.
    public var serverCompression: CompressionTally?
    public var clientCompression: CompressionTally?
    /// Compression rows: bytes that went into compressors on both sides, and came out.
    public var compressionPlainBytes: Int?
    public var compressionCompressedBytes: Int?
    /// `compressionCompressedBytes / compressionPlainBytes`: 0.2 means compressed bodies took a fifth.
    public var compressionRatio: Double?
    /// What the same traffic would have taken uncompressed: the wire bytes with every compressed
    /// body at its plain size (`bytesUp + bytesDown - compressed + plain`). Framing that depends
    /// on a body's length (a few bytes) and `Content-Encoding` fields are not taken out;
    /// `--compression both` measures the uncompressed run itself.
    public var bytesIfUncompressed: Int?
    /// Thread CPU time per delivered event in compressors, and in decompressors, at the server
    /// and the clients together, in nanoseconds; `nil` where the layer compresses inside a
    /// library that cannot be timed (gRPC: compare the process CPU with compression and without).
    public var compressCPUNanosecondsPerEvent: Double?
    public var decompressCPUNanosecondsPerEvent: Double?

    /// `off`, or the TLS version and certificate (``TLSSettings/label``); `nil` in documents
    /// written before TLS was a layer (they ran cleartext).
    public var tls: String?
    /// What the server's TLS layer counted (records by kind, plaintext, handshakes); `nil` cleartext.
    public var serverTLS: TLSTally?
    /// TLS rows: bytes of handshake records, both ways, over every connection.
    public var tlsHandshakeBytes: Int?
    /// TLS rows: what application-data records add to their plaintext, both ways (record
    /// headers, content-type bytes, explicit nonces and authentication tags).
    public var tlsRecordOverheadBytes: Int?
    /// TLS rows: bytes of alert records (close_notify), both ways.
    public var tlsAlertBytes: Int?
    /// TLS rows: handshake bytes per completed handshake (both ways).
    public var tlsHandshakeBytesPerConnection: Double?
    /// TLS rows: record overhead per application-data record (22 B for TLS 1.3's AEAD ciphers:
    /// a 5-byte header, the content-type byte and a 16-byte tag, RFC 8446 §5.2).
    public var tlsRecordOverheadBytesPerRecord: Double?
    /// TLS rows: the server certificate's DER size, most of what its handshake carries.
    public var tlsCertificateBytes: Int?
    /// The handshake checks the server made (``SecuritySettings/label``: `none`, `jwt es256`,
    /// `origins …`); `nil` in documents written before them (they ran with none).
    public var security: String?
    /// Requests, WebSocket upgrades and gRPC calls the server refused (400, 401, 403,
    /// `UNAUTHENTICATED`); `nil` in documents written before the checks.
    public var refusedRequests: Int?
    /// Authentication rows (`--auth jwt`): the tokens the server verified (a poll's every
    /// request, a stream's one), the bytes they took (``BearerCredential/wireBytes`` each:
    /// `Authorization: Bearer …` and its CRLF, or `access_token=…` and its separator), those
    /// bytes per delivered event, and the server's thread CPU time verifying per delivered event.
    public var tokensVerified: Int?
    public var authenticationBytes: Int?
    public var authenticationBytesPerEvent: Double?
    public var verifyCPUNanosecondsPerEvent: Double?

    /// Below the TCP payload, estimated from each connection's TCP_INFO and TCP's rules
    /// (``TCPHeaderModel``): segments each way, retransmissions, handshake and teardown segments,
    /// and the IP and TCP header bytes (no link-layer framing); `nil` where TCP_INFO could not be
    /// read (not Linux) and in documents written before it was.
    public var tcp: TCPTally?
    /// The server side's deployment when it was scale-out nodes (`--nodes`, …); `nil` for one
    /// server in bench's process.
    public var scaleOut: ScaleOutResult?
    /// Reconnects' times without a connection, from a client noticing its connection gone to its
    /// next one opening (its backoff's wait included); `nil` when no client reconnected.
    public var reconnectTime: LatencySummary?
    /// `tcp.headerBytes / eventsDelivered`: what the segments' headers cost per delivered event.
    public var tcpHeaderBytesPerEvent: Double?

    /// CPU time of the process during the run, user and system, in seconds. In-process runs hold
    /// the server and every client in this one process, so this is all of them together.
    public var processUserCPUSeconds: Double?
    public var processSystemCPUSeconds: Double?
    /// The process's peak resident memory during the run (from the run's start where the system
    /// lets the peak be reset — Linux — else since the process started), in bytes.
    public var processPeakResidentBytes: Int?

    /// The server process's own CPU time and peak resident memory over the run, when the server
    /// ran in a process of its own (`bench run --target`); `nil` in-process.
    public var serverUserCPUSeconds: Double?
    public var serverSystemCPUSeconds: Double?
    public var serverPeakResidentBytes: Int?
    /// Every latency sample in HdrHistogram's compressed base64 form (``HdrHistogramEncoding``),
    /// so results from several hosts merge into exact percentiles (`bench merge`); samples above
    /// the trackable range are counted in `latencyOverflowSamples` instead. `nil` without samples.
    public var latencyHistogram: String?
    public var latencyOverflowSamples: UInt64?
    /// Echo and upload: the uncorrected latencies' histogram, in the same form.
    public var uncorrectedLatencyHistogram: String?
    /// `bench run --target`: the server's control URL, the run's identity on it, how many load
    /// hosts shared the run, and how the clients' clock was related to the server's.
    public var target: String?
    public var runID: String?
    public var hosts: Int?
    public var clock: ClockRelation?
    /// `bench merge`: how many results this row combines.
    public var mergedResults: Int?

    /// The instrument's one-way floor during this row's own run (``InstrumentFloor``): a raw-TCP
    /// probe on loopback, plus an emulated link's one-way delay; `nil` against a remote server
    /// (`--target`), whose path this host's probe cannot see, and in older documents.
    public var instrumentFloorOneWayNanoseconds: UInt64?
    /// p50 and p99 latency divided by that floor.
    public var latencyP50ToFloor: Double?
    public var latencyP99ToFloor: Double?
    /// The probe's figures behind the floor.
    public var instrumentFloor: InstrumentFloor?
    /// Push rows held to a target (``LatencyTarget``): the largest p50 ÷ floor it allows, and
    /// whether the row met it; `nil` where no target applies.
    public var latencyTargetToFloor: Double?
    public var latencyTargetMet: Bool?
    /// What else the machine did during the run (/proc/stat); `nil` where it cannot be read.
    public var machineLoad: MachineLoad?
    /// Whether the run was disturbed, and why, one sentence with the figures each
    /// (``Disturbance``); `nil` in documents written before the check.
    public var disturbed: Bool?
    public var disturbances: [String]?

    /// One host's share of a run that several load hosts drove (`bench run --target --hosts N`):
    /// the byte, request and connection counts are the server's for the whole run, while
    /// deliveries, payload and latency are this host's clients', so figures that divide one by
    /// the other mean something only after `bench merge`.
    public var isHostShare: Bool { (hosts ?? 1) > 1 && mergedResults == nil }

    /// The server process's CPU time per delivered event, in microseconds, when it ran apart.
    public var serverCPUMicrosecondsPerDeliveredEvent: Double? {
        guard let user = serverUserCPUSeconds, let system = serverSystemCPUSeconds, eventsDelivered > 0, !isHostShare else { return nil }
        return (user + system) * 1e6 / Double(eventsDelivered)
    }

    /// Process CPU time (user + system) per delivered event, in microseconds.
    public var processCPUMicrosecondsPerDeliveredEvent: Double? {
        guard let user = processUserCPUSeconds, let system = processSystemCPUSeconds, eventsDelivered > 0 else { return nil }
        return (user + system) * 1e6 / Double(eventsDelivered)
    }

    /// A row for `transport` with every measurement zero; the engine fills it in.
    public init(transport: String, variant: String, encoding: String, direction: String = "push", httpVersion: String = "1.1", scenario: String, clients: Int) {
        self.transport = transport
        self.httpVersion = httpVersion
        self.variant = variant
        self.encoding = encoding
        self.direction = direction
        self.scenario = scenario
        self.clients = clients
        (eventsPublished, deliveriesExpected, eventsDelivered, eventsLost, eventsDuplicated, eventsOutOfOrder) = (0, 0, 0, 0, 0, 0)
        (lostSequences, announcedGaps, clientErrors) = ([], [], [])
        (bytesUp, bytesDown, payloadBytes, overheadBytes, overheadRatio, bytesPerDeliveredEvent) = (0, 0, 0, 0, 0, 0)
        (requests, emptyResponses, connections, reconnects, connectionsDropped) = (0, 0, 0, 0, 0)
        (deadlinesExceeded, callsCancelled, http2) = (0, 0, nil)
        (handshakeBytesUp, handshakeBytesDown, heartbeats, heartbeatBytesPerIdleConnectionHour, base64InflationBytes) = (0, 0, 0, 0, 0)
        latencyReference = direction == "push" ? "publish" : "scheduled send"
        (uncorrectedLatencyP50Nanoseconds, uncorrectedLatencyP99Nanoseconds, uncorrectedLatencyMaxNanoseconds) = (0, 0, 0)
        (latencyP50Nanoseconds, latencyP90Nanoseconds, latencyP99Nanoseconds, latencyP999Nanoseconds, latencyMaxNanoseconds) = (0, 0, 0, 0, 0)
        (latencyMeanNanoseconds, latencySamples, durationSeconds, timeScale) = (0, 0, 0, 1)
    }

    /// Wire bytes per delivered event after taking out one-time handshakes: the per-event cost.
    public var perEventOverheadBytes: Double {
        eventsDelivered == 0 ? 0 : Double(overheadBytes - handshakeBytesUp - handshakeBytesDown) / Double(eventsDelivered)
    }

    /// Overhead bytes per request after taking out one-time handshakes: what each poll, or each
    /// RPC, costs beyond its payload.
    public var overheadPerRequestBytes: Double {
        requests == 0 ? 0 : Double(overheadBytes - handshakeBytesUp - handshakeBytesDown) / Double(requests)
    }

    /// The name for tables and charts.
    public var displayName: String { transportName ?? transport }

    /// True when nothing was lost and the byte ledger adds up. Compressed rows can carry fewer
    /// wire bytes than their plain payload, so their overhead may be negative.
    ///
    /// Scale-out nodes without a backplane lose events by design (only the first node has them):
    /// the report names every lost sequence, and the row still counts as clean.
    public var isClean: Bool {
        (eventsLost == 0 || lossIsTheDeployments) && ledgerAddsUp && !(scaleOut?.backplaneLostEvents ?? false)
    }

    /// Whether the row ran on several nodes with no backplane, where clients of the other nodes
    /// cannot get the events: what such a run measures.
    public var lossIsTheDeployments: Bool {
        guard let settings = scaleOut?.settings else { return false }
        return settings.nodes > 1 && settings.backplane == .none
    }

    /// Whether the wire carried at least the payload it delivered: always, unless bytes went
    /// uncounted. Compressed rows may carry less than their plain payload, so they always add up.
    public var ledgerAddsUp: Bool { overheadBytes >= 0 || isCompressed }

    /// Messages sent uncompressed on connections that negotiated compression (under a threshold).
    public var messagesSentUncompressed: Int {
        (serverCompression?.messagesSentPlain ?? 0) + (clientCompression?.messagesSentPlain ?? 0)
    }

    /// Whether compression was on for the row (`--compression on`).
    public var compressionOn: Bool { compression.map { $0 != "off" } ?? false }

    /// Whether the row's requests presented tokens (`--auth jwt`).
    public var authenticationOn: Bool { tokensVerified != nil }

    /// Whether the row's traffic went through a compressor.
    public var isCompressed: Bool { (compressionPlainBytes ?? 0) > 0 }

    /// Whether the row ran over TLS.
    public var isTLS: Bool { serverTLS != nil }

    /// `TLS 1.3` for a TLS row's tables.
    public var tlsVersionLabel: String { tls.flatMap { $0.split(separator: ",").first.map(String.init) } ?? "TLS" }

    /// Everything the TLS layer added to the wire: handshakes, record overhead and alerts.
    public var tlsLayerBytes: Int { (tlsHandshakeBytes ?? 0) + (tlsRecordOverheadBytes ?? 0) + (tlsAlertBytes ?? 0) }
}

/// How latency's two timestamps — the server's publish, the client's arrival — relate.
public struct ClockRelation: Codable, Sendable, Hashable {
    /// Add to a client timestamp to get the server's clock; 0 when they share a clock.
    public var offsetNanoseconds: Int64
    /// Half the smallest control round trip: how far off the offset may be; 0 for a shared clock.
    public var uncertaintyNanoseconds: UInt64
    /// `one process`, `one kernel (same boot ID)` or `estimated over the network`.
    public var source: String

    public init(offsetNanoseconds: Int64, uncertaintyNanoseconds: UInt64, source: String) {
        self.offsetNanoseconds = offsetNanoseconds
        self.uncertaintyNanoseconds = uncertaintyNanoseconds
        self.source = source
    }

    public static let oneProcess = ClockRelation(offsetNanoseconds: 0, uncertaintyNanoseconds: 0, source: "one process")
}
