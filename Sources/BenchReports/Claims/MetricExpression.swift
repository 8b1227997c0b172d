import Foundation

/// An arithmetic expression over measured values, as a claim file writes it:
/// `1 - ws.wireBytes / poll.wireBytes`, `poll.latencyMaxNanoseconds * poll.timeScale / 1e9`.
///
/// Numbers may end in `%` (`99%` is 0.99); names are letters, digits, `_` and `.`
/// (`poll.requests`, `poll.scenario.pollIntervalSeconds`, or a metric defined earlier);
/// `min(a, b)`, `max(a, b)` and `abs(a)` are the functions. `+ - * /` and parentheses have their
/// usual precedence.
public indirect enum MetricExpression: Sendable, Hashable {
    case number(Double)
    case name(String)
    case negate(MetricExpression)
    case binary(Character, MetricExpression, MetricExpression)
    case call(String, [MetricExpression])

    /// Every name the expression reads, in order of appearance.
    public var names: [String] {
        switch self {
        case .number: []
        case .name(let name): [name]
        case .negate(let inner): inner.names
        case .binary(_, let left, let right): left.names + right.names
        case .call(_, let arguments): arguments.flatMap(\.names)
        }
    }

    /// A name alone, such as a metric's: what a chart can plot against a threshold.
    public var singleName: String? {
        if case .name(let name) = self { return name }
        return nil
    }

    /// A number alone.
    public var constant: Double? {
        if case .number(let value) = self { return value }
        return nil
    }

    /// The value with `values` for the names. Division by zero gives infinity or NaN, which the
    /// judge reports as "not measurable" rather than a verdict.
    public func evaluate(_ values: [String: Double]) throws(MetricExpressionError) -> Double {
        switch self {
        case .number(let value):
            return value
        case .name(let name):
            guard let value = values[name] else { throw MetricExpressionError("unknown name '\(name)'") }
            return value
        case .negate(let inner):
            return -(try inner.evaluate(values))
        case .binary(let operation, let left, let right):
            let (a, b) = (try left.evaluate(values), try right.evaluate(values))
            switch operation {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            default: return a / b
            }
        case .call(let function, let arguments):
            var evaluated: [Double] = []
            for argument in arguments { evaluated.append(try argument.evaluate(values)) }
            switch function {
            case "min": return evaluated.min()!
            case "max": return evaluated.max()!
            default: return abs(evaluated[0])
            }
        }
    }

    /// Parses `text`; the error says what was expected and where.
    public static func parse(_ text: String) throws(MetricExpressionError) -> MetricExpression {
        var parser = Parser(text)
        let expression = try parser.expression()
        parser.skipSpaces()
        guard parser.atEnd else { throw MetricExpressionError("unexpected '\(parser.rest)' in '\(text)'") }
        return expression
    }

    private struct Parser {
        let characters: [Character]
        var index = 0
        let text: String

        init(_ text: String) {
            self.text = text
            characters = Array(text)
        }

        var atEnd: Bool { index >= characters.count }
        var rest: String { String(characters[index...]) }

        mutating func skipSpaces() {
            while !atEnd, characters[index].isWhitespace { index += 1 }
        }

        mutating func take(_ character: Character) -> Bool {
            skipSpaces()
            guard !atEnd, characters[index] == character else { return false }
            index += 1
            return true
        }

        // expression := term (("+" | "-") term)*
        mutating func expression() throws(MetricExpressionError) -> MetricExpression {
            try chain(["+", "-"]) { parser throws(MetricExpressionError) in try parser.term() }
        }

        // term := factor (("*" | "/") factor)*
        mutating func term() throws(MetricExpressionError) -> MetricExpression {
            try chain(["*", "/"]) { parser throws(MetricExpressionError) in try parser.factor() }
        }

        /// Operands joined left to right by any of `operators`.
        mutating func chain(
            _ operators: [Character], _ operand: (inout Parser) throws(MetricExpressionError) -> MetricExpression
        ) throws(MetricExpressionError) -> MetricExpression {
            var result = try operand(&self)
            next: while true {
                for operation in operators where take(operation) {
                    result = .binary(operation, result, try operand(&self))
                    continue next
                }
                return result
            }
        }

        // factor := "-" factor | number ["%"] | name ["(" arguments ")"] | "(" expression ")"
        mutating func factor() throws(MetricExpressionError) -> MetricExpression {
            if take("-") { return .negate(try factor()) }
            if take("(") {
                let inner = try expression()
                guard take(")") else { throw MetricExpressionError("missing ')' in '\(text)'") }
                return inner
            }
            skipSpaces()
            guard !atEnd else { throw MetricExpressionError("'\(text)' ends where a number or a name should follow") }
            let start = index
            if characters[index].isNumber || characters[index] == "." {
                while !atEnd, characters[index].isNumber || characters[index] == "." || characters[index] == "e" || characters[index] == "E"
                    || ((characters[index] == "-" || characters[index] == "+") && (characters[index - 1] == "e" || characters[index - 1] == "E"))
                {
                    index += 1
                }
                let literal = String(characters[start..<index])
                guard let value = Double(literal) else { throw MetricExpressionError("'\(literal)' is not a number") }
                return take("%") ? .number(value / 100) : .number(value)
            }
            guard characters[index].isLetter || characters[index] == "_" else {
                throw MetricExpressionError("unexpected '\(characters[index])' in '\(text)'")
            }
            while !atEnd, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "." {
                index += 1
            }
            let name = String(characters[start..<index])
            guard take("(") else { return .name(name) }
            guard ["min", "max", "abs"].contains(name) else {
                throw MetricExpressionError("unknown function '\(name)' (there are min, max and abs)")
            }
            var arguments = [try expression()]
            while take(",") { arguments.append(try expression()) }
            guard take(")") else { throw MetricExpressionError("missing ')' after the arguments of \(name)") }
            guard name != "abs" || arguments.count == 1 else { throw MetricExpressionError("abs takes one argument") }
            return .call(name, arguments)
        }
    }
}

/// Why an expression could not be read or evaluated, as one sentence.
public struct MetricExpressionError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
