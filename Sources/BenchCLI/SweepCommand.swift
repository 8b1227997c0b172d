import ArgumentParser
import BenchCore
import BenchGRPC
import BenchReports
import BenchEngine
import BenchTransports
import Foundation

/// `bench sweep`: one scenario flag over a list of values, every chosen transport at each.
struct SweepCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Vary scenario flags over values (rate, payload-bytes, poll-interval, clients, delay-ms; several make a grid) and chart where transports cross.",
        discussion: """
            Example: bench sweep --vary rate=0.2,1,5,20,50 --transport short-polling,long-polling,sse,websocket \
            --duration 20 --time-scale 10. A second --vary makes a grid: the first flag is the charts' \
            x axis, each value of the others a line of its own. Writes sweep.csv (the varied values, then \
            results.csv's columns), results.json, report.md and line charts.
            """
    )

    @Option(name: .long, help: "A flag and its values: rate=1,2,5, payload-bytes=64,1024, poll-interval=0.1,1, clients=1,10,100 or delay-ms=1,10,100 (the emulated link's one-way delay); repeat for a grid.")
    var vary: [String] = []

    /// `--vary` read, or one sentence on what is wrong with it.
    var axes: [SweepAxis] {
        get throws(BenchError) {
            guard !vary.isEmpty else { throw .usage("--vary FLAG=V1,V2,… says what to sweep (rate, payload-bytes, poll-interval, clients or delay-ms)") }
            var axes: [SweepAxis] = []
            for text in vary {
                guard let axis = SweepAxis(argument: text) else {
                    throw .usage("--vary takes FLAG=V1,V2,… with FLAG one of \(SweepAxis.names.joined(separator: ", ")) and positive values (whole numbers for payload-bytes and clients); got '\(text)'")
                }
                guard !axes.contains(where: { $0.name == axis.name }) else { throw .usage("--vary \(axis.name) is given twice") }
                axes.append(axis)
            }
            return axes
        }
    }

    /// Every combination of the axes' values, the first axis varying slowest.
    func grid(_ axes: [SweepAxis]) -> [[Double]] {
        axes.reduce([[]]) { combinations, axis in combinations.flatMap { prefix in axis.values.map { prefix + [$0] } } }
    }

    @Option(name: .long, help: ArgumentHelp(TransportRegistry.transportHelp))
    var transport = "short-polling,long-polling,sse,websocket"

    @OptionGroup var scenarioOptions: ScenarioOptions

    @OptionGroup var strictOption: StrictOption

    @Option(name: .customLong("grpc-call"), help: "gRPC push: server-streaming or unary.")
    var grpcCall = GRPCTransportClient.Call.serverStreaming

    @OptionGroup var stompOptions: StompOptions

    @Option(name: .long, help: "Folder for sweep.csv, results.json, report.md and the charts.")
    var output: String?

    func validate() throws {
        do { _ = try plan() } catch { throw ValidationError(error.message) }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
    }

    /// Every combination of values × transport × encoding × HTTP version, values outermost.
    func plan() throws(BenchError) -> [(values: [Double], run: PlannedRun)] {
        var points: [([Double], PlannedRun)] = []
        let registry = TransportRegistry.standard(grpc: GRPCTransport.Configuration(pushCall: grpcCall), stomp: stompOptions.configuration)
        let axes = try self.axes
        for values in grid(axes) {
            var scenarios = try scenarioOptions.scenarios(name: "sweep")
            for index in scenarios.indices {
                for (axis, value) in zip(axes, values) { axis.apply(value, to: &scenarios[index]) }
                try scenarios[index].validate()
            }
            points += try Planner.runs(transports: transport, scenarios: scenarios, registry: registry).map { (values, $0) }
        }
        return points
    }

    func run() async throws {
        let points = try plan()
        let axes = try self.axes
        let plan = Plan(scenario: .defaults, runs: [], output: nil)
        var rows: [SweepReport.Point] = []
        try await plan.progress.run {
            for (index, point) in points.enumerated() {
                let at = zip(axes, point.values).map { "\($0.name)=\(Format.significant($1))" }.joined(separator: " ")
                let result = try await plan.measure(point.run, step: index + 1, of: points.count, context: at + " ")
                rows.append(SweepReport.Point(value: point.values[0], grid: Array(point.values.dropFirst()), result: result))
            }
        }
        let sweep = SweepReport.Sweep(
            axis: axes[0].name, unit: axes[0].unit, others: axes.dropFirst().map(\.name), scenario: points[0].run.scenario, points: rows)
        print(SweepReport.table(sweep))
        for line in FloorReport.disturbanceLines(rows.map(\.result)) { print("Disturbed: " + line) }
        if let output {
            let directory = URL(fileURLWithPath: output)
            try SweepReport.write(sweep, environment: .current(), command: Console.commandLine, to: directory)
            Console.status("reports written to \(directory.path)/: \(SweepReport.fileNames.joined(separator: ", "))")
        }
        if rows.contains(where: { !$0.result.isClean }) { throw RunFailure(status: 1) }
        try strictOption.check(rows.map(\.result))
    }
}

/// The scenario flag a sweep varies, and its values.
struct SweepAxis {
    var name: String
    var values: [Double]

    static let names = ["rate", "payload-bytes", "poll-interval", "clients", "delay-ms"]

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
        case "delay-ms": "ms one-way"
        default: "clients"
        }
    }

    func apply(_ value: Double, to scenario: inout Scenario) {
        switch name {
        case "rate": scenario.eventsPerSecond = value
        case "payload-bytes": scenario.payloadBytes = Int(value)
        case "poll-interval": scenario.pollIntervalSeconds = value
        case "delay-ms":
            // The emulated link's delay; its other settings (--jitter-ms, bandwidths) stay.
            var link = scenario.link ?? LinkConditions()
            link.delaySeconds = value / 1000
            scenario.link = link
        default: scenario.clients = Int(value)
        }
    }
}
