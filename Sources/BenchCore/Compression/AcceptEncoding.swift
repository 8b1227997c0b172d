/// A request's `Accept-Encoding` (RFC 9110 §12.5.3): the content codings it accepts, with their
/// weights.
///
/// ```
/// Accept-Encoding  = #( codings [ weight ] )
/// codings          = content-coding / "identity" / "*"
/// weight           = OWS ";" OWS "q=" qvalue
/// qvalue           = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
/// ```
///
/// - A coding is acceptable when its weight is above 0: `gzip;q=0` refuses gzip.
/// - A coding the field does not name takes the weight of `*`, and is not acceptable without one.
/// - `identity` (no coding) is acceptable unless `identity;q=0`, or `*;q=0` with no entry of its
///   own, excludes it.
/// - Codings are case-insensitive; `x-gzip` is `gzip` (RFC 9110 §8.4.1.3). A coding listed twice
///   keeps its highest weight. Elements that break the grammar (a bad `qvalue`, a parameter other
///   than `q`) are ignored, so nothing is sent that the client may not have meant.
/// - No field at all: RFC 9110 lets the server pick any coding, but servers in production (nginx,
///   Express's `compression`) send none then, and so do we: ``accepts(_:)`` is false for
///   everything but `identity`. An empty field accepts `identity` only.
public struct AcceptEncoding: Sendable, Hashable {
    /// Whether the request carried the field at all.
    public let isPresent: Bool
    /// The weight of each coding named (lowercased, `x-gzip` as `gzip`; `*` for the wildcard).
    public let weights: [String: Double]

    /// Parses every `Accept-Encoding` field line of a request (none when it had none).
    public init(_ fieldValues: [String]) {
        isPresent = !fieldValues.isEmpty
        var weights: [String: Double] = [:]
        for value in fieldValues {
            for element in value.split(separator: ",") {
                guard let (coding, weight) = Self.parse(element) else { continue }
                weights[coding] = Swift.max(weights[coding] ?? 0, weight)
            }
        }
        self.weights = weights
    }

    /// Parses one field line, for example `gzip, deflate, br;q=0.5`.
    public init(_ fieldValue: String) { self.init([fieldValue]) }

    /// The weight of `coding` (`gzip`, `identity`, …), from 0 to 1.
    public func weight(of coding: String) -> Double {
        let coding = Self.canonical(coding)
        if let weight = weights[coding] { return weight }
        if coding == "identity" { return weights["*"] == 0 ? 0 : 1 }
        return weights["*"] ?? 0
    }

    /// Whether the request accepts a response in `coding`.
    public func accepts(_ coding: String) -> Bool {
        if !isPresent { return Self.canonical(coding) == "identity" }
        return weight(of: coding) > 0
    }

    /// Whether the request accepts a gzip response.
    public var acceptsGzip: Bool { accepts("gzip") }

    /// The name a coding is compared by: lowercased, `x-gzip` as `gzip`.
    public static func canonical(_ coding: some StringProtocol) -> String {
        let lowered = coding.lowercased()
        return lowered == "x-gzip" ? "gzip" : lowered
    }

    /// `coding [ OWS ";" OWS "q=" qvalue ]`, or `nil` for an element that breaks the grammar or
    /// is empty (the list rule allows empty elements).
    private static func parse(_ element: Substring) -> (String, Double)? {
        let parts = element.split(separator: ";", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
        guard let name = parts.first, !name.isEmpty, name == "*" || name.allSatisfy(isTokenCharacter) else { return nil }
        var weight = 1.0
        for parameter in parts.dropFirst() {
            guard parameter.count >= 2, parameter.prefix(2).lowercased() == "q=", let value = qvalue(parameter.dropFirst(2)) else {
                return nil
            }
            weight = value
        }
        return (canonical(name), weight)
    }

    /// `( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`.
    private static func qvalue(_ text: Substring) -> Double? {
        let characters = Array(text)
        guard let first = characters.first, first == "0" || first == "1" else { return nil }
        if characters.count == 1 { return first == "1" ? 1 : 0 }
        let decimals = characters.dropFirst(2)
        guard characters[1] == ".", decimals.count <= 3, decimals.allSatisfy(\.isASCIIDigit) else { return nil }
        if first == "1" { return decimals.allSatisfy { $0 == "0" } ? 1 : nil }
        return Double(String(characters))
    }

    /// `tchar` (RFC 9110 §5.6.2).
    private static func isTokenCharacter(_ character: Character) -> Bool {
        guard character.isASCII, let value = character.asciiValue else { return false }
        switch value {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
            return true
        default: return "!#$%&'*+-.^_`|~".contains(character)
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Substring {
    /// Without leading and trailing spaces and tabs (OWS, RFC 9110 §5.6.3).
    func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
