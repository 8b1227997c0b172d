import BenchCore

/// Where a Redis server listens, parsed from a `redis://HOST:PORT` URL.
///
/// ```swift
/// let endpoint = try RedisEndpoint(url: "redis://127.0.0.1:6379")
/// ```
public struct RedisEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The port Redis listens on when a URL names none.
    public static let defaultPort = 6379

    /// A host name or an IP address (IPv6 without brackets).
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `redis://HOST:PORT` (the port defaults to 6379, a trailing `/` is allowed).
    ///
    /// - Throws: ``BenchError/usage(_:)`` naming `url` when it is not such a URL; a user name,
    ///   a password or a database number are not supported.
    public init(url: String) throws {
        let bad = BenchError.usage("`\(url)` is not a Redis URL; expected redis://HOST:PORT, e.g. redis://127.0.0.1:6379")
        guard url.hasPrefix("redis://") else { throw bad }
        var rest = Substring(url.dropFirst("redis://".count))
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard !rest.isEmpty, !rest.contains(where: { "/@?# ".contains($0) }) else { throw bad }
        let host: Substring
        var portText: Substring?
        if rest.hasPrefix("[") {
            // [IPv6]:PORT
            guard let close = rest.firstIndex(of: "]") else { throw bad }
            host = rest[rest.index(after: rest.startIndex)..<close]
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw bad }
                portText = after.dropFirst()
            }
        } else if let colon = rest.firstIndex(of: ":") {
            host = rest[..<colon]
            portText = rest[rest.index(after: colon)...]
        } else {
            host = rest
        }
        guard !host.isEmpty else { throw bad }
        var port = Self.defaultPort
        if let portText {
            guard portText.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(portText), (1...65535).contains(number) else {
                throw bad
            }
            port = number
        }
        self.init(host: String(host), port: port)
    }

    /// The endpoint as a URL, `redis://HOST:PORT`.
    public var url: String {
        host.contains(":") ? "redis://[\(host)]:\(port)" : "redis://\(host):\(port)"
    }

    public var description: String { url }
}
