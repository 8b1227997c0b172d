import BenchCore
import BenchReports
import Foundation
import Testing

@Suite("claim files: reading, names, verdicts")
struct ClaimTests {
    static let twoCases = """
        # a comment
        claim: WebSocket saves 99% of polling's bytes
        source: somewhere
        metric saving (%) = 1 - ws.wireBytes / poll.wireBytes
        expect saving >= 99%

        case: polls fetch a large resource
        run poll: short-polling --rate 1
        run ws: websocket --rate 1

        case: polls fetch only what changed
        run poll: short-polling --rate 0.1
        run ws: websocket --rate 0.1
        """

    @Test("a file with cases: shared lines join every case, in the file's order")
    func parsesCases() throws {
        let claim = try Claim.parse(Self.twoCases, file: "Claims/01-saving.claim")
        #expect(claim.id == "01-saving")
        #expect(claim.statement == "WebSocket saves 99% of polling's bytes")
        #expect(claim.cases.map(\.condition) == ["polls fetch a large resource", "polls fetch only what changed"])
        #expect(claim.cases.allSatisfy { $0.metrics.map(\.name) == ["saving"] && $0.expectations.count == 1 })
        #expect(claim.cases[1].measurements.map(\.arguments) == [["short-polling", "--rate", "0.1"], ["websocket", "--rate", "0.1"]])
        #expect(claim.cases[0].expectations[0].relation == .greaterOrEqual)
        #expect(claim.cases[0].expectations[0].bounds == [.number(0.99)])
    }

    @Test("the file's time scale is added to runs that do not give their own")
    func timeScale() throws {
        let claim = try Claim.parse(
            "claim: x\ntime-scale: 60\nrun a: sse --rate 1\nrun b: sse --time-scale 2\nexpect a.requests == b.requests", file: "t.claim")
        #expect(claim.cases[0].measurements[0].arguments == ["sse", "--rate", "1", "--time-scale", "60"])
        #expect(claim.cases[0].measurements[1].arguments == ["sse", "--time-scale", "2"])
    }

    static let malformed: [(text: String, line: Int, mentions: String)] = [
        ("claim: x\nrun a: sse\nexpect a.requests >= 1\nwhatever this is", 4, "not a claim line"),
        ("claim: x\nrun a: sse\nmetric m = a.requests * (2\nexpect m > 1", 3, "missing ')'"),
        ("claim: x\nrun a: sse\nexpect a.requests 1", 3, "compares two figures"),
        ("run a: sse\nexpect a.requests >= 1", 1, "no 'claim:' line"),
        ("claim: x\nrun a: sse\nexpect b.requests >= 1", 3, "no 'run', 'payload' or 'memory' line"),
        ("claim: x\nrun a: sse\n\nexpect nothing >= 1", 4, "not a metric"),
        ("claim: x\ntime-scale: fast\nrun a: sse\nexpect a.requests >= 1", 2, "time-scale must be a positive number"),
        ("claim: x\nrun a: sse\nrun a: websocket\nexpect a.requests >= 1", 3, "measured twice"),
        ("claim: x\ncase: one\nrun a: sse", 2, "no 'expect' line"),
        ("claim: x\nrun 9lives: sse\nexpect a.requests >= 1", 2, "not a label"),
        ("claim: x\nrun a: sse\nexpect a.requests between 1", 3, "two bounds"),
        ("claim: x\nrun a: sse\nmetric m = a.requests ^ 2\nexpect m > 1", 3, "unexpected"),
        ("claim: x\nrun a: sse\nmetric m = log(a.requests)\nexpect m > 1", 3, "unknown function"),
    ]

    @Test("a malformed claim file is refused with its file, its line and what is wrong", arguments: 0..<malformed.count)
    func malformedFile(index: Int) {
        let (text, line, mentions) = Self.malformed[index]
        do {
            _ = try Claim.parse(text, file: "Claims/bad.claim")
            Issue.record("'\(text)' was accepted")
        } catch {
            #expect(error.file == "Claims/bad.claim")
            #expect(error.line == line, "\(error)")
            #expect(error.message.contains(mentions), "\(error)")
            #expect(error.description.hasPrefix("Claims/bad.claim:\(line): "))
        }
    }

    @Test("expressions: precedence, percentages, functions, names with dots")
    func expressions() throws {
        let values = ["a.x": 10.0, "a.scenario.y": 4, "m": 0.5]
        #expect(try MetricExpression.parse("1 + 2 * 3").evaluate([:]) == 7)
        #expect(try MetricExpression.parse("(1 + 2) * 3").evaluate([:]) == 9)
        #expect(try MetricExpression.parse("10 - 4 - 3").evaluate([:]) == 3)
        #expect(try MetricExpression.parse("8 / 4 / 2").evaluate([:]) == 1)
        #expect(try MetricExpression.parse("-a.x / a.scenario.y").evaluate(values) == -2.5)
        #expect(try MetricExpression.parse("99%").evaluate([:]) == 0.99)
        #expect(try MetricExpression.parse("1e3 / 4").evaluate([:]) == 250)
        #expect(try MetricExpression.parse("max(a.x, 3, m * 100) - min(1, 2) + abs(-2)").evaluate(values) == 51)
        #expect(throws: MetricExpressionError.self) { try MetricExpression.parse("a.missing").evaluate(values) }
    }

    /// Judges the two-case claim with made-up figures for each case's runs.
    func judge(_ text: String, bytes: [String: (poll: Double, ws: Double)]) throws -> ClaimVerdict {
        let claim = try Claim.parse(text, file: "t.claim")
        return ClaimJudge.judge(claim) { measurement in
            let rate = measurement.arguments[2]
            let figures = bytes[rate]!
            return ["\(measurement.label).wireBytes": measurement.label == "poll" ? figures.poll : figures.ws]
        }
    }

    @Test("all cases hold: confirmed; none: refuted; some: depends, naming the conditions")
    func verdicts() throws {
        let confirmed = try judge(Self.twoCases, bytes: ["1": (100_000, 500), "0.1": (10_000, 50)])
        #expect(confirmed.verdict == .confirmed)
        #expect(confirmed.cases.map(\.holds) == [true, true])
        #expect(confirmed.cases[0].checks[0].measured == 0.995)
        #expect(confirmed.cases[0].checks[0].shown == "99.5 %")
        #expect(confirmed.cases[0].checks[0].claimed == "≥ 99 %")

        let refuted = try judge(Self.twoCases, bytes: ["1": (1000, 500), "0.1": (1000, 900)])
        #expect(refuted.verdict == .refuted)

        let depends = try judge(Self.twoCases, bytes: ["1": (100_000, 500), "0.1": (1000, 900)])
        #expect(depends.verdict == .depends)
        #expect(depends.summary == "depends: holds when polls fetch a large resource; not when polls fetch only what changed")

        let unmeasurable = try judge(Self.twoCases, bytes: ["1": (0, 500), "0.1": (1000, 900)])
        #expect(unmeasurable.verdict == .unmeasurable)
    }

    @Test("a run's figures are results.json's names, wireBytes and the modeled scenario's")
    func runFigures() {
        var result = RunResult(transport: "sse", variant: "event-stream", encoding: "json", scenario: "s", clients: 3)
        (result.bytesUp, result.bytesDown, result.requests, result.latencyP50Nanoseconds) = (100, 900, 3, 1_500_000)
        var scenario = Scenario.defaults
        scenario.pollIntervalSeconds = 2
        let values = MeasuredValues.of(run: result, scenario: scenario, label: "s")
        #expect(values["s.wireBytes"] == 1000)
        #expect(values["s.requests"] == 3)
        #expect(values["s.clients"] == 3)
        #expect(values["s.latencyP50Nanoseconds"] == 1_500_000)
        #expect(values["s.scenario.pollIntervalSeconds"] == 2)
        #expect(values["s.transport"] == nil)
        #expect(MeasuredValues.names(of: .payload).contains(".protobufBytes"))
        #expect(MeasuredValues.names(of: .memory).contains(".residentBytesPerConnection"))
    }

    @Test("a claim's chart plots the measured figures and the claimed bounds that claims.json holds")
    func chartValues() throws {
        let verdict = try judge(Self.twoCases, bytes: ["1": (100_000, 500), "0.1": (1000, 900)])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("claims-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try ClaimsReport.write([verdict], runs: [], memory: [], environment: .current(), command: "bench claims", to: directory)
        let svg = try String(contentsOf: directory.appendingPathComponent("t.svg"), encoding: .utf8)
        let marks = try SVGChartsTests.parse(svg).marks
        #expect(marks.filter { $0.element == "rect" && $0.attributes["data-value"] != nil }.map { $0.attributes["data-value"]! } == ["99.500", "10.000"])
        #expect(marks.filter { $0.attributes["data-bound"] != nil }.map { $0.attributes["data-bound"]! } == ["99.000", "99.000"])
        #expect(marks.filter { $0.attributes["data-series"] == "fails" }.count == 1)
        let report = try String(contentsOf: directory.appendingPathComponent("report.md"), encoding: .utf8)
        #expect(report.contains("![t: saving, measured against the claim](t.svg)"))
        #expect(report.contains("**depends**"))
    }

    @Test("the claims whose verdict depends on heads run every uncompressed case under each header profile", arguments: [
        "01-bandwidth", "05-overhead", "07-grpc-vs-rest", "10-polling-staleness",
    ])
    func casePerProfile(id: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = root.appendingPathComponent("Benchmarks/Claims/\(id).claim")
        let claim = try Claim.parse(try String(contentsOf: file, encoding: .utf8), file: file.path)
        var profilesPerCase: [[String]] = []
        // Compression and TLS cases (docs/compression.md, docs/tls.md) are extra: they add a layer, not a profile.
        let layers: Set = ["--compression", "--tls"]
        for claimCase in claim.cases where !claimCase.measurements.contains(where: { !layers.isDisjoint(with: $0.arguments) }) {
            // Every run line of a case under one profile (the shared lines under the default, browser).
            let profiles = Set(claimCase.measurements.map { run in run.arguments.firstIndex(of: "--headers").map { run.arguments[$0 + 1] } ?? "browser" })
            profilesPerCase.append(profiles.sorted())
        }
        #expect(profilesPerCase.allSatisfy { $0.count == 1 }, "\(profilesPerCase)")
        let counts = Dictionary(grouping: profilesPerCase.joined(), by: { $0 }).mapValues(\.count)
        #expect(Set(counts.keys) == ["minimal", "browser", "browser-cookies"])
        #expect(Set(counts.values).count == 1, "as many cases under each profile: \(counts)")
    }
}
