import Foundation

/// The profile file format and its checks.
///
/// ```text
/// # A comment; blank lines are ignored.
/// [short-poll request]
/// User-Agent: Mozilla/5.0 …
/// Accept: */*
/// [short-poll response]
/// Cache-Control: no-store
/// ```
///
/// A section `[KIND request]` or `[KIND response]` (KIND one of `short-poll`, `long-poll`,
/// `event-source`, `fetch-stream`, `websocket`, `grpc`) holds `Name: value` lines, sent in the file's order with
/// the name's case as written; a kind without a section sends nothing extra. Refused, with the
/// file, the line and the reason: a line that is not `Name: value`, a header the stack owns
/// (``stackOwned``), a pseudo-header (`:path`) and a head larger than the server accepts.
extension HeaderProfile {
    /// Headers the protocol stack writes itself, so a profile may not: framing, the connection,
    /// the WebSocket handshake, and what the endpoints decide (`Content-Type` of a response,
    /// `Last-Event-ID` of a reconnecting EventSource).
    public static let stackOwned: Set<String> = [
        "host", "content-length", "transfer-encoding", "connection", "upgrade", "keep-alive", "te",
        "sec-websocket-key", "sec-websocket-accept", "sec-websocket-version", "last-event-id",
    ]

    /// Response headers the endpoint writes: the body's type depends on the run's encoding.
    public static let stackOwnedInResponses: Set<String> = ["content-type"]

    /// Reads and checks a profile file.
    public static func load(file: String, maxHeadBytes: Int = 16 * 1024) throws(BenchError) -> HeaderProfile {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            let names = builtInNames.joined(separator: ", ")
            throw .usage("--headers \(file): not a profile (\(names)) nor a readable file")
        }
        return try parse(text, file: file, name: file, maxHeadBytes: maxHeadBytes)
    }

    /// Parses profile text; errors read `FILE:LINE: reason`.
    public static func parse(_ text: String, file: String, name: String, maxHeadBytes: Int = 16 * 1024) throws(BenchError) -> HeaderProfile {
        var heads: [Kind: Heads] = [:]
        var section: (kind: Kind, isRequest: Bool, line: Int)?
        func fail(_ line: Int, _ reason: String) -> BenchError { .usage("\(file):\(line): \(reason)") }
        func checkSize(_ current: (kind: Kind, isRequest: Bool, line: Int)?) throws(BenchError) {
            guard let current, let kindHeads = heads[current.kind] else { return }
            let fields = current.isRequest ? kindHeads.request : kindHeads.response
            let total = fields.reduce(0) { $0 + $1.wireBytes }
            if total > maxHeadBytes {
                throw fail(current.line, "the \(current.kind.rawValue) \(current.isRequest ? "request" : "response") head is \(total) bytes, over the server's \(maxHeadBytes)-byte limit")
            }
        }
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("[") {
                try checkSize(section)
                section = try parseSection(trimmed, fail: { fail(number, $0) })
                section?.line = number
                continue
            }
            guard let current = section else { throw fail(number, "a header before any [KIND request] or [KIND response] section") }
            let field = try parseField(String(line), isRequest: current.isRequest, fail: { fail(number, $0) })
            if current.isRequest { heads[current.kind, default: Heads()].request.append(field) } else { heads[current.kind, default: Heads()].response.append(field) }
        }
        try checkSize(section)
        return HeaderProfile(name: name, heads: heads)
    }

    private static func parseSection(_ text: String, fail: (String) -> BenchError) throws(BenchError) -> (kind: Kind, isRequest: Bool, line: Int) {
        let kinds = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard text.hasSuffix("]") else { throw fail("a section is [KIND request] or [KIND response] (KIND: \(kinds))") }
        let words = text.dropFirst().dropLast().split(separator: " ")
        guard words.count == 2, let kind = Kind(rawValue: String(words[0])), words[1] == "request" || words[1] == "response" else {
            throw fail("unknown section \(text); a section is [KIND request] or [KIND response] (KIND: \(kinds))")
        }
        return (kind, words[1] == "request", 0)
    }

    private static func parseField(_ line: String, isRequest: Bool, fail: (String) -> BenchError) throws(BenchError) -> Field {
        if line.hasPrefix(":") { throw fail("\(line.prefix(40)) is a pseudo-header; the stack writes :method, :path, :scheme, :authority and :status") }
        guard let colon = line.firstIndex(of: ":") else { throw fail("not a header line: expected Name: value") }
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        let token = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !name.isEmpty, name.allSatisfy(token.contains) else { throw fail("'\(name)' is not a header name (RFC 9110 §5.1: a token, no spaces)") }
        let isControl = { (character: Character) -> Bool in
            guard let ascii = character.asciiValue else { return false }
            return (ascii < 0x20 && ascii != 0x09) || ascii == 0x7F
        }
        guard !value.contains(where: isControl) else {
            throw fail("the value of \(name) holds a control character")
        }
        let lower = name.lowercased()
        if stackOwned.contains(lower) || (!isRequest && stackOwnedInResponses.contains(lower)) {
            throw fail("\(name) is written by the protocol stack, not by a profile")
        }
        return Field(name, value)
    }
}
