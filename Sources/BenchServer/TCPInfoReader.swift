import BenchCore
import NIOCore

/// Reads a connection's `TCP_INFO` (Linux) into a ``TCPInfoSnapshot``: one `getsockopt` on the
/// channel's event loop, made once or twice in a connection's life (``WireMeter`` calls it just
/// before the socket closes), never per read or write.
///
/// Glibc's `struct tcp_info` stops before the segment counters, and SwiftNIO's `getTCPInfo()`
/// returns that struct, so the kernel's own layout (`linux/tcp.h`, which only ever grows at its
/// end) is read here as bytes at its fixed offsets. Elsewhere, or on a socket that is already
/// closed, there is nothing to read and the result is `nil`.
enum TCPInfoReader {
    /// The first 144 bytes of the kernel's `struct tcp_info`: through `tcpi_segs_in` (Linux 4.2).
    struct KernelTCPInfo: Sendable {
        var bytes = InlineArray<144, UInt8>(repeating: 0)
    }

    /// Byte offsets in `struct tcp_info`.
    enum Offset {
        static let state = 0
        static let options = 5
        static let totalRetransmissions = 100
        static let segmentsOut = 136
        static let segmentsIn = 140
    }

    /// Bits of `tcpi_options`.
    enum Option {
        static let timestamps: UInt8 = 1
        static let selectiveAcknowledgments: UInt8 = 2
        static let windowScaling: UInt8 = 4
    }

    /// The connection's TCP_INFO now; call on the channel's event loop.
    static func read(_ channel: any Channel) -> TCPInfoSnapshot? {
        #if os(Linux)
            guard let provider = channel as? any SocketOptionProvider else { return nil }
            var snapshot: TCPInfoSnapshot? = nil
            // On the event loop the future is complete when returned and its callback runs at once.
            let info: EventLoopFuture<KernelTCPInfo> = provider.unsafeGetSocketOption(level: .tcp, name: .tcp_info)
            info.assumeIsolated().whenSuccess { info in
                snapshot = decode(info, ipv6: isIPv6(channel.localAddress))
            }
            return snapshot
        #else
            return nil
        #endif
    }

    /// The snapshot in `info`'s bytes.
    static func decode(_ info: KernelTCPInfo, ipv6: Bool) -> TCPInfoSnapshot {
        withUnsafeBytes(of: info.bytes) { bytes in
            func word(_ offset: Int) -> Int { Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
            let options = bytes[Offset.options]
            return TCPInfoSnapshot(
                state: .init(linuxValue: bytes[Offset.state]),
                segmentsIn: word(Offset.segmentsIn), segmentsOut: word(Offset.segmentsOut),
                retransmittedSegments: word(Offset.totalRetransmissions),
                timestamps: options & Option.timestamps != 0,
                selectiveAcknowledgments: options & Option.selectiveAcknowledgments != 0,
                windowScaling: options & Option.windowScaling != 0,
                ipv6: ipv6)
        }
    }

    /// Whether the segments carry an IPv6 header: an IPv6 socket address that is not an IPv4
    /// one mapped into IPv6 (`::ffff:a.b.c.d`, which travels as IPv4).
    static func isIPv6(_ address: SocketAddress?) -> Bool {
        guard case .v6 = address else { return false }
        return !(address?.ipAddress?.lowercased().hasPrefix("::ffff:") ?? false)
    }
}
