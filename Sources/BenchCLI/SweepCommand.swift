import ArgumentParser
import BenchCore
import BenchGRPC
import BenchReports
import BenchTransports
import Foundation

/// `bench sweep`: one scenario flag over a list of values, every chosen transport at each.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Vary one scenario flag over values (rate, payload-bytes, poll-interval or clients) and chart where transports cross.",
        discussion: """
            Example: bench sweep --vary rate=0.2,1,5,20,50 --transport short-polling,long-polling,sse,websocket \
            --duration 20 --time-scale 10. Writes sweep.csv (the axis value, then results.csv's columns), \
            results.json, report.md and line charts.
            """
    )

    @Option(name: .long, help: "The flag and its values: rate=1,2,5, payload-bytes=64,1024, poll-interval=0.1,1 or clients=1,10,100.")
    var vary: String

    /// `--vary` read, or one sentence on what is wrong with it.
    var axis: SweepAxis {
        get throws(BenchError) {
            guard let axis = SweepAxis(argument: vary) else {
                throw .usage("--vary takes FLAG=V1,V2,… with FLAG one of \(SweepAxis.names.joined(separator: ", ")) and positive values (whole numbers for payload-bytes and clients); got '\(vary)'")
            }
            return axis
        }
    }

    @Option(name: .long, help: "Transports, comma-separated, or all.")
    var transport = "short-polling,long-polling,sse,websocket"

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(name: .customLong("grpc-call"), help: "gRPC push: server-streaming or unary.")
    var grpcCall = GRPCTransportClient.Call.serverStreaming

    @Option(name: .long, help: "Folder for sweep.csv, results.json, report.md and the charts.")
    var output: String?

    func validate() throws {
        do { _ = try plan() } catch { throw ValidationError(error.message) }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
    }

    /// Every value × transport × encoding × HTTP version, values outermost.
    func plan() throws(BenchError) -> [(value: Double, entry: Plan.Entry)] {
        var points: [(Double, Plan.Entry)] = []
        let kinds = try TransportKind.parseList(transport, available: Transports.implemented)
        let vary = try axis
        for value in vary.values {
            for var scenario in try scenarioOptions.scenarios(name: "sweep") {
                vary.apply(value, to: &scenario)
                try scenario.validate()
                for kind in kinds where kind.hasHTTPVersionChoice || scenario.httpVersion == .http1_1 {
                    guard TransportCatalog.directions(for: kind).contains(scenario.direction) else { continue }
                    points.append((value, Plan.Entry(scenario: scenario, client: try Transports.client(for: kind, scenario: scenario, grpcPushCall: grpcCall))))
                }
            }
        }
        guard !points.isEmpty else { throw .usage("nothing to run: no chosen transport carries --direction \(scenarioOptions.direction.rawValue)") }
        return points
    }

    func run() async throws {
        let points = try plan()
        let vary = try axis
        let plan = Plan(scenario: .defaults, entries: [], output: nil)
        var rows: [SweepReport.Point] = []
        for (index, point) in points.enumerated() {
            let result = try await plan.measure(point.entry, position: "[\(index + 1)/\(points.count)] \(vary.name)=\(Format.number(point.value))")
            rows.append(SweepReport.Point(value: point.value, result: result))
        }
        let sweep = SweepReport.Sweep(axis: vary.name, unit: vary.unit, scenario: points[0].entry.scenario, points: rows)
        print(SweepReport.table(sweep))
        if let output {
            let directory = URL(fileURLWithPath: output)
            try SweepReport.write(sweep, environment: .current(), command: Console.commandLine, to: directory)
            Console.status("reports written to \(directory.path)/: \(SweepReport.fileNames.joined(separator: ", "))")
        }
        if rows.contains(where: { !$0.result.isClean }) { throw RunFailure(status: 1) }
    }
}

/// The scenario flag a sweep varies, and its values.
struct SweepAxis {
    var name: String
    var values: [Double]

    static let names = ["rate", "payload-bytes", "poll-interval", "clients"]

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, Self.names.contains(parts[0]) else { return nil }
        let values = parts[1].split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !values.isEmpty, values.allSatisfy({ $0 != nil && $0!.isFinite && $0! > 0 }) else { return nil }
        name = parts[0]
        self.values = values.map { $0! }
        if name == "payload-bytes" || name == "clients" {
            guard self.values.allSatisfy({ $0 == $0.rounded() }) else { return nil }
        }
    }

    var unit: String {
        switch name {
        case "rate": "events/s"
        case "payload-bytes": "bytes"
        case "poll-interval": "s"
        default: "clients"
        }
    }

    func apply(_ value: Double, to scenario: inout Scenario) {
        switch name {
        case "rate": scenario.eventsPerSecond = value
        case "payload-bytes": scenario.payloadBytes = Int(value)
        case "poll-interval": scenario.pollIntervalSeconds = value
        default: scenario.clients = Int(value)
        }
    }
}
