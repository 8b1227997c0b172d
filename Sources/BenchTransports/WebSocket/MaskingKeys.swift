#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOWebSocket

/// Client masking keys (RFC 6455 §5.3: unpredictable, "derived from a strong source of
/// entropy") drawn from the system's random source 1,024 keys at a time: NIO's
/// `WebSocketMaskingKey.random()` asks the kernel for each key, a `getrandom` system call per
/// frame — one in four of a ping-pong client's system calls. Every data frame the harness's
/// WebSocket clients send takes its key from here; control frames (rare) keep NIO's. `arc4random_buf` (glibc ≥ 2.36,
/// Darwin) reads the kernel's generator, `getrandom`, once per 4 KiB.
struct MaskingKeys {
    private var bytes = [UInt8](repeating: 0, count: 4096)
    private var offset = 4096

    mutating func next() -> WebSocketMaskingKey {
        if offset == bytes.count {
            bytes.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
            offset = 0
        }
        defer { offset += 4 }
        return WebSocketMaskingKey(bytes[offset..<offset + 4])!
    }
}
