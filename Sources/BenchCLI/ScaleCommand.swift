import ArgumentParser
import BenchCore
import BenchEngine
import BenchReports
import BenchServer
import BenchTransports
import Foundation
import NIOCore

/// `bench scale`: what thousands of connections cost a server, per connection-holding
/// transport. The server is a `bench serve` process of its own, so its memory and CPU time are
/// its alone (an in-process run would also hold every client, and two descriptors per
/// connection): for each transport it opens `--clients` connections, reads the server's
/// resident memory, then has the server publish `--events` events at once to all of them and
/// times the fan-out until every client has every event, reading the server's CPU time around it.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale",
        abstract: "Open thousands of connections per transport to a separate server process: its memory per idle connection, CPU per delivered event, and broadcast fan-out throughput."
    )

    @Option(name: .long, help: ArgumentHelp(TransportRegistry.connectionHoldingHelp))
    var transport = "long-polling,sse,websocket,grpc"

    @Option(name: .long, help: "Concurrent connections per transport.")
    var clients = 10_000

    @Option(name: .long, help: "Events the server publishes at once to every client (the fan-out).")
    var events = 10

    @Option(name: .customLong("payload-bytes"), help: "Payload size per event, in bytes.")
    var payloadBytes = Scenario.defaults.payloadBytes

    @Option(name: .long, help: "Folder for report.md and scale.json.")
    var output: String?

    @OptionGroup var headerOptions: HeaderOptions

    func validate() throws {
        guard (1...50_000).contains(clients) else { throw ValidationError("--clients must be between 1 and 50000 (got \(clients))") }
        guard (1...10_000).contains(events) else { throw ValidationError("--events must be between 1 and 10000 (got \(events))") }
        guard (0...1 << 20).contains(payloadBytes) else { throw ValidationError("--payload-bytes must be between 0 and 1048576 (got \(payloadBytes))") }
        do { _ = try plan() } catch { throw ValidationError(error.message) }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
    }

    /// The chosen transports that hold a connection per idle client, on the command's workload.
    private func plan() throws(BenchError) -> [PlannedRun] {
        var scenario = Scenario.defaults
        scenario.clients = clients
        scenario.payloadBytes = payloadBytes
        scenario.longPollTimeoutSeconds = 600
        scenario.headers = try headerOptions.profile()
        return try Planner.connectionHolding(transports: transport, scenario: scenario, registry: .standard())
    }

    func run() async throws {
        try OpenFileLimit.ensure(clients + 256, for: "\(clients) client connections")
        var rows: [ScaleRow] = []
        let runs = try plan()
        for (index, entry) in runs.enumerated() {
            Console.status("[\(index + 1)/\(runs.count)] \(entry.transport.kind.rawValue): \(clients) connections to a `bench serve` process, then \(events) events to each at once")
            rows.append(try await measure(entry))
            let row = rows[rows.count - 1]
            Console.status("    done: \(Int(row.residentBytesPerConnection)) B per connection, \(Format.significant(row.deliveriesPerSecond)) deliveries/s, \(Format.significant(row.serverCPUMicrosecondsPerDelivery)) µs server CPU per delivery")
        }
        let report = ScaleReport(rows: rows, command: Console.commandLine, environment: .current())
        print(report.table)
        if let output {
            let directory = URL(fileURLWithPath: output)
            try report.write(to: directory)
            Console.status("reports written to \(directory.path)/: report.md, scale.json")
        }
    }

    private func measure(_ entry: PlannedRun) async throws -> ScaleRow {
        let server = try ServeProcess.start(arguments: ["--payload-bytes", "\(payloadBytes)", "--max-connections", "\(clients + 1000)"])
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let idle = try server.residentBytes()
        let expected = events * clients
        let (figures, recorders) = try await server.withClients(entry, readyWithin: .seconds(30 + clients / 100)) { progresses in
            let connected = try server.residentBytes()
            let cpuBefore = try server.cpuSeconds()
            let start = ContinuousClock.now
            let control = ClientTarget(host: "127.0.0.1", port: server.port, clientIndex: 0, scenario: entry.scenario)
            _ = try await HTTPClientConnection.request(.POST, "/control/publish?count=\(events)", to: control)
            let deadline = start + .seconds(60 + expected / 10_000)
            var delivered = 0
            while ContinuousClock.now < deadline {
                delivered = progresses.reduce(0) { $0 + $1.delivered }
                if delivered >= expected { break }
                try await Task.sleep(for: .milliseconds(2))
            }
            let seconds = (ContinuousClock.now - start).seconds
            // The deliveries are in; let the server finish what it was doing before reading its clock.
            try await Task.sleep(for: .milliseconds(200))
            let cpuAfter = try server.cpuSeconds()
            return (connected: connected, delivered: delivered, seconds: seconds, user: cpuAfter.user - cpuBefore.user, system: cpuAfter.system - cpuBefore.system)
        }
        var latency = LatencyHistogram()
        for recorder in recorders { latency.merge(recorder.latency) }
        return ScaleRow(
            transport: entry.transport.kind.rawValue, connections: clients, events: events, deliveriesExpected: expected, deliveries: figures.delivered,
            residentBytesIdle: idle, residentBytesConnected: figures.connected, peakResidentBytes: try server.peakResidentBytes(),
            fanOutSeconds: figures.seconds, serverUserCPUSeconds: figures.user, serverSystemCPUSeconds: figures.system,
            latencyP50Nanoseconds: latency.valueAtPercentile(50), latencyP99Nanoseconds: latency.valueAtPercentile(99), latencyMaxNanoseconds: latency.maxNanoseconds
        )
    }
}

/// One transport's figures from `bench scale`.
struct ScaleRow: Codable {
    var transport: String
    var connections: Int
    var events: Int
    var deliveriesExpected: Int
    var deliveries: Int
    /// The server's VmRSS before any client connected, and with every connection open and idle.
    var residentBytesIdle: Int
    var residentBytesConnected: Int
    /// The server's VmHWM at the end.
    var peakResidentBytes: Int
    /// From the publish request to the last delivery.
    var fanOutSeconds: Double
    var serverUserCPUSeconds: Double
    var serverSystemCPUSeconds: Double
    /// Publish to delivery, across processes on one machine's monotonic clock.
    var latencyP50Nanoseconds: UInt64
    var latencyP99Nanoseconds: UInt64
    var latencyMaxNanoseconds: UInt64

    var residentBytesPerConnection: Double { Double(residentBytesConnected - residentBytesIdle) / Double(max(connections, 1)) }
    var deliveriesPerSecond: Double { fanOutSeconds > 0 ? Double(deliveries) / fanOutSeconds : 0 }
    var serverCPUMicrosecondsPerDelivery: Double { deliveries > 0 ? (serverUserCPUSeconds + serverSystemCPUSeconds) * 1e6 / Double(deliveries) : 0 }
}

struct ScaleReport {
    var rows: [ScaleRow]
    var command: String
    var environment: EnvironmentInfo

    var table: String {
        var lines = [
            "| Transport | Connections | Delivered / expected | Server RSS idle → connected (MiB) | RSS / connection (KiB) | Peak RSS (MiB) | Fan-out (s) | Deliveries / s | Server CPU user / system (s) | CPU / delivery (µs) | p50 (ms) | p99 (ms) | max (ms) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        for row in rows {
            func mib(_ bytes: Int) -> String { Format.decimal(Double(bytes) / 1_048_576, places: 1) }
            let name = TransportRegistry.standard().displayName(of: TransportKind(rawValue: row.transport))
            let cells: [String] = [
                name, "\(row.connections)", "\(row.deliveries) / \(row.deliveriesExpected)",
                mib(row.residentBytesIdle) + " → " + mib(row.residentBytesConnected),
                Format.decimal(row.residentBytesPerConnection / 1024, places: 1), mib(row.peakResidentBytes),
                Format.decimal(row.fanOutSeconds, places: 3), Format.significant(row.deliveriesPerSecond),
                Format.decimal(row.serverUserCPUSeconds, places: 2) + " / " + Format.decimal(row.serverSystemCPUSeconds, places: 2),
                Format.decimal(row.serverCPUMicrosecondsPerDelivery, places: 1),
                Format.milliseconds(row.latencyP50Nanoseconds), Format.milliseconds(row.latencyP99Nanoseconds), Format.milliseconds(row.latencyMaxNanoseconds),
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    func write(to directory: URL) throws {
        struct Document: Codable {
            var environment: EnvironmentInfo
            var command: String
            var rows: [ScaleRow]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(Document(environment: environment, command: command, rows: rows)).write(to: directory.appendingPathComponent("scale.json"), options: .atomic)
        let text = """
            # Connections at scale

            Generated by `\(command)`. For each transport the clients (in this process) open their \
            connections to a `bench serve` process of its own, so the server's figures are its \
            alone: its resident memory (VmRSS) before any connection and with every connection open \
            and idle; then one request has it publish the events at once, each to every connection \
            (a broadcast), and the fan-out runs until every client has every event, timed here; \
            the server's user and system CPU time (/proc/PID/stat) around it, per delivery; \
            latency from publish to each client's decoding, on the machine's one monotonic clock.

            \(table)

            - **RSS / connection** is the server's resident growth divided by the connections: \
            sockets, NIO channels and pipelines, the transport's per-connection state and buffers.
            - **Deliveries / s** is events × connections over the fan-out time; on one machine the \
            clients share its cores with the server, so this is a floor on what the server alone sustains.
            - **CPU / delivery** includes the server's encoding once per event and its writes once \
            per connection; latency percentiles show how long the last connections waited for theirs.

            ## Environment

            \(MarkdownReport.environmentTable(environment))

            """
        try Data(text.utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
    }
}

/// `POST /control/publish?count=N` on `bench serve`: publishes N events at once (bench scale's
/// broadcast); answers `{"first":F,"last":L}`.
struct PublishRoute: HTTPRoute {
    let transport: TransportKind? = nil
    let path = "/control/publish"
    let payloads: PayloadFactory

    func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
        guard request.head.method == .POST else { throw HTTPRequestError(message: "publish with POST /control/publish?count=N") }
        let count = try request.unsignedParameter("count") ?? 1
        guard (1...100_000).contains(count) else { throw HTTPRequestError(message: "count must be between 1 and 100000 (got \(count))") }
        var first: UInt64 = 0
        var last: UInt64 = 0
        for index in 0..<count {
            let sequence = context.hub.lastSequence + 1
            last = context.hub.publish(payload: payloads.payload(for: sequence)).event.sequence
            if index == 0 { first = last }
        }
        try await writer.respond(status: .ok, headers: ["Content-Type": "application/json"], body: ByteBuffer(string: "{\"first\":\(first),\"last\":\(last)}"))
    }
}
