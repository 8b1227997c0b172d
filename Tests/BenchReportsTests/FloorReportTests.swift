import BenchCore
import Testing

@testable import BenchReports

/// Each row against its run's floor: the report's section and the terminal's lines.
@Suite("Floor report")
struct FloorReportTests {
    /// A one-client push row with p50 45 µs and p99 120 µs against a 30 µs floor.
    static func row(_ transport: String, delivery: DeliveryPattern, runnable: Double = 0.5) -> RunResult {
        var result = RunResult(transport: transport, variant: "push", encoding: "json", scenario: "t", clients: 1)
        result.transportName = displayNames[transport]
        result.delivery = delivery
        (result.latencyP50Nanoseconds, result.latencyP99Nanoseconds, result.latencySamples) = (45_000, 120_000, 100)
        let floor = InstrumentFloor(
            loopbackP50Nanoseconds: 30_000, loopbackP99Nanoseconds: 90_000, startP50Nanoseconds: 29_000, endP50Nanoseconds: 31_000,
            samples: 400, bursts: 12, messageBytes: 64, cpuSeconds: 0.0125)
        let load = MachineLoad(cores: 2, stealSeconds: 0, stealShare: 0.001, runnableMean: runnable, runnableMax: 5, runnableSamples: 50, sampleIntervalSeconds: 0.1)
        result.recordConditions(floor: floor, load: load)
        return result
    }

    @Test("the terminal: each row's floor, p50 and p99 over it and its target; each disturbed run's figures")
    func terminal() {
        let lines = FloorReport.terminalLines([Self.row("websocket", delivery: .stream), Self.row("sse", delivery: .stream, runnable: 2.5)])
        #expect(lines.count == 4)
        // 45 / 30 = 1.5 (met at 1.5×), 120 / 30 = 4.
        #expect(lines[1] == "  WebSocket push, HTTP/1.1, json  floor 30.0 µs  p50 1.50×  p99 4.00×  target ≤ 1.5×: met")
        #expect(lines[2].hasPrefix("  SSE push, HTTP/1.1, json        floor 30.0 µs"))
        #expect(lines[3] == "Disturbed: SSE push, HTTP/1.1, json, 1 client: 2.5 tasks were runnable on average (at most 5, 50 samples) on 2 CPUs")
        #expect(FloorReport.terminalLines([RunResult(transport: "sse", variant: "v", encoding: "json", scenario: "old", clients: 1)]).isEmpty, "an older document")
    }

    @Test("report.md's section: a row per run with its floor, ratios, target, probe and load, and the disturbed runs under it")
    func section() throws {
        var longPolling = Self.row("long-polling", delivery: .longPoll)
        longPolling.latencyP50Nanoseconds = 90_000
        longPolling.recordConditions(floor: longPolling.instrumentFloor, load: longPolling.machineLoad)
        let text = FloorReport.section([Self.row("websocket", delivery: .stream), longPolling, Self.row("sse", delivery: .stream, runnable: 3)])
        let rows = text.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| -") }.map { line in
            line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(rows.count == 4, "a header and three rows")
        #expect(rows[1] == ["WebSocket", "push, HTTP/1.1, json", "1", "30.0", "29.0 → 31.0", "1.50×", "4.00×", "≤ 1.5×: met", "400", "12.5", "0.1", "0.5 / 5", "2", "no"])
        // 90 / 30 = 3, above long polling's 2.5×.
        #expect(rows[2][0] == "Long polling" && rows[2][5] == "3.00×" && rows[2][7] == "≤ 2.5×: not met" && rows[2][13] == "no")
        #expect(rows[3][0] == "SSE" && rows[3][11] == "3.0 / 5" && rows[3][13] == "**yes**")
        #expect(text.contains("- **Disturbed**: SSE push, HTTP/1.1, json, 1 client: 3.0 tasks were runnable on average"))
        #expect(FloorReport.section([RunResult(transport: "sse", variant: "v", encoding: "json", scenario: "old", clients: 1)]).isEmpty)
    }
}
