import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import BenchTransports
import Foundation

/// `bench scale`: what thousands of connections cost a server, per connection-holding
/// transport (``Scale`` measures; this reads the flags and prints the table).
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Open thousands of connections per transport to a separate server process: its memory per idle connection, CPU per connection opened and per delivered event, and broadcast fan-out throughput; with --tls, over TLS."
    )

    @Option(name: .long, help: ArgumentHelp(TransportRegistry.connectionHoldingHelp))
    var transport = "long-polling,sse,websocket,grpc"

    @Option(name: .long, help: "Concurrent connections per transport.")
    var clients = Scale.Configuration.defaults.clients

    @Option(name: .long, help: "Events the server publishes at once to every client (the fan-out).")
    var events = Scale.Configuration.defaults.events

    @Option(name: .customLong("payload-bytes"), help: "Payload size per event, in bytes.")
    var payloadBytes = Scale.Configuration.defaults.payloadBytes

    @Option(name: .long, help: "Server nodes: above 1, each transport's clients connect through nginx (round robin) to this many bench serve processes, which relay the events PUBLISHed once to Redis.")
    var nodes = 1

    @Option(name: .long, help: ArgumentHelp("With --nodes above 1: use this Redis instead of starting redis-server.", valueName: "redis://HOST:PORT"))
    var redis: String?

    @Option(name: .long, help: "Folder for report.md and scale.json.")
    var output: String?

    @OptionGroup var headerOptions: HeaderOptions

    @OptionGroup var compressionOptions: CompressionOptions

    @OptionGroup var tlsOptions: TLSOptions
    @OptionGroup var securityOptions: SecurityOptions

    func validate() throws {
        guard (1...50_000).contains(clients) else { throw ValidationError("--clients must be between 1 and 50000 (got \(clients))") }
        guard (1...10_000).contains(events) else { throw ValidationError("--events must be between 1 and 10000 (got \(events))") }
        guard (0...1 << 20).contains(payloadBytes) else { throw ValidationError("--payload-bytes must be between 0 and 1048576 (got \(payloadBytes))") }
        guard (1...ScaleOutSettings.maxNodes).contains(nodes) else {
            throw ValidationError("--nodes must be between 1 and \(ScaleOutSettings.maxNodes) (got \(nodes))")
        }
        if redis != nil, nodes == 1 { throw ValidationError("--redis is the nodes' backplane: it needs --nodes 2 or more") }
        do {
            for configuration in try configurations {
                try configuration.compression.validate()
                // What scale-out nodes cannot honour (--tls, --auth jwt), in one sentence.
                if nodes > 1 { try configuration.scenario.validate() }
                _ = try plan(configuration)
            }
        } catch { throw ValidationError(error.message) }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
    }

    /// One configuration per `--compression` setting (off first with `both`).
    private var configurations: [Scale.Configuration] {
        get throws(BenchError) {
            let headers = try headerOptions.profile()
            let tls = try tlsOptions.settings()
            let security = try securityOptions.settings()
            return compressionOptions.settings().map { compression in
                var configuration = Scale.Configuration(clients: clients, events: events, payloadBytes: payloadBytes)
                configuration.headers = headers
                configuration.compression = compression
                configuration.payloadContent = compressionOptions.payloadContent
                configuration.tls = tls
                configuration.security = security
                configuration.nodes = nodes
                configuration.redisURL = redis
                return configuration
            }
        }
    }

    /// The chosen transports that hold a connection per idle client.
    private func plan(_ configuration: Scale.Configuration) throws(BenchError) -> [PlannedRun] {
        try Planner.connectionHolding(transports: transport, scenario: configuration.scenario, registry: .standard())
    }

    func run() async throws {
        let configurations = try configurations
        let progress = Progress.standardError()
        var rows: [ScaleRow] = []
        for configuration in configurations {
            let runs = try plan(configuration)
            let compression = (configurations.count > 1 ? ", compression \(configuration.compression.label)" : "")
                + (configuration.tls.enabled ? ", \(configuration.tls.label)" : "")
            let server = nodes > 1 ? "\(nodes) `bench serve --redis` nodes behind nginx" : "a `bench serve` process"
            rows += try await progress.run {
                try await Scale.run(configuration, runs: runs) { step in
                    switch step {
                    case .started(let index, let count, let transport):
                        progress.step(index, of: count, "\(transport.rawValue)\(compression): \(clients) connections to \(server), then \(events) events to each at once")
                    case .measured(let row):
                        progress.detail(
                            "done: \(Int(row.residentBytesPerConnection)) B per connection, opened in \(Format.decimal(row.connectSeconds ?? 0, places: 2)) s "
                                + "(\(Format.significant(row.serverCPUMicrosecondsPerConnection ?? 0)) µs server CPU each), \(Format.significant(row.deliveriesPerSecond)) deliveries/s, "
                                + "\(Format.significant(row.serverCPUMicrosecondsPerDelivery)) µs server CPU per delivery")
                    }
                }
            }
        }
        let report = ScaleReport(rows: rows, command: Console.commandLine, environment: .current())
        print(report.table)
        if let nodeTable = report.nodeTable { print("\n" + nodeTable) }
        if let output {
            let directory = URL(fileURLWithPath: output)
            try report.write(to: directory)
            Console.status("reports written to \(directory.path)/: report.md, scale.json")
        }
    }
}
