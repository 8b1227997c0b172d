/// An error reply from Redis, with Redis's own text.
///
/// `GET` with no key answers `-ERR wrong number of arguments for 'get' command`; this error's
/// ``message`` is then `ERR wrong number of arguments for 'get' command`.
public struct RedisError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Redis's text after the `-`, starting with its error code (`ERR`, `WRONGTYPE`, …).
    public var message: String

    public init(message: String) {
        self.message = message
    }

    public var description: String { "Redis answered: \(message)" }
}
