import Foundation

/// A claim someone made about these transports, as data: what to measure, which figures to
/// compute and which relation must hold. `bench claims` measures it and ``ClaimJudge`` gives the
/// verdict; nothing in a claim is a verdict or a measured figure.
///
/// A claim file (`*.claim`) is read line by line:
///
/// ```
/// # The notes' bandwidth example.
/// claim: Polling once a second moves ~1 MB a minute; WebSocket only the real data: 99% less
/// source: the study notes, "성능 비교"
/// time-scale: 60
///
/// case: every poll re-fetches a 10 KB resource; 1 KB a minute really changes
/// run poll: short-polling --poll-interval 1 --rate 1 --payload-bytes 10000 --duration 60 --clients 1
/// run ws: websocket --rate 0.016667 --payload-bytes 1000 --duration 60 --clients 1
/// metric saving (%) = 1 - ws.wireBytes / poll.wireBytes
/// expect saving >= 99%
/// ```
///
/// - `claim:` the statement (once, required); `source:` where it was made; `time-scale:` the
///   default `--time-scale` of every run in the file.
/// - `run LABEL: TRANSPORT FLAGS…` a `bench run` of one transport with `bench run`'s scenario
///   flags; its figures are `LABEL.NAME` with the names of `results.json` (`poll.requests`,
///   `poll.bytesDown`, `poll.latencyP50Nanoseconds`, …), `LABEL.wireBytes` (up + down) and the
///   modeled scenario's as `LABEL.scenario.NAME` (`poll.scenario.pollIntervalSeconds`).
/// - `payload LABEL: MESSAGE` the sizes of a sample message (`bench payloads`):
///   `LABEL.jsonCompactBytes`, `LABEL.protobufBytes`, `LABEL.gzipJSONCompactBytes`, …
/// - `memory LABEL: TRANSPORT --clients N FLAGS…` opens N idle connections of the transport to a
///   `bench serve` process and reads that process's resident memory before and after (Linux):
///   `LABEL.residentBytesPerConnection`, `LABEL.residentBytesBefore`, … (``IdleMemory``).
/// - `metric NAME (UNIT) = EXPRESSION` a figure to compute and show (``MetricExpression``); the
///   unit is a label, except `%`, which shows the value times 100. Metrics may read each other
///   in any order (a shared metric may read one that each case defines).
/// - `expect A OP B` with `<`, `<=`, `>`, `>=`, `==` or `!=`, or `expect A between B and C`:
///   what the claim asserts.
/// - `case: CONDITION` starts a case: the lines after it hold under that condition. Lines
///   before the first case are shared by every case. A claim that holds in some cases and not
///   in others "depends", and the verdict names the conditions.
public struct Claim: Sendable, Hashable {
    /// The file's name without its extension (`01-bandwidth`).
    public var id: String
    public var file: String
    public var statement: String
    public var source: String?
    public var cases: [Case]

    public struct Case: Sendable, Hashable {
        /// `nil` when the claim has no `case:` line.
        public var condition: String?
        public var line: Int
        public var measurements: [Measurement]
        public var metrics: [Metric]
        public var expectations: [Expectation]

        /// Every name the case's metrics and expectations read, with its line.
        var namesRead: [(line: Int, name: String)] {
            metrics.flatMap { metric in metric.expression.names.map { (metric.line, $0) } }
                + expectations.flatMap { expectation in (expectation.bounds + [expectation.left]).flatMap(\.names).map { (expectation.line, $0) } }
        }
    }

    /// Something to measure before the expressions can be evaluated.
    public struct Measurement: Sendable, Hashable {
        public enum Kind: String, Sendable, Hashable { case run, payload, memory }
        public var kind: Kind
        public var label: String
        /// `run`: the `bench run` arguments (transport first), the file's time scale added;
        /// `memory`: the transport and its flags; `payload`: the message name.
        public var arguments: [String]
        public var line: Int
    }

    public struct Metric: Sendable, Hashable {
        public var name: String
        public var unit: String
        public var expression: MetricExpression
        public var line: Int
    }

    public struct Expectation: Sendable, Hashable {
        public enum Relation: String, Sendable, Hashable, CaseIterable {
            case lessOrEqual = "<=", greaterOrEqual = ">=", equal = "==", notEqual = "!=", less = "<", greater = ">", between
        }
        public var left: MetricExpression
        public var relation: Relation
        /// One bound, or two for `between`.
        public var bounds: [MetricExpression]
        /// The line as written after `expect`.
        public var text: String
        public var line: Int

        public func holds(_ value: Double, _ bounds: [Double]) -> Bool {
            switch relation {
            case .less: value < bounds[0]
            case .lessOrEqual: value <= bounds[0]
            case .greater: value > bounds[0]
            case .greaterOrEqual: value >= bounds[0]
            case .equal: value == bounds[0]
            case .notEqual: value != bounds[0]
            case .between: value >= Swift.min(bounds[0], bounds[1]) && value <= Swift.max(bounds[0], bounds[1])
            }
        }
    }
}

/// A claim file that cannot be read: the file, the line and one sentence.
public struct ClaimFileError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        (self.file, self.line, self.message) = (file, line, message)
    }

    public var description: String { "\(file):\(line): \(message)" }
}

extension Claim {
    /// Reads the claim in `text`; `file` names it in errors and gives the claim its id.
    public static func parse(_ text: String, file: String) throws(ClaimFileError) -> Claim {
        func fail(_ line: Int, _ message: String) -> ClaimFileError { ClaimFileError(file: file, line: line, message: message) }

        var statement: String?
        var source: String?
        var timeScale: String?
        var shared = Case(condition: nil, line: 1, measurements: [], metrics: [], expectations: [])
        var cases: [Case] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)

        for (offset, raw) in lines.enumerated() {
            let number = offset + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let (keyword, rest) = splitKeyword(line)
            func value() throws(ClaimFileError) -> String {
                guard rest.hasPrefix(":") else { throw fail(number, "'\(keyword)' needs a ':' and a value, as in '\(keyword): …'") }
                let text = rest.dropFirst().trimmingCharacters(in: .whitespaces)
                guard !text.isEmpty else { throw fail(number, "'\(keyword):' has no value") }
                return text
            }
            // Lines after a `case:` belong to it; before the first one, to every case.
            func addTo(_ update: (inout Case) -> Void) {
                if cases.isEmpty { update(&shared) } else { update(&cases[cases.count - 1]) }
            }

            switch keyword {
            case "claim":
                guard statement == nil else { throw fail(number, "a claim file holds one claim; this is a second 'claim:' line") }
                statement = try value()
            case "source":
                source = try value()
            case "time-scale":
                let scale = try value()
                guard let parsed = Double(scale), parsed.isFinite, parsed > 0 else { throw fail(number, "time-scale must be a positive number (got '\(scale)')") }
                timeScale = scale
            case "case":
                cases.append(Case(condition: try value(), line: number, measurements: [], metrics: [], expectations: []))
            case "run", "payload", "memory":
                let (label, body) = try labelled(rest, keyword: keyword, line: number, fail: fail)
                let known = (cases.last ?? shared).measurements + shared.measurements
                guard !known.contains(where: { $0.label == label }) else { throw fail(number, "'\(label)' is measured twice in this case") }
                var arguments = body.split(whereSeparator: \.isWhitespace).map(String.init)
                // A memory probe holds idle connections: time does not enter it.
                if keyword == "run", let timeScale, !arguments.contains("--time-scale") {
                    arguments += ["--time-scale", timeScale]
                }
                if keyword == "payload", arguments.count != 1 {
                    throw fail(number, "'payload \(label):' takes one message name (got '\(body)')")
                }
                let measurement = Measurement(kind: Measurement.Kind(rawValue: keyword)!, label: label, arguments: arguments, line: number)
                addTo { $0.measurements.append(measurement) }
            case "metric":
                let metric = try parseMetric(rest, line: number, fail: fail)
                addTo { $0.metrics.append(metric) }
            case "expect":
                let expectation = try parseExpectation(rest, line: number, fail: fail)
                addTo { $0.expectations.append(expectation) }
            default:
                throw fail(number, "'\(line.prefix(40))' is not a claim line; a line starts with claim:, source:, time-scale:, case:, run, payload, memory, metric, expect or #")
            }
        }

        guard let statement else { throw fail(1, "the file has no 'claim:' line saying what is claimed") }
        if cases.isEmpty { cases = [shared] } else {
            cases = cases.map { specific in
                var merged = specific
                merged.measurements = shared.measurements + specific.measurements
                merged.metrics = shared.metrics + specific.metrics
                merged.expectations = shared.expectations + specific.expectations
                return merged
            }
        }
        for claimCase in cases {
            let label = claimCase.condition.map { "case '\($0)'" } ?? "the claim"
            guard !claimCase.expectations.isEmpty else { throw fail(claimCase.line, "\(label) has no 'expect' line: nothing to judge") }
            guard !claimCase.measurements.isEmpty else { throw fail(claimCase.line, "\(label) measures nothing: add a 'run', 'payload' or 'memory' line") }
            // A bare name is a metric of the case (shared or the case's own, in any order).
            let defined = Set(claimCase.metrics.map(\.name))
            for (line, name) in claimCase.namesRead where !name.contains(".") && !defined.contains(name) {
                throw fail(line, "'\(name)' is not a metric of \(label); names of measurements read LABEL.NAME")
            }
            // Every LABEL.NAME must be a figure that a measurement of this case gives.
            for (line, name) in claimCase.namesRead where name.contains(".") {
                let label = String(name.prefix { $0 != "." })
                guard let measurement = claimCase.measurements.first(where: { $0.label == label }) else {
                    throw fail(line, "'\(name)' reads '\(label)', which no 'run', 'payload' or 'memory' line of this case measures")
                }
                let field = String(name.dropFirst(label.count))
                let known = MeasuredValues.names(of: measurement.kind)
                guard known.contains(field) else {
                    let figures = known.filter { !$0.hasPrefix(".scenario.") }.map { String($0.dropFirst()) }.sorted().joined(separator: ", ")
                    throw fail(line, "'\(name)': \(label) is a \(measurement.kind.rawValue) and has no figure '\(field.dropFirst())'; it has \(figures)")
                }
            }
        }
        let id = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        return Claim(id: id, file: file, statement: statement, source: source, cases: cases)
    }

    /// `run poll: …` → ("run", " poll: …"); `claim: …` → ("claim", ": …").
    private static func splitKeyword(_ line: String) -> (String, Substring) {
        let end = line.firstIndex { $0 == ":" || $0.isWhitespace } ?? line.endIndex
        return (String(line[..<end]), line[end...])
    }

    /// ` LABEL: BODY` of a run or payload line.
    private static func labelled(
        _ rest: Substring, keyword: String, line: Int, fail: (Int, String) -> ClaimFileError
    ) throws(ClaimFileError) -> (String, String) {
        guard let colon = rest.firstIndex(of: ":") else { throw fail(line, "'\(keyword)' needs a label and a colon, as in '\(keyword) poll: …'") }
        let label = rest[..<colon].trimmingCharacters(in: .whitespaces)
        guard isIdentifier(label) else { throw fail(line, "'\(label)' is not a label: use letters, digits and _") }
        let body = rest[rest.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        guard !body.isEmpty else { throw fail(line, "'\(keyword) \(label):' says nothing to measure") }
        return (label, body)
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    /// ` NAME (UNIT) = EXPRESSION`
    private static func parseMetric(_ rest: Substring, line: Int, fail: (Int, String) -> ClaimFileError) throws(ClaimFileError) -> Metric {
        guard let equals = rest.firstIndex(of: "=") else { throw fail(line, "a metric reads 'metric NAME (UNIT) = EXPRESSION'; this one has no '='") }
        var head = rest[..<equals].trimmingCharacters(in: .whitespaces)
        var unit = ""
        if let open = head.firstIndex(of: "("), head.hasSuffix(")") {
            unit = String(head[head.index(after: open)..<head.index(before: head.endIndex)]).trimmingCharacters(in: .whitespaces)
            head = head[..<open].trimmingCharacters(in: .whitespaces)
        }
        guard isIdentifier(head) else { throw fail(line, "'\(head)' is not a metric name: use letters, digits and _") }
        do {
            return Metric(name: head, unit: unit, expression: try MetricExpression.parse(String(rest[rest.index(after: equals)...])), line: line)
        } catch {
            throw fail(line, error.description)
        }
    }

    /// ` A OP B` or ` A between B and C`.
    private static func parseExpectation(_ rest: Substring, line: Int, fail: (Int, String) -> ClaimFileError) throws(ClaimFileError) -> Expectation {
        let text = rest.trimmingCharacters(in: .whitespaces)
        do {
            if let between = text.range(of: " between ") {
                guard let and = text.range(of: " and ", range: between.upperBound..<text.endIndex) else {
                    throw fail(line, "'between' needs two bounds: 'expect A between B and C'")
                }
                return Expectation(
                    left: try MetricExpression.parse(String(text[..<between.lowerBound])), relation: .between,
                    bounds: [try MetricExpression.parse(String(text[between.upperBound..<and.lowerBound])), try MetricExpression.parse(String(text[and.upperBound...]))],
                    text: text, line: line)
            }
            // Two-character operators first, so `<=` is not read as `<`.
            for relation in Claim.Expectation.Relation.allCases where relation != .between {
                if let range = text.range(of: relation.rawValue) {
                    return Expectation(
                        left: try MetricExpression.parse(String(text[..<range.lowerBound])), relation: relation,
                        bounds: [try MetricExpression.parse(String(text[range.upperBound...]))], text: text, line: line)
                }
            }
        } catch let error as MetricExpressionError {
            throw fail(line, error.description)
        } catch {
            throw error as! ClaimFileError
        }
        throw fail(line, "an expectation compares two figures with <, <=, >, >=, ==, != or 'between … and …'; '\(text)' has none")
    }
}
