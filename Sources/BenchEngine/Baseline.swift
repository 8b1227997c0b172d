#if canImport(Glibc)
import Glibc
private let streamSocket = Int32(SOCK_STREAM.rawValue)
private let (systemListen, systemConnect, systemAccept, systemClose) = (Glibc.listen, Glibc.connect, Glibc.accept, Glibc.close)
#elseif canImport(Darwin)
import Darwin
private let streamSocket = SOCK_STREAM
private let (systemListen, systemConnect, systemAccept, systemClose) = (Darwin.listen, Darwin.connect, Darwin.accept, Darwin.close)
#endif
import BenchCore
import BenchServer
import BenchTLS
import BenchTransports
import Foundation
import NIOCore
import NIOPosix

/// The floor this machine allows for a round trip, and how close the harness comes to it.
///
/// Four echo round trips on loopback, each a client sending a message and waiting for it to
/// come back before sending the next, timed on the monotonic clock, interleaved in rounds:
/// 1. **raw TCP**: blocking POSIX sockets, a client thread and a server thread — the floor;
/// 2. **NIO TCP echo**: the same client against a SwiftNIO server that writes back what it
///    reads (NIO's share of the cost);
/// 3. **harness WebSocket echo**: the harness's WebSocket client (NIO, masked frames) against
///    the loopback server's echo endpoint, the client driven from its event loop — the row held
///    to issue 9's target;
/// 4. **the same, async client**: the same connection driven by a Swift task through
///    `NIOAsyncChannel`, as `bench run`'s echo and upload clients are — what the hops between the event loop and
///    the task pool add;
/// 5. with `tls` enabled, **harness WebSocket echo over TLS (wss)**: the third row's client and
///    server with swift-nio-ssl at both ends, so each message is encrypted and decrypted on both
///    sides — what TLS adds to a round trip on this machine.
public enum Baseline {
    /// Runs the measurements interleaved — `rounds` rounds, each timing a share of the round
    /// trips of every path in turn — so that a machine that slows down or speeds up during the
    /// run (a VM's neighbours) weighs on all of them alike; then relates each p50 to the floor's.
    /// `progress` hears of each timing as it begins: its number (from 1), how many there are, and
    /// which round and path it is.
    public static func run(
        roundTrips: Int, warmup: Int, messageBytes: Int, rounds: Int = 10, tls: TLSSettings = .off,
        progress: (_ step: Int, _ steps: Int, _ label: String) -> Void = { _, _, _ in }
    ) async throws -> [BaselineRow] {
        // One certificate and context for every round: making them is not what a round trip costs.
        let serverTLS = tls.enabled ? try ServerTLS(tls) : nil
        var paths: [(name: String, detail: String, measure: @Sendable (Int, Int) async throws -> (LatencyHistogram, Double))] = [
            ("raw TCP (the floor)", "blocking POSIX sockets, TCP_NODELAY, a client thread and a server thread",
             { try await rawTCP(roundTrips: $0, warmup: $1, messageBytes: messageBytes) }),
            ("NIO TCP echo", "the same client; a SwiftNIO server writing back what it reads",
             { try await nioEcho(roundTrips: $0, warmup: $1, messageBytes: messageBytes) }),
            ("harness WebSocket echo", "the harness's WebSocket client (masked binary frames), driven from its event loop, and the loopback server's echo endpoint",
             { try await webSocketEcho(roundTrips: $0, warmup: $1, messageBytes: messageBytes, driver: .eventLoop) }),
            ("harness WebSocket echo, async client", "the same connection driven by a Swift task through NIOAsyncChannel, as `bench run`'s echo and upload clients are",
             { try await webSocketEcho(roundTrips: $0, warmup: $1, messageBytes: messageBytes, driver: .task) }),
        ]
        if let serverTLS {
            paths.append(
                (Self.webSocketOverTLS, "the event-loop client and the echo endpoint over \(tls.label), swift-nio-ssl at both ends: each message encrypted and decrypted on both sides",
                 { try await webSocketEcho(roundTrips: $0, warmup: $1, messageBytes: messageBytes, driver: .eventLoop, tls: serverTLS) }))
        }
        var histograms = paths.map { _ in LatencyHistogram() }
        var seconds = paths.map { _ in 0.0 }
        let rounds = max(1, min(rounds, roundTrips))
        for round in 0..<rounds {
            // Each round's share; the first rounds take the remainder.
            let share = roundTrips / rounds + (round < roundTrips % rounds ? 1 : 0)
            for (index, path) in paths.enumerated() {
                progress(round * paths.count + index + 1, rounds * paths.count, "round \(round + 1) of \(rounds): \(path.name)")
                let (histogram, elapsed) = try await path.measure(share, max(1, warmup / rounds))
                histograms[index].merge(histogram)
                seconds[index] += elapsed
            }
        }
        var rows = paths.indices.map { BaselineRow(name: paths[$0].name, detail: paths[$0].detail, messageBytes: messageBytes, histogram: histograms[$0], seconds: seconds[$0]) }
        if serverTLS != nil { rows[rows.count - 1].tls = tls.label }
        let floor = Double(max(rows[0].p50Nanoseconds, 1))
        for index in rows.indices { rows[index].p50RatioToFloor = Double(rows[index].p50Nanoseconds) / floor }
        rows[2].heldToTarget = true
        return rows
    }

    /// The name of the row over TLS.
    public static let webSocketOverTLS = "harness WebSocket echo over TLS (wss)"

    /// Round trips to the loopback server's WebSocket echo endpoint, over `tls` when it is given.
    static func webSocketEcho(
        roundTrips: Int, warmup: Int, messageBytes: Int, driver: WebSocketPingPong.Driver, tls: ServerTLS? = nil
    ) async throws -> (LatencyHistogram, Double) {
        var configuration = ServerConfiguration.defaults
        configuration.tls = tls
        return try await withLoopbackServer(configuration: configuration, routes: TransportRegistry([WebSocketTransport()]).routes) { server in
            try await WebSocketPingPong.measure(
                host: server.host, port: server.port, count: roundTrips, warmup: warmup, messageBytes: messageBytes, driver: driver,
                tls: try tls?.clientTLS)
        }
    }

    /// Blocking round trips from a client thread to a POSIX echo server thread.
    static func rawTCP(roundTrips: Int, warmup: Int, messageBytes: Int) async throws -> (LatencyHistogram, Double) {
        let listener = try Socket.listen()
        let server = Thread {
            guard let connection = try? listener.accept() else { return }
            var buffer = [UInt8](repeating: 0, count: messageBytes)
            while (try? connection.readExactly(&buffer)) == true, (try? connection.writeAll(buffer)) != nil {}
            connection.close()
        }
        server.start()
        defer { listener.close() }
        return try await blockingClient(port: listener.port, roundTrips: roundTrips, warmup: warmup, messageBytes: messageBytes)
    }

    /// The same blocking client against a NIO server that echoes what it reads.
    static func nioEcho(roundTrips: Int, warmup: Int, messageBytes: Int) async throws -> (LatencyHistogram, Double) {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { $0.pipeline.addHandler(EchoHandler()) }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { channel.close(promise: nil) }
        return try await blockingClient(port: channel.localAddress!.port!, roundTrips: roundTrips, warmup: warmup, messageBytes: messageBytes)
    }

    /// Writes back every read as it comes.
    final class EchoHandler: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.writeAndFlush(data, promise: nil)
        }
    }

    /// Round trips on a thread of their own (off Swift's cooperative pool, as a plain C client would be).
    static func blockingClient(port: Int, roundTrips: Int, warmup: Int, messageBytes: Int) async throws -> (LatencyHistogram, Double) {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let connection = try Socket.connect(port: port)
                    defer { connection.close() }
                    var histogram = LatencyHistogram()
                    let message = [UInt8](repeating: 0x42, count: messageBytes)
                    var reply = [UInt8](repeating: 0, count: messageBytes)
                    var start = MonotonicClock.nowNanoseconds()
                    for index in 0..<(warmup + roundTrips) {
                        if index == warmup { start = MonotonicClock.nowNanoseconds() }
                        let sent = MonotonicClock.nowNanoseconds()
                        try connection.writeAll(message)
                        guard try connection.readExactly(&reply) else { throw BenchError.runFailed("the echo server closed the connection") }
                        if index >= warmup { histogram.record(nanoseconds: MonotonicClock.nowNanoseconds() - sent) }
                    }
                    continuation.resume(returning: (histogram, Double(MonotonicClock.nowNanoseconds() - start) / 1e9))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.start()
        }
    }
}

/// A blocking loopback TCP socket: just what the floor needs.
struct Socket: @unchecked Sendable {
    let descriptor: Int32
    var port = 0

    static func fail(_ what: String) -> BenchError { .runFailed("\(what) failed: \(String(cString: strerror(errno)))") }

    /// 127.0.0.1:`port`.
    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    static func listen() throws -> Socket {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw fail("socket") }
        var address = loopback(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && systemListen(fd, 1) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw fail("bind") }
        return Socket(descriptor: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    static func connect(port: Int) throws -> Socket {
        let fd = socket(AF_INET, streamSocket, 0)
        guard fd >= 0 else { throw fail("socket") }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { systemConnect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { throw fail("connect") }
        let socket = Socket(descriptor: fd)
        socket.noDelay()
        return socket
    }

    func accept() throws -> Socket {
        let fd = systemAccept(descriptor, nil, nil)
        guard fd >= 0 else { throw Self.fail("accept") }
        let socket = Socket(descriptor: fd)
        socket.noDelay()
        return socket
    }

    func noDelay() {
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + offset, bytes.count - offset) }
            guard written > 0 else { throw Self.fail("write") }
            offset += written
        }
    }

    /// Fills `buffer`; false when the peer closed first.
    func readExactly(_ buffer: inout [UInt8]) throws -> Bool {
        var offset = 0
        let count = buffer.count
        while offset < count {
            let got = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + offset, count - offset) }
            if got == 0 { return false }
            guard got > 0 else { throw Self.fail("read") }
            offset += got
        }
        return true
    }

    func close() { _ = systemClose(descriptor) }
}
