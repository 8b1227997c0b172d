import BenchCore
import BenchMessages
import Foundation

/// What a measurement gives a claim's expressions: `LABEL.NAME` → value.
public enum MeasuredValues {
    /// A run's figures: every number of its `results.json` row, `wireBytes` (up + down) and the
    /// modeled scenario's numbers under `scenario.`.
    public static func of(run result: RunResult, scenario: Scenario, label: String) -> [String: Double] {
        var values = numbers(of: result, prefix: label + ".")
        values[label + ".wireBytes"] = Double(result.bytesUp + result.bytesDown)
        values.merge(numbers(of: scenario, prefix: label + ".scenario."), uniquingKeysWith: { first, _ in first })
        return values
    }

    /// A sample message's sizes (the row of `bench payloads`).
    public static func of(payload row: PayloadComparison.Row, label: String) -> [String: Double] {
        numbers(of: row, prefix: label + ".")
    }

    /// A sample stream's bytes per message on each transport's compression (`bench payloads`).
    public static func of(stream row: PayloadStreamRow, label: String) -> [String: Double] {
        numbers(of: row, prefix: label + ".")
    }

    /// What `comparison` offers under `name`: a sample message's sizes or a stream's; `nil` for
    /// a name it does not have.
    public static func of(payload name: String, in comparison: PayloadComparison, label: String) -> [String: Double]? {
        if let row = comparison.rows.first(where: { $0.message == name }) { return of(payload: row, label: label) }
        if let stream = comparison.streams.first(where: { $0.message == name }) { return of(stream: stream, label: label) }
        return nil
    }

    /// A memory probe's figures.
    public static func of(memory: IdleMemory, label: String) -> [String: Double] {
        numbers(of: memory, prefix: label + ".")
    }

    /// The names a run or payload measurement offers, for checking a claim before it runs.
    public static func names(of kind: Claim.Measurement.Kind) -> Set<String> {
        switch kind {
        case .run: runNames
        case .payload: payloadNames
        case .memory: Set(of(memory: IdleMemory(transport: "x", connections: 1, residentBytesBefore: 0, residentBytesAfter: 0), label: "").keys)
        }
    }

    /// A run's names, optional ones included (`modelLatencyP50Nanoseconds`, the TLS figures): a
    /// run that does not give one leaves the claim unmeasurable rather than refused.
    private static let runNames: Set<String> = {
        var scenario = Scenario.defaults
        scenario.heartbeatIntervalSeconds = 1
        scenario.callDeadlineSeconds = 1
        let result = RunResult(transport: "x", variant: "x", encoding: "json", scenario: "x", clients: 1)
        return Set(of(run: result, scenario: scenario, label: "").keys).union(numericNames(of: result, prefix: "."))
    }()

    /// The names of `value`'s stored numeric properties, optional ones whether or not they hold a value.
    private static func numericNames(of value: Any, prefix: String) -> Set<String> {
        let numeric: [Any.Type] = [Int.self, UInt64.self, Double.self, Int?.self, UInt64?.self, Double?.self]
        return Set(Mirror(reflecting: value).children.compactMap { child in
            child.label.flatMap { name in numeric.contains { $0 == type(of: child.value) } ? prefix + name : nil }
        })
    }

    private static let payloadNames: Set<String> = {
        let comparison = PayloadComparison(streams: Array(SampleStream.all(count: 1).prefix(1)))
        return Set(of(payload: comparison.rows[0], label: "").keys).union(of(stream: comparison.streams[0], label: "").keys)
    }()

    /// The stored numeric properties of `value`, by name (the names of its JSON form).
    private static func numbers(of value: Any, prefix: String) -> [String: Double] {
        var values: [String: Double] = [:]
        for child in Mirror(reflecting: value).children {
            guard let name = child.label else { continue }
            switch child.value {
            case let number as Int: values[prefix + name] = Double(number)
            case let number as UInt64: values[prefix + name] = Double(number)
            case let number as Double: values[prefix + name] = number
            case let number as Optional<Double>: if let number { values[prefix + name] = number }
            default: continue
            }
        }
        return values
    }
}

/// The verdict on one claim, computed from measurements: nothing in it is typed by hand.
public struct ClaimVerdict: Codable, Sendable, Hashable {
    public enum Verdict: String, Codable, Sendable, Hashable {
        /// Every case's expectations hold.
        case confirmed
        /// No case's do.
        case refuted
        /// Some cases' hold and some do not: the claim depends on the condition.
        case depends
        /// A figure could not be computed (division by zero, a missing measurement).
        case unmeasurable
    }

    public struct Figure: Codable, Sendable, Hashable {
        public var name: String
        public var unit: String
        public var value: Double
        /// The value as reports show it (`%` units times 100).
        public var shown: String
    }

    public struct Check: Codable, Sendable, Hashable {
        /// The expectation as the file writes it.
        public var expectation: String
        public var measured: Double
        public var bounds: [Double]
        /// "≥ 99%" or "between 0.5 and 2": the claimed side, in the measured figure's unit.
        public var claimed: String
        public var shown: String
        public var holds: Bool
        /// Set when a figure could not be computed.
        public var problem: String?
    }

    public struct CaseOutcome: Codable, Sendable, Hashable {
        public var condition: String?
        public var holds: Bool
        public var figures: [Figure]
        public var checks: [Check]
        /// What each label measured: `bench run` arguments or a message name.
        public var measurements: [String: String]
    }

    public var id: String
    public var file: String
    public var statement: String
    public var source: String?
    public var verdict: Verdict
    /// One sentence: the verdict and, for "depends", the conditions under which the claim holds and fails.
    public var summary: String
    public var cases: [CaseOutcome]
}

/// Judges claims against measurements.
public enum ClaimJudge {
    /// Judges `claim`; `measured` gives each measurement's figures (``MeasuredValues``).
    public static func judge(_ claim: Claim, measured: (Claim.Measurement) -> [String: Double]) -> ClaimVerdict {
        var outcomes: [ClaimVerdict.CaseOutcome] = []
        for claimCase in claim.cases {
            var values: [String: Double] = [:]
            var described: [String: String] = [:]
            for measurement in claimCase.measurements {
                values.merge(measured(measurement), uniquingKeysWith: { _, new in new })
                described[measurement.label] = measurement.arguments.joined(separator: " ")
            }
            // Metrics in dependency order: each pass computes those whose names are all known.
            var pending = claimCase.metrics
            while let ready = pending.firstIndex(where: { metric in metric.expression.names.allSatisfy { values[$0] != nil } }) {
                let metric = pending.remove(at: ready)
                values[metric.name] = (try? metric.expression.evaluate(values)) ?? .nan
            }
            let problems = pending.map { "\($0.name) reads a figure nothing measured or a metric that reads itself" }
            let figures = claimCase.metrics.compactMap { metric in
                values[metric.name].map { ClaimVerdict.Figure(name: metric.name, unit: metric.unit, value: $0, shown: show($0, unit: metric.unit)) }
            }
            var checks: [ClaimVerdict.Check] = []
            for expectation in claimCase.expectations {
                let unit = expectation.left.singleName.flatMap { name in claimCase.metrics.first { $0.name == name }?.unit } ?? ""
                do {
                    let measured = try expectation.left.evaluate(values)
                    var bounds: [Double] = []
                    for bound in expectation.bounds { bounds.append(try bound.evaluate(values)) }
                    let finite = measured.isFinite && bounds.allSatisfy(\.isFinite)
                    checks.append(
                        .init(
                            expectation: expectation.text, measured: measured, bounds: bounds, claimed: claimed(expectation, bounds: bounds, unit: unit),
                            shown: show(measured, unit: unit), holds: finite && expectation.holds(measured, bounds),
                            problem: finite ? nil : "not a finite number (a division by zero?)"))
                } catch {
                    checks.append(
                        .init(
                            expectation: expectation.text, measured: .nan, bounds: [], claimed: claimed(expectation, bounds: [], unit: unit), shown: "–", holds: false,
                            problem: error.description))
                }
            }
            outcomes.append(
                .init(condition: claimCase.condition, holds: problems.isEmpty && checks.allSatisfy(\.holds), figures: figures, checks: checks, measurements: described))
            if !problems.isEmpty {
                outcomes[outcomes.count - 1].checks.append(
                    .init(expectation: "metrics", measured: .nan, bounds: [], claimed: "", shown: "–", holds: false, problem: problems.joined(separator: "; ")))
            }
        }

        let verdict: ClaimVerdict.Verdict
        let summary: String
        let held = outcomes.filter(\.holds)
        if outcomes.contains(where: { $0.checks.contains { $0.problem != nil } }) {
            verdict = .unmeasurable
            summary = "could not be judged: " + outcomes.flatMap(\.checks).compactMap(\.problem).joined(separator: "; ")
        } else if held.count == outcomes.count {
            verdict = .confirmed
            summary = "confirmed" + conditions(outcomes, prefix: " when ")
        } else if held.isEmpty {
            verdict = .refuted
            summary = "refuted" + conditions(outcomes, prefix: " when ")
        } else {
            verdict = .depends
            summary = "depends: holds when \(held.compactMap(\.condition).joined(separator: "; and when ")); "
                + "not when \(outcomes.filter { !$0.holds }.compactMap(\.condition).joined(separator: "; nor when "))"
        }
        return ClaimVerdict(id: claim.id, file: claim.file, statement: claim.statement, source: claim.source, verdict: verdict, summary: summary, cases: outcomes)
    }

    private static func conditions(_ outcomes: [ClaimVerdict.CaseOutcome], prefix: String) -> String {
        let conditions = outcomes.compactMap(\.condition)
        return conditions.isEmpty ? "" : prefix + conditions.joined(separator: "; and when ")
    }

    /// The claimed side of an expectation, shown in the unit of the figure it bounds.
    private static func claimed(_ expectation: Claim.Expectation, bounds: [Double], unit: String) -> String {
        let shown = bounds.map { show($0, unit: unit) }
        guard !shown.isEmpty else { return expectation.text }
        switch expectation.relation {
        case .between: return "between \(shown[0]) and \(shown[1])"
        case .lessOrEqual: return "≤ \(shown[0])"
        case .greaterOrEqual: return "≥ \(shown[0])"
        case .less: return "< \(shown[0])"
        case .greater: return "> \(shown[0])"
        case .equal: return "= \(shown[0])"
        case .notEqual: return "≠ \(shown[0])"
        }
    }

    /// A value in its unit: `%` shows a ratio as a percentage; others keep four significant digits.
    public static func show(_ value: Double, unit: String) -> String {
        guard value.isFinite else { return "–" }
        if unit == "%" { return Format.significant(value * 100) + " %" }
        return unit.isEmpty ? Format.significant(value) : Format.significant(value) + " " + unit
    }
}
