import NIOCore

/// One RESP2 value, as Redis sends it (the Redis serialization protocol, version 2).
///
/// RESP2 has five types, each told by its first byte: `+` simple string, `-` error, `:` integer,
/// `$` bulk string and `*` array. A bulk string or an array of length -1 is the null value
/// (`$-1\r\n`, `*-1\r\n`): `.bulkString(nil)` and `.array(nil)`.
public enum RESPValue: Sendable, Hashable {
    /// `+OK\r\n`: a short line without CR or LF.
    case simpleString(String)
    /// `-ERR message\r\n`: an error reply, with Redis's own text.
    case error(String)
    /// `:42\r\n`: a signed 64-bit integer.
    case integer(Int64)
    /// `$5\r\nhello\r\n`: binary-safe bytes; `nil` for the null bulk string `$-1\r\n`.
    case bulkString(ByteBuffer?)
    /// `*2\r\n…`: a sequence of values; `nil` for the null array `*-1\r\n`.
    case array([RESPValue]?)
}

extension RESPValue {
    /// The text of a simple string or a bulk string (as UTF-8); `nil` for any other value.
    public var string: String? {
        switch self {
        case .simpleString(let text): text
        case .bulkString(let bytes?): String(buffer: bytes)
        default: nil
        }
    }

    /// The value of an integer reply; `nil` for any other value.
    public var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

extension RESPValue: CustomStringConvertible {
    /// A short readable form, e.g. `"OK"`, `(error) ERR …`, `(integer) 1`, `["subscribe", "tb", 1]`.
    public var description: String {
        switch self {
        case .simpleString(let text): text
        case .error(let text): "(error) \(text)"
        case .integer(let value): "(integer) \(value)"
        case .bulkString(let bytes?): "\"\(String(buffer: bytes))\""
        case .bulkString(nil): "(nil)"
        case .array(let values?): "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .array(nil): "(nil array)"
        }
    }
}
