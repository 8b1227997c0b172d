/// What a server checks before it serves a request or upgrades a connection: the `Origin`
/// headers it accepts and the credential it asks for (`--allowed-origin`, `--auth`,
/// `--jwt-alg`).
///
/// One value so a scenario (what its clients send), a server configuration (its policy) and a
/// report row carry the same thing. Open by default: nothing is checked, as before.
///
/// - Origins (RFC 6454): with ``allowedOrigins`` set, a WebSocket upgrade, an SSE request or a
///   poll whose `Origin` is not listed is refused with 403; a request with two `Origin` fields
///   with 400. A request with no `Origin` is refused only when it is a WebSocket upgrade: a
///   browser sends `Origin` on every WebSocket handshake (RFC 6455 §4.1, §10.2) but not on a
///   same-origin `fetch` GET or `EventSource`, and non-browser clients send none. gRPC is not
///   a browser transport: its calls carry no `Origin` and none is checked.
/// - Tokens (RFC 6750): with ``authentication`` `jwt`, every poll, SSE request, WebSocket
///   upgrade and gRPC call must present a JWT signed with the server's key
///   (``tokenAlgorithm``): `Authorization: Bearer` on polls, WebSocket upgrades and gRPC
///   metadata, `?access_token=` on SSE (an `EventSource` cannot set headers).
///
/// ```swift
/// var security = SecuritySettings.open
/// security.allowedOrigins = ["https://app.example"]
/// security.authentication = .jwt
/// try security.validate()
/// security.label   // "jwt es256; origins https://app.example" with tokenAlgorithm .es256
/// ```
public struct SecuritySettings: Codable, Sendable, Hashable {
    /// Which credential requests must present.
    public enum Authentication: String, CaseIterable, Codable, Sendable, Hashable {
        /// None: every request is served (the default).
        case none
        /// A JWT as an OAuth 2.0 bearer token (RFC 6750, RFC 7519).
        case jwt
    }

    /// The JWT signature algorithms a run's key can use (RFC 7518 §3.1 names).
    public enum TokenAlgorithm: String, CaseIterable, Codable, Sendable, Hashable {
        /// HMAC with SHA-256 and a random 256-bit secret.
        case hs256
        /// ECDSA on P-256 with SHA-256.
        case es256
    }

    /// The serialized origins (`scheme://host[:port]`) a request may name; empty checks none.
    public var allowedOrigins: [String]
    public var authentication: Authentication
    /// The key's algorithm when ``authentication`` is `jwt`.
    public var tokenAlgorithm: TokenAlgorithm

    public init(allowedOrigins: [String] = [], authentication: Authentication = .none, tokenAlgorithm: TokenAlgorithm = .hs256) {
        self.allowedOrigins = allowedOrigins
        self.authentication = authentication
        self.tokenAlgorithm = tokenAlgorithm
    }

    /// Nothing checked: what every run did before this layer.
    public static var open: SecuritySettings { SecuritySettings() }

    /// Whether the server checks anything.
    public var isOpen: Bool { allowedOrigins.isEmpty && authentication == .none }

    /// Whether requests must present a token.
    public var requiresToken: Bool { authentication == .jwt }

    /// The `Origin` the bench's own clients send: the first allowed one; `nil` when none is set.
    public var clientOrigin: String? { allowedOrigins.first }

    /// For reports: `none`, `jwt hs256`, `origins https://a.example`, or both joined by `; `.
    public var label: String {
        var parts: [String] = []
        if requiresToken { parts.append("jwt \(tokenAlgorithm.rawValue)") }
        if !allowedOrigins.isEmpty { parts.append("origins " + allowedOrigins.joined(separator: ", ")) }
        return parts.isEmpty ? "none" : parts.joined(separator: "; ")
    }

    /// Throws one sentence naming the first allowed origin that is not a serialized origin.
    public func validate() throws(BenchError) {
        for origin in allowedOrigins where Self.serializedOrigin(origin) != origin {
            throw .usage(
                "--allowed-origin '\(origin)' is not an origin as browsers send it: scheme://host or scheme://host:port in lower case, with no path (RFC 6454 §6.2)")
        }
    }

    /// `text` when it is a serialized origin (RFC 6454 §6.2): a lower-case scheme, `://`, a
    /// lower-case host and an optional port of 1 to 65535, nothing else; `nil` otherwise.
    static func serializedOrigin(_ text: String) -> String? {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        let authority = text[separator.upperBound...]
        guard let first = scheme.first, first.isLetter, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        var host = authority
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            let port = authority[authority.index(after: colon)...]
            guard let number = Int(port), (1...65535).contains(number), port.first != "0" else { return nil }
            host = authority[..<colon]
        }
        let forbidden: Set<Character> = ["/", "?", "#", "@", " ", "\\"]
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && !forbidden.contains($0) }) else { return nil }
        return text == text.lowercased() ? text : nil
    }
}
