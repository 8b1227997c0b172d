import BenchCore
import NIOCore
import NIOPosix
import Testing

@testable import BenchServer

/// TCP_INFO as the server reads it: the kernel's bytes at their offsets, and real loopback
/// connections closed by either end.
@Suite("TCP_INFO reader")
struct TCPInfoReaderTests {
    @Test("reads state, options, retransmissions and segment counts at linux/tcp.h's offsets")
    func decodesKernelLayout() {
        // struct tcp_info: 8 one-byte fields (state at 0, options at 5), 24 four-byte fields
        // (tcpi_total_retrans the last, at 8 + 23 × 4 = 100), four 8-byte fields from 104, then
        // tcpi_segs_out at 104 + 32 = 136 and tcpi_segs_in at 140.
        var info = TCPInfoReader.KernelTCPInfo()
        info.bytes[0] = 8  // TCP_CLOSE_WAIT
        info.bytes[5] = 1 | 4  // timestamps and window scaling, no SACK
        info.bytes[100] = 2
        info.bytes[136] = 0x2C  // 300 = 0x012C, little-endian
        info.bytes[137] = 0x01
        info.bytes[140] = 7
        let snapshot = TCPInfoReader.decode(info, ipv6: false)
        #expect(
            snapshot
                == TCPInfoSnapshot(
                    state: .closeWait, segmentsIn: 7, segmentsOut: 300, retransmittedSegments: 2, timestamps: true,
                    selectiveAcknowledgments: false, windowScaling: true, ipv6: false))
    }

    @Test("an IPv4 address mapped into IPv6 travels as IPv4")
    func addressFamily() throws {
        #expect(!TCPInfoReader.isIPv6(try SocketAddress(ipAddress: "127.0.0.1", port: 1)))
        #expect(TCPInfoReader.isIPv6(try SocketAddress(ipAddress: "::1", port: 1)))
        #expect(!TCPInfoReader.isIPv6(try SocketAddress(ipAddress: "::ffff:127.0.0.1", port: 1)))
    }

    #if os(Linux)
        @Test(
            "a client that connects and closes: read at its FIN (close-wait), SYN + ACK + FIN counted, the last ACK added: 4 segments in, 216 header bytes"
        )
        func peerCloses() async throws {
            let tcp = try await Self.connection(serverCloses: false)
            #expect(tcp.connections == 1)
            #expect(tcp.segmentsIn == 4)
            #expect(tcp.headerBytesIn == 60 + 3 * 52)
            // The SYN-ACK, the server's FIN+ACK and the client's last ACK: read in close-wait.
            #expect(tcp.inferredSegments == 3)
            #expect((tcp.handshakeSegments, tcp.teardownSegments) == (3, 3))
        }

        @Test("a server that closes at once: read while established, 3 segments each way, 2 × (60 + 2 × 52) = 328 header bytes")
        func serverCloses() async throws {
            let tcp = try await Self.connection(serverCloses: true)
            #expect(tcp.connections == 1)
            // In: SYN, ACK (counted), the client's FIN+ACK. Out: SYN-ACK, FIN, the last ACK.
            #expect((tcp.segmentsIn, tcp.segmentsOut) == (3, 3))
            #expect(tcp.headerBytes == 328)
            #expect(tcp.inferredSegments == 4)
        }

        /// One loopback connection to a server that only meters (and closes on accept when asked);
        /// the client closes when it has connected, or when the server closed. Returns the server's
        /// estimate once the connection has closed.
        static func connection(serverCloses: Bool) async throws -> TCPTally {
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let traffic = TrafficRecorder()
            let server = try await ServerBootstrap(group: group)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        _ = try ConnectionMetering.install(
                            on: channel, traffic: traffic, configuration: .defaults, placement: .emptyPipeline, transport: .webSocket)
                        if serverCloses { try channel.pipeline.syncOperations.addHandler(CloseOnActive()) }
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let client = try await ClientBootstrap(group: group).connect(to: server.localAddress!).get()
            if serverCloses {
                try await client.closeFuture.get()
            } else {
                try await client.close()
            }
            let closed = await traffic.waitUntilAllClosed(timeout: .seconds(5))
            try await server.close()
            try await group.shutdownGracefully()
            try #require(closed)
            return try #require(traffic.totals(for: .webSocket).tcp)
        }

        /// Closes the connection as soon as it is active.
        final class CloseOnActive: ChannelInboundHandler, Sendable {
            typealias InboundIn = ByteBuffer
            func channelActive(context: ChannelHandlerContext) {
                context.close(promise: nil)
            }
        }
    #endif
}
