import BenchCore

/// Wire sizes that follow from the protocols' framing rules, for figures labelled "model" in
/// reports (the tests check them against bytes counted at the socket).
public enum Framing {
    /// Bytes of one HTTP/1.1 chunk carrying `n` bytes (RFC 9112 §7.1): hex size, CRLF, data, CRLF.
    public static func chunkWireBytes(payload n: Int) -> Int {
        String(n, radix: 16).utf8.count + 2 + n + 2
    }

    /// Bytes of one WebSocket frame carrying `n` payload bytes (RFC 6455 §5.2): 2 header bytes,
    /// then 2 or 8 bytes of extended length above 125 and 65,535, then 4 mask bytes on client frames.
    public static func webSocketFrameWireBytes(payload n: Int, masked: Bool) -> Int {
        2 + (n > 65_535 ? 8 : n > 125 ? 2 : 0) + (masked ? 4 : 0) + n
    }
}
