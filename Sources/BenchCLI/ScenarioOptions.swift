import ArgumentParser
import BenchCore

/// The scenario flags `bench run` and `bench serve` share.
struct ScenarioOptions: ParsableArguments {
    @Option(name: .long, help: "Number of concurrent clients.")
    var clients = Scenario.defaults.clients

    @Option(name: .long, help: "Events published per second.")
    var rate = Scenario.defaults.eventsPerSecond

    @Option(name: .long, help: "Arrival process: fixed or poisson (seeded).")
    var arrival = Scenario.defaults.arrival

    @Option(name: .customLong("payload-bytes"), help: "Payload size per event, in bytes, before encoding.")
    var payloadBytes = Scenario.defaults.payloadBytes

    @Option(name: .long, help: "Event encoding: json, protobuf, or both (each transport runs once per encoding).")
    var encoding = EncodingChoice.json

    @Option(name: .customLong("http-version"), help: "Polling and SSE: HTTP version 1.1, 2 (prior knowledge in cleartext, ALPN with --tls) or both (each runs once per version).")
    var httpVersion = HTTPVersionOption.http1_1

    @Option(name: .long, help: "gRPC: seconds before each call's deadline; the client then opens a new call from its cursor. None when absent.")
    var deadline: Double?

    @Option(name: .long, help: "push (server → client), echo (client → server → client) or upload (client → server); echo and upload need websocket or grpc.")
    var direction = Scenario.defaults.direction

    @Option(name: .long, help: "Seconds of publishing; the run publishes rate × duration events.")
    var duration = Scenario.defaults.durationSeconds

    @Option(name: .customLong("poll-interval"), help: "Short polling: seconds between polls.")
    var pollInterval = Scenario.defaults.pollIntervalSeconds

    @Option(name: .customLong("long-poll-timeout"), help: "Long polling: seconds the server holds a request with nothing to send.")
    var longPollTimeout = Scenario.defaults.longPollTimeoutSeconds

    @Option(name: .customLong("poll-connection"), help: "Polling: keep-alive (one connection) or per-request (a new TCP connection per poll).")
    var pollConnection = Scenario.defaults.connectionMode

    @Option(name: .long, help: "SSE and WebSocket: seconds of idleness before a heartbeat (SSE comment, WebSocket ping); none when absent.")
    var heartbeat: Double?

    @Option(name: .customLong("drop-fraction"), help: "Fault injection (push): fraction of open connections the server drops at each fault.")
    var dropFraction = 0.0

    @Option(name: .customLong("drop-interval"), help: "Fault injection: seconds between faults (their mean with --drop-timing poisson).")
    var dropInterval = 1.0

    @Option(name: .customLong("drop-timing"), help: "Fault injection: fixed (every interval) or poisson (random, seeded).")
    var dropTiming = ArrivalProcess.fixed

    @Option(name: .long, help: "Seed for Poisson arrivals, payload bytes and client phases.")
    var seed = Scenario.defaults.seed

    @Option(name: .customLong("retained-events"), help: "Events the server keeps for clients that fall behind.")
    var retainedEvents = Scenario.defaults.retainedEvents

    @Option(name: .customLong("time-scale"), help: "Run the workload this many times faster than the times above say (rate ×, every interval and the duration ÷). Bytes and requests stay the modeled workload's; latencies are wall-clock.")
    var timeScale = Scenario.defaults.timeScale

    @OptionGroup var link: LinkOptions

    @OptionGroup var headerOptions: HeaderOptions

    @OptionGroup var compressionOptions: CompressionOptions

    @OptionGroup var tlsOptions: TLSOptions
    @OptionGroup var securityOptions: SecurityOptions
    @OptionGroup var scaleOutOptions: ScaleOutOptions

    /// The scenarios these flags describe, one per HTTP version, encoding and compression
    /// setting, validated.
    func scenarios(name: String) throws(BenchError) -> [Scenario] {
        var scenarios: [Scenario] = []
        for version in httpVersion.versions {
            for encoding in encoding.encodings {
                for compression in compressionOptions.settings() {
                    for scaleOut in try scaleOutOptions.settings() {
                        scenarios.append(try scenario(name: name, encoding: encoding, httpVersion: version, compression: compression, scaleOut: scaleOut))
                    }
                }
            }
        }
        return scenarios
    }

    /// The scenario these flags describe with `encoding`, `httpVersion`, `compression` and
    /// `scaleOut` (the first of `--compression`'s and `--balancer`'s when absent), validated.
    func scenario(
        name: String, encoding: Encoding = .json, httpVersion: HTTPProtocolVersion = .http1_1, compression: CompressionSettings? = nil,
        scaleOut: ScaleOutSettings? = nil
    ) throws(BenchError) -> Scenario {
        var scenario = Scenario(
            name: name, clients: clients, eventsPerSecond: rate, arrival: arrival, payloadBytes: payloadBytes,
            encoding: encoding, direction: direction, durationSeconds: duration, pollIntervalSeconds: pollInterval,
            longPollTimeoutSeconds: longPollTimeout, connectionMode: pollConnection, heartbeatIntervalSeconds: heartbeat,
            dropFraction: dropFraction, dropIntervalSeconds: dropInterval, dropTiming: dropTiming, seed: seed,
            retainedEvents: retainedEvents, httpVersion: httpVersion, callDeadlineSeconds: deadline,
            timeScale: timeScale, link: try link.conditions(), headers: try headerOptions.profile(),
            compression: compression ?? compressionOptions.settings()[0], payloadContent: compressionOptions.payloadContent,
            security: try securityOptions.settings()
        )
        scenario.tls = try tlsOptions.settings()
        if let scaleOut { scenario.scaleOut = scaleOut } else { scenario.scaleOut = try scaleOutOptions.settings()[0] }
        try scenario.validate()
        return scenario
    }

    func validate() throws {
        do { _ = try scenario(name: "check") } catch { throw ValidationError(error.message) }
    }
}

/// `--encoding`: one encoding or both.
enum EncodingChoice: String, CaseIterable, ExpressibleByArgument {
    case json, protobuf, both

    var encodings: [Encoding] {
        switch self {
        case .json: [.json]
        case .protobuf: [.protobuf]
        case .both: [.json, .protobuf]
        }
    }
}

/// `--http-version`: one version or both.
enum HTTPVersionOption: String, CaseIterable, ExpressibleByArgument {
    case http1_1 = "1.1"
    case http2 = "2"
    case both

    var versions: [HTTPProtocolVersion] {
        switch self {
        case .http1_1: [.http1_1]
        case .http2: [.http2]
        case .both: [.http1_1, .http2]
        }
    }
}

extension ArrivalProcess: ExpressibleByArgument {}
extension Direction: ExpressibleByArgument {}
extension ConnectionMode: ExpressibleByArgument {}
