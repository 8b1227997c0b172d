import BenchCore
import NIOCore
import NIOEmbedded
import Testing

@testable import BenchServer

/// The emulator on NIO's embedded event loop, whose clock moves only when told to: every
/// delay is checked to the nanosecond, one side of its deadline and the other.
@Suite("LinkEmulator")
struct LinkEmulatorTests {
    static func channel(_ link: LinkConditions) throws -> (EmbeddedChannel, EmbeddedEventLoop) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        try channel.pipeline.syncOperations.addHandler(LinkEmulator(link: link, seed: 1))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, loop)
    }

    func read(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readInbound(as: ByteBuffer.self).map { String(buffer: $0) }
    }

    func written(_ channel: EmbeddedChannel) throws -> String? {
        try channel.readOutbound(as: IOData.self).map { data in
            guard case .byteBuffer(let buffer) = data else { return "file region" }
            return String(buffer: buffer)
        }
    }

    @Test("a client's first bytes wait for TCP's handshake (one round trip) plus the one-way delay; later ones the delay alone")
    func delayBothWays() throws {
        let (channel, loop) = try Self.channel(LinkConditions(delaySeconds: 0.025))
        // Sent at once on connect: due at 2d (SYN, SYN-ACK) + d = 75 ms.
        try channel.writeInbound(ByteBuffer(string: "GET /"))
        loop.advanceTime(by: .nanoseconds(75_000_000 - 1))
        #expect(try read(channel) == nil)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(try read(channel) == "GET /")

        // The answer leaves 25 ms after it is flushed; a write without a flush does not leave.
        channel.write(IOData.byteBuffer(ByteBuffer(string: "200")), promise: nil)
        loop.advanceTime(by: .milliseconds(100))
        #expect(try written(channel) == nil)
        let sent = channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: " OK")))
        loop.advanceTime(by: .nanoseconds(25_000_000 - 1))
        #expect(try written(channel) == nil)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(try written(channel) == "200")
        #expect(try written(channel) == " OK")
        try sent.wait()  // the write's promise completes when it reaches the socket

        // Later client bytes: the one-way delay only.
        try channel.writeInbound(ByteBuffer(string: "next"))
        loop.advanceTime(by: .nanoseconds(25_000_000 - 1))
        #expect(try read(channel) == nil)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(try read(channel) == "next")
        _ = try channel.finish()
    }

    @Test("bandwidth: a chunk takes bytes × 8 / rate to send, and the next one queues behind it")
    func bandwidth() throws {
        // 1,000 bytes at 80 kbit/s: 100 ms each; no delay.
        let (channel, loop) = try Self.channel(LinkConditions(downBitsPerSecond: 80_000))
        let chunk = String(repeating: "x", count: 1000)
        channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: chunk)), promise: nil)
        channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: chunk)), promise: nil)
        loop.advanceTime(by: .nanoseconds(100_000_000 - 1))
        #expect(try written(channel) == nil)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(try written(channel)?.count == 1000)
        loop.advanceTime(by: .nanoseconds(100_000_000 - 1))
        #expect(try written(channel) == nil)
        loop.advanceTime(by: .nanoseconds(1))
        #expect(try written(channel)?.count == 1000)
        _ = try channel.finish()
    }

    @Test("jitter moves chunks within ± its amount but never reorders them")
    func jitterKeepsOrder() throws {
        let (channel, loop) = try Self.channel(LinkConditions(delaySeconds: 0.020, jitterSeconds: 0.015))
        loop.advanceTime(by: .milliseconds(40))  // past the handshake
        for index in 0..<200 {
            try channel.writeInbound(ByteBuffer(string: "\(index),"))
            loop.advanceTime(by: .milliseconds(1))
        }
        // 5 ms after the last was sent nothing sent in the last 5 ms can be in (delay ≥ 20 − 15).
        var received = ""
        while let chunk = try read(channel) { received += chunk }
        let early = received.split(separator: ",").compactMap { Int($0) }
        #expect(early == Array(0..<early.count), "in order")
        #expect(early.count <= 196)
        // Everything is in 35 ms after the last was sent, still in order.
        loop.advanceTime(by: .milliseconds(35))
        while let chunk = try read(channel) { received += chunk }
        #expect(received.split(separator: ",").compactMap { Int($0) } == Array(0..<200))
        _ = try channel.finish()
    }

    @Test("a close waits for the writes before it; a client's close delivers what is on the way at once")
    func closes() throws {
        let (channel, loop) = try Self.channel(LinkConditions(delaySeconds: 0.010))
        channel.writeAndFlush(IOData.byteBuffer(ByteBuffer(string: "bye")), promise: nil)
        let closed = channel.close()
        loop.advanceTime(by: .milliseconds(5))
        #expect(channel.isActive, "closed before its last write left")
        loop.advanceTime(by: .milliseconds(5))
        #expect(try written(channel) == "bye")
        try closed.wait()
        #expect(!channel.isActive)

        let (other, _) = try Self.channel(LinkConditions(delaySeconds: 0.010))
        try other.writeInbound(ByteBuffer(string: "last words"))
        #expect(try read(other) == nil)
        other.pipeline.fireChannelInactive()
        #expect(try read(other) == "last words")
    }
}
