import BenchCore
import Foundation

/// `bench sweep`'s reports: `sweep.csv` (the axes' values, then `results.csv`'s columns),
/// `results.json`, `report.md` and three line charts (wire bytes per delivered event, requests
/// per delivered event, latency p50), one line per transport and variant.
public enum SweepReport {
    public static let fileNames = ["sweep.csv", "results.json", "report.md"] + charts.map(\.fileName)

    public struct Point: Codable, Sendable {
        /// The value on the charts' x axis (the first varied flag).
        public var value: Double
        /// The values of the other varied flags, in ``Sweep/others``' order.
        public var grid: [Double]
        public var result: RunResult

        public init(value: Double, grid: [Double] = [], result: RunResult) {
            (self.value, self.grid, self.result) = (value, grid, result)
        }
    }

    public struct Sweep: Codable, Sendable {
        /// The varied flag (`rate`, `payload-bytes`, `poll-interval`, `clients`) and its unit.
        public var axis: String
        public var unit: String
        /// Further varied flags of a grid: each combination of their values is a line of its own.
        public var others: [String]
        /// The scenario at the first value; the other values change only the axis.
        public var scenario: Scenario
        public var points: [Point]

        public init(axis: String, unit: String, others: [String] = [], scenario: Scenario, points: [Point]) {
            (self.axis, self.unit, self.others, self.scenario, self.points) = (axis, unit, others, scenario, points)
        }

        /// One line per transport, variant, HTTP version, encoding and value of the other
        /// varied flags, in first-seen order.
        var series: [(name: String, points: [Point])] {
            var names: [String] = []
            var grouped: [String: [Point]] = [:]
            for point in points {
                let name = ([SVGCharts.label(point.result)] + zip(others, point.grid).map { "\($0)=\(Format.significant($1))" }).joined(separator: " · ")
                if grouped[name] == nil { names.append(name) }
                grouped[name, default: []].append(point)
            }
            return names.map { ($0, grouped[$0]!) }
        }
    }

    /// What each chart plots, its file and its y axis.
    struct Measure: Sendable {
        var fileName: String
        var title: String
        var axis: String
        var value: @Sendable (RunResult) -> Double
    }

    static let charts = [
        Measure(fileName: "sweep-bytes-per-event.svg", title: "Wire bytes per delivered event", axis: "wire bytes per delivered event (both directions)") {
            $0.bytesPerDeliveredEvent
        },
        Measure(fileName: "sweep-requests-per-event.svg", title: "HTTP requests per delivered event", axis: "requests per delivered event") {
            $0.eventsDelivered == 0 ? 0 : Double($0.requests) / Double($0.eventsDelivered)
        },
        Measure(fileName: "sweep-latency-p50.svg", title: "Latency p50", axis: "latency p50, publish → read (ms, wall clock)") {
            Double($0.latencyP50Nanoseconds) / 1e6
        },
    ]

    /// Rows: each value; columns: each series' wire bytes per event (what `bench sweep` prints).
    public static func table(_ sweep: Sweep) -> String {
        let series = sweep.series
        var rows = [["\(sweep.axis) (\(sweep.unit))"] + series.map { "\($0.name): B/event, req/event, p50 ms" }]
        for value in uniqueValues(sweep) {
            rows.append(
                [Format.significant(value)]
                    + series.map { line in
                        guard let point = line.points.first(where: { $0.value == value }) else { return "–" }
                        return charts.map { Format.significant($0.value(point.result)) }.joined(separator: ", ")
                    })
        }
        return MarkdownReport.render(rows, rightAligned: Set(1..<rows[0].count))
    }

    static func uniqueValues(_ sweep: Sweep) -> [Double] {
        var seen: [Double] = []
        for point in sweep.points where !seen.contains(point.value) { seen.append(point.value) }
        return seen
    }

    public static func csv(_ sweep: Sweep) -> String {
        let lines = CSVReport.render(sweep.points.map(\.result)).split(separator: "\n", omittingEmptySubsequences: false)
        let axes = ([sweep.axis] + sweep.others).map { $0.replacingOccurrences(of: "-", with: "_") + "_value" }
        var out = [(axes + [String(lines[0])]).joined(separator: ",")]
        for (point, line) in zip(sweep.points, lines.dropFirst()) {
            out.append((([point.value] + point.grid).map { "\($0)" } + [String(line)]).joined(separator: ","))
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func lineCharts(_ sweep: Sweep) -> [SVGCharts.Chart] {
        charts.map { measure in
            SVGCharts.lines(
                fileName: measure.fileName, title: "\(measure.title) by \(sweep.axis)", xLabel: "\(sweep.axis) (\(sweep.unit))", yLabel: measure.axis,
                series: sweep.series.map { line in (line.name, line.points.map { ($0.value, measure.value($0.result)) }) })
        }
    }

    public static func render(_ sweep: Sweep, environment: EnvironmentInfo, command: String) -> String {
        var text = """
            # Sweep over \(sweep.axis)

            Generated by `\(command)`. Each point is a `bench run` of one transport on the scenario \
            below with `--\(sweep.axis)` set to the point's value; bytes are TCP payload bytes counted at \
            the server's sockets. Lines cross where one transport becomes cheaper or faster than another.

            \(table(sweep))

            """
        for chart in lineCharts(sweep) { text += "\n![\(chart.title)](\(chart.fileName))\n" }
        let problems = MarkdownReport.problems(sweep.points.map(\.result))
        text += problems.isEmpty ? "\nEvery client received every event exactly once at every point.\n" : "\n" + problems.map { "- " + $0 }.joined(separator: "\n") + "\n"
        text += "\n## Every point\n\n" + MarkdownReport.table(sweep.points.map(\.result)) + "\n"
        let floor = FloorReport.section(sweep.points.map(\.result))
        if !floor.isEmpty { text += "\n" + floor }
        text += "\n## Scenario (at the first value)\n\n" + MarkdownReport.render(MarkdownReport.scenarioRows(sweep.scenario), rightAligned: []) + "\n"
        text += "\n## Environment\n\n" + MarkdownReport.environmentTable(environment) + "\n"
        return text
    }

    public static func write(_ sweep: Sweep, environment: EnvironmentInfo, command: String, to directory: URL) throws(BenchError) {
        try ReportWriter.prepare(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        struct Document: Codable {
            var environment: EnvironmentInfo
            var command: String
            var sweep: Sweep
        }
        do {
            try encoder.encode(Document(environment: environment, command: command, sweep: sweep)).write(to: directory.appendingPathComponent("results.json"), options: .atomic)
            try Data(csv(sweep).utf8).write(to: directory.appendingPathComponent("sweep.csv"), options: .atomic)
            try Data(render(sweep, environment: environment, command: command).utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
            for chart in lineCharts(sweep) {
                try Data(chart.svg.utf8).write(to: directory.appendingPathComponent(chart.fileName), options: .atomic)
            }
        } catch {
            throw .runFailed("cannot write the sweep report to '\(directory.path)': \(ReportWriter.reason(error))")
        }
    }
}
