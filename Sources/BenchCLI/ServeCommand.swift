import ArgumentParser
import BenchCore
import BenchEngine
import BenchGRPC
import BenchServer
import BenchTLS
import BenchTransports
import Foundation
import NIOCore

/// `bench serve`: the loopback server alone, publishing events, for outside clients.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Start the server alone and print one 'NAME URL' line per endpoint for outside clients.",
        discussion: "Open the 'browser' URL in a browser to run the workload from it (fetch polling, long polling, EventSource, WebSocket); each transport's result is printed as a 'browser-result JSON' line. HTTP endpoints also speak HTTP/2 to clients that start with its preface (h2c prior knowledge, e.g. curl --http2-prior-knowledge), or that choose it by ALPN with --tls; gRPC (transportbench.EventStream, Protos/transportbench.proto) listens on a port of its own."
    )

    @Option(name: .long, help: "Address to bind: loopback by default; another address serves other hosts (bench run --target), and a warning says so.")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to bind; 0 picks a free one.")
    var port = 0

    @Option(name: .customLong("grpc-port"), help: "Port of the gRPC listener; 0 picks a free one.")
    var grpcPort = 0

    @Option(name: .customLong("max-connections"), help: "Most connections open at once; more are closed when accepted.")
    var maxConnections = ServerConfiguration.defaults.maxConnections

    @Option(name: .customLong("max-header-bytes"), help: "Largest request head accepted, in bytes (431 above it).")
    var maxHeaderBytes = ServerConfiguration.defaults.maxHeaderBytes

    @Option(name: .customLong("idle-timeout"), help: "Seconds a connection may stay silent both ways before it is closed; 0 for never.")
    var idleTimeout = 300.0

    @Option(name: .customLong("slow-client-timeout"), help: "Seconds a client may leave its socket unwritable (not reading) before it is closed; 0 for never.")
    var slowClientTimeout = 30.0

    @Option(name: .long, help: "Events published per second.")
    var rate = 10.0

    @Option(name: .customLong("payload-bytes"), help: "Payload size per event, in bytes.")
    var payloadBytes = Scenario.defaults.payloadBytes

    @Option(name: .long, help: "Stop after this many seconds; runs until interrupted when absent.")
    var duration: Double?

    @Option(name: .long, help: "Seed for payload bytes.")
    var seed: UInt64 = 1

    @OptionGroup var link: LinkOptions

    @OptionGroup var headerOptions: HeaderOptions

    @OptionGroup var compressionOptions: CompressionOptions

    @OptionGroup var tlsOptions: TLSOptions

    @Option(name: .customLong("cert-out"), help: ArgumentHelp("With --tls: write the certificate clients should trust (PEM) to this file; a file in the temporary folder when absent. Printed as a 'certificate PATH' line.", valueName: "PATH"))
    var certificateOut: String?
    @OptionGroup var securityOptions: SecurityOptions

    @Option(name: .customLong("jwt-secret"), help: "With --auth jwt --jwt-alg hs256: the HS256 secret (at least 32 bytes), so clients can sign their own tokens; a random one when absent. Either way a token is printed.")
    var jwtSecret: String?

    @Option(name: .customLong("control-token"), help: "The token the control API (bench run --target) asks for as Authorization: Bearer. Required off loopback: a random one is made and printed when absent.")
    var controlToken: String?

    @Option(name: .customLong("record-heads"), help: "Write every HTTP/1.1 request head received to this file, as it arrived (order and case), for scripts/capture-browser-profile.sh.")
    var recordHeads: String?

    @Option(name: .long, help: "Publish this many events at once before serving, so a client asking for everything after 0 gets them as fast as the server can send (push throughput).")
    var preload = 0

    @Option(name: .long, help: ArgumentHelp("Serve as a scale-out node: relay the events PUBLISHed to a channel of this Redis (one event per message, sequence and publish time kept) instead of publishing at --rate.", valueName: "redis://HOST:PORT"))
    var redis: String?

    @Option(name: .customLong("redis-channel"), help: ArgumentHelp("With --redis: the channel to subscribe to.", valueName: "NAME"))
    var redisChannel: String?

    @Option(name: .customLong("redis-encoding"), help: ArgumentHelp("With --redis: the encoding of the channel's events (EventCodec's json or protobuf).", valueName: "json|protobuf"))
    var redisEncoding: Encoding?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535 (got \(port))") }
        guard (0...65535).contains(grpcPort) else { throw ValidationError("--grpc-port must be between 0 and 65535 (got \(grpcPort))") }
        guard rate.isFinite, rate > 0 else { throw ValidationError("--rate must be a positive number of events per second (got \(rate))") }
        guard payloadBytes >= 0 else { throw ValidationError("--payload-bytes must not be negative (got \(payloadBytes))") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1 (got \(maxConnections))") }
        guard maxHeaderBytes >= 256 else { throw ValidationError("--max-header-bytes must be at least 256 (got \(maxHeaderBytes))") }
        guard idleTimeout.isFinite, idleTimeout >= 0 else { throw ValidationError("--idle-timeout must be 0 or a positive number of seconds (got \(idleTimeout))") }
        guard slowClientTimeout.isFinite, slowClientTimeout >= 0 else {
            throw ValidationError("--slow-client-timeout must be 0 or a positive number of seconds (got \(slowClientTimeout))")
        }
        if let duration { guard duration.isFinite, duration > 0 else { throw ValidationError("--duration must be a positive number of seconds (got \(duration))") } }
        do { try link.conditions()?.validate() } catch { throw ValidationError(error.message) }
        do { _ = try headerOptions.profile() } catch { throw ValidationError(error.message) }
        guard compressionOptions.compression != .both else { throw ValidationError("bench serve takes --compression off or on, not both: one server has one policy") }
        do { try compressionOptions.settings()[0].validate() } catch { throw ValidationError(error.message) }
        do { _ = try tlsOptions.settings() } catch { throw ValidationError(error.message) }
        if certificateOut != nil && !tlsOptions.tls { throw ValidationError("--cert-out needs --tls") }
        do { _ = try securityOptions.settings() } catch { throw ValidationError(error.message) }
        if let jwtSecret {
            guard securityOptions.auth == .jwt, securityOptions.jwtAlgorithm == .hs256 else {
                throw ValidationError("--jwt-secret goes with --auth jwt --jwt-alg hs256: an ES256 key is made by the server")
            }
            guard jwtSecret.utf8.count >= 32 else {
                throw ValidationError("--jwt-secret must be at least 32 bytes, HS256's hash size (RFC 7518 §3.2; got \(jwtSecret.utf8.count))")
            }
        }
        if let controlToken, controlToken.isEmpty || controlToken.contains(where: { $0 == " " || !$0.isASCII }) {
            throw ValidationError("--control-token must be a non-empty word of ASCII characters without spaces")
        }
        guard (0...ServerConfiguration.defaults.retainedEvents).contains(preload) else {
            throw ValidationError("--preload must be between 0 and the \(ServerConfiguration.defaults.retainedEvents) events the server retains (got \(preload))")
        }
        if redis == nil, redisChannel != nil || redisEncoding != nil { throw ValidationError("--redis-channel and --redis-encoding go with --redis") }
        if redis != nil, preload > 0 { throw ValidationError("--preload publishes this server's own events: with --redis the events come from the channel") }
        if let redisChannel, redisChannel.isEmpty { throw ValidationError("--redis-channel must not be empty") }
    }

    /// The channel to relay (`--redis`), or `nil` to publish at `--rate`.
    private var backplane: BackplaneChannel? {
        redis.map { BackplaneChannel(url: $0, channel: redisChannel ?? Self.defaultChannel, encoding: redisEncoding ?? .json) }
    }

    /// The channel `--redis` subscribes to without `--redis-channel`.
    static let defaultChannel = "transportbench:events"

    func run() async throws {
        func timeout(_ seconds: Double) -> TimeAmount? { seconds == 0 ? nil : .nanoseconds(Int64(seconds * 1e9)) }
        var configuration = ServerConfiguration(
            host: host, port: port, maxHeaderBytes: maxHeaderBytes, maxConnections: maxConnections,
            idleTimeout: timeout(idleTimeout), slowClientTimeout: timeout(slowClientTimeout)
        )
        do {
            try OpenFileLimit.ensure(Swift.min(maxConnections, 1 << 20) + 256, for: "--max-connections \(maxConnections)")
        } catch {
            Console.status("warning: about \(Swift.max(0, OpenFileLimit.current.soft - 256)) connections fit in the open-file limit: \(error.message)")
        }
        configuration.link = try link.conditions()
        configuration.linkSeed = seed
        configuration.headers = try headerOptions.profile()
        configuration.compression = compressionOptions.settings()[0]
        if let recordHeads { configuration.headRecorder = try HeadRecorder(path: recordHeads) }
        let tls = try tlsOptions.settings()
        if tls.enabled { configuration.tls = try ServerTLS(tls) }
        configuration.security = try securityOptions.settings()
        if let jwtSecret {
            configuration.tokenAuthority = try await JWTAuthority.hs256(secret: Array(jwtSecret.utf8))
        } else if configuration.security.requiresToken {
            configuration.tokenAuthority = try await JWTAuthority.generate(configuration.security.tokenAlgorithm)
        }
        // Off loopback the control API starts runs for whoever asks: it needs a token.
        let control = controlToken.map(ControlToken.init) ?? (Self.isLoopback(host) ? nil : ControlToken.generate())
        if !Self.isLoopback(host) {
            Console.status("warning: serving on \(host), not loopback: any host that can reach this address can connect; the control API asks for its token, the transports' endpoints for what --auth and --allowed-origin say")
        }
        if let link = configuration.link { Console.status("emulating a link on every connection: \(link.summary)") }
        let payloads = PayloadFactory(byteCount: payloadBytes, seed: seed, content: compressionOptions.payloadContent)
        let browserResults = BrowserResults { result in Self.printBrowserResult(result) }
        // Runs driven from other hosts (bench run --target) get servers of their own, gRPC on a free port.
        let runs = RunControl(routes: TransportRegistry.standard().routes, host: host)
        let controlRoutes: [any HTTPRoute] = [PublishRoute(payloads: payloads), TrafficRoute()] + runs.httpRoutes
        let routes = TransportRegistry.standard(grpc: GRPCTransport.Configuration(port: grpcPort)).routes
            .merging(Routes(http: BrowserEndpoints.routes(results: browserResults) + (control.map { $0.guarding(controlRoutes) } ?? controlRoutes)))
        let token = try await configuration.tokenAuthority?.issue(lifetimeSeconds: Self.printedTokenLifetimeSeconds)
        let publishing = Serving.Publishing(rate: rate, payloads: payloads, preload: preload, seconds: duration, backplane: backplane)
        try await Serving.run(configuration: configuration, routes: routes, publishing: publishing) { server in
            for line in server.endpointLines { print(line) }
            let scheme = server.tls == nil ? "http" : "https"
            print("browser \(scheme)://\(server.host):\(server.port)/browser" + (token.map { "?access_token=\($0)" } ?? ""))
            // Before the control line, which ends what scripts read (then, with TLS, the certificate's).
            if let token { print("token \(token)") }
            if let control { print("control-token \(control.value)") }
            print("control \(scheme)://\(server.host):\(server.port)")
            if let tls = server.tls { try? printCertificate(tls.identity) }
            fflush(nil)
            let until = duration.map { " for \($0) s" } ?? "; interrupt to stop"
            if let backplane {
                Console.status("relaying channel \(backplane.channel) from \(backplane.url) (\(backplane.encoding.rawValue) events; --rate does not apply)\(until)")
            } else {
                Console.status("publishing \(rate) events/s of \(payloadBytes)-byte payloads\(until)")
            }
        }
    }

    /// Writes the certificate clients trust and prints where (`certificate PATH`), with its key's
    /// pin for Chromium (`certificate-spki-sha256 BASE64`, for `--ignore-certificate-errors-spki-list`).
    private func printCertificate(_ identity: TLSIdentity) throws {
        let path = certificateOut ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("transportbench-\(ProcessInfo.processInfo.processIdentifier)-cert.pem").path
        try identity.certificatePEM.write(toFile: path, atomically: true, encoding: .utf8)
        print("certificate \(path)")
        print("certificate-spki-sha256 \(identity.spkiSHA256Base64)")
        Console.status("TLS \(tlsOptions.tlsVersion.rawValue) with the \(identity.origin) certificate; clients trust \(path)")
    }

    /// How long the token `bench serve --auth jwt` prints stays valid: a day.
    static let printedTokenLifetimeSeconds = 86_400.0

    /// 127.0.0.0/8, ::1 and localhost.
    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Prints a result the browser page posted as a `browser-result JSON` line.
    private static func printBrowserResult(_ result: BrowserResult) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let line = try? encoder.encode(result) else { return }
        print("browser-result " + String(decoding: line, as: UTF8.self))
        fflush(nil)
    }
}

extension Encoding: ExpressibleByArgument {}
