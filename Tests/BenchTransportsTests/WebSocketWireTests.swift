import BenchCore
import NIOCore
import NIOPosix
import NIOWebSocket
import Testing

@testable import BenchServer
@testable import BenchTransports

@Suite("WebSocket on the wire")
struct WebSocketWireTests {
    static func target(_ server: LoopbackServer, scenario: Scenario = .defaults) -> ClientTarget {
        ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: scenario)
    }

    @Test("per-frame overhead equals RFC 6455 §5.2 in both directions", arguments: [0, 125, 126, 65_535, 65_536])
    func frameOverhead(payloadBytes: Int) async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let channel = try await WebSocketConnection.connect(to: Self.target(server), uri: "/ws?mode=echo&client=0")
            try await channel.executeThenClose { inbound, outbound in
                var frames = inbound.makeAsyncIterator()
                let before = server.traffic.allTotals
                let payload = ByteBuffer(repeating: UInt8(ascii: "a"), count: payloadBytes)
                try await outbound.write(WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(), data: payload))
                let echo = try #require(try await frames.next())
                #expect(echo.opcode == .binary)
                #expect(echo.data == payload)
                let after = server.traffic.allTotals
                // RFC 6455 §5.2: FIN/opcode byte and MASK/length byte; a 16-bit extended length
                // for 126...65,535 bytes, a 64-bit one above; a 4-byte masking key on client frames.
                let header = 2 + (payloadBytes >= 126 ? (payloadBytes <= 65_535 ? 2 : 8) : 0)
                #expect(after.bytesIn - before.bytesIn == payloadBytes + header + 4)
                #expect(after.bytesOut - before.bytesOut == payloadBytes + header)
            }
        }
    }

    @Test("both ping-pong drivers time every round trip, and fail when the server closes instead of echoing", arguments: WebSocketPingPong.Driver.allCases)
    func pingPong(driver: WebSocketPingPong.Driver) async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let (histogram, seconds) = try await WebSocketPingPong.measure(
                host: server.host, port: server.port, count: 200, warmup: 20, messageBytes: 100, driver: driver)
            #expect(histogram.count == 200)
            #expect(seconds > 0)
            // 220 frames of 100 bytes each way: 2 + 4 (mask) + 100 in, 2 + 100 out, after the handshake.
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .webSocket)
            #expect(totals.bytesIn - totals.handshakeBytesIn == 220 * 106 + 6 + 2)  // + the client's masked close 1000
            // + the server's close reply, unless the client had already closed TCP when it was written.
            #expect([220 * 102, 220 * 102 + 4].contains(totals.bytesOut - totals.handshakeBytesOut))
            // A push endpoint with nothing to send closes (1001) once the hub is finished.
            server.hub.finish()
            await #expect(throws: (any Error).self) {
                _ = try await WebSocketPingPong.measure(host: server.host, port: server.port, path: "/ws?mode=push", count: 10, warmup: 0, messageBytes: 10, driver: driver)
            }
        }
    }

    @Test("the upgrade's bytes are reported apart, and the accept key is RFC 6455's own example")
    func handshakeBytes() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            // RFC 6455 §1.3: key "dGhlIHNhbXBsZSBub25jZQ==" must be accepted with
            // "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=".
            let request = Array(
                ("GET /ws?mode=push HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").utf8)
            // A masked close frame with code 1000: FIN+close, MASK+length 2, key, masked code.
            let mask: [UInt8] = [1, 2, 3, 4]
            let close: [UInt8] = [0x88, 0x82] + mask + [0x03 ^ mask[0], 0xE8 ^ mask[1]]
            let response = try await RawTCPClient.conversation(
                port: server.port, steps: [(request, Array("\r\n\r\n".utf8)), (close, nil)])
            let text = String(decoding: response, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 101 Switching Protocols\r\n"))
            #expect(text.contains("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
            // The server's close reply: FIN+close, length 2, code 1000, unmasked.
            #expect(Array(response.suffix(4)) == [0x88, 0x02, 0x03, 0xE8])
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .webSocket)
            #expect(totals.handshakeBytesIn == request.count)
            #expect(totals.handshakeBytesOut == response.count - 4)
            #expect(totals.bytesIn == request.count + close.count)
            #expect(totals.bytesOut == response.count)
            #expect(totals.requests == 1)
        }
    }

    @Test("ping heartbeats and their pongs are exactly the overhead RFC 6455 gives them, and scale with the interval")
    func heartbeats() async throws {
        var counts: [Int] = []
        for interval in [0.04, 0.08] {
            var scenario = Scenario.defaults
            scenario.heartbeatIntervalSeconds = interval
            try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
                let client = RunningClient(WebSocketClient(direction: .push), server: server, scenario: scenario)
                try await Task.sleep(for: .milliseconds(820))
                server.hub.finish()
                let recorder = await client.stop()
                #expect(recorder.reconnects == 0)
                #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
                let totals = server.traffic.totals(for: .webSocket)
                let pings = totals.heartbeats
                // Server → client: the 101 response, an empty unmasked ping (2 bytes) per
                // heartbeat, and close 1001 (2 + 2 bytes). Client → server: the upgrade request,
                // a masked empty pong (2 + 4) per ping, and the masked close reply (2 + 4 + 2).
                #expect(totals.bytesOut == totals.handshakeBytesOut + 2 * pings + 4)
                #expect(totals.bytesIn == totals.handshakeBytesIn + 6 * pings + 8)
                counts.append(pings)
            }
        }
        // At most 20 and 10 heartbeats fit in 0.82 s (fewer on a loaded machine, where each
        // one waits for a thread): the shorter interval sends more, close to twice as many.
        #expect(counts[0] >= 8 && counts[0] <= 21)
        #expect(counts[1] >= 4 && counts[1] <= 11)
        #expect(Double(counts[0]) >= 1.4 * Double(counts[1]))
    }

    @Test("frames that arrive in the same read as the 101 response are not lost (a resuming client's backlog)")
    func framesBehindUpgrade() async throws {
        // A fake server that writes the 101 and two text frames in one write, as a server with
        // a backlog does when a client resumes. RFC 6455 §1.3's example key and accept value
        // let it answer without computing SHA-1.
        let events = [Event(sequence: 1, publishedAt: 5, payload: "a"), Event(sequence: 2, publishedAt: 6, payload: "b")]
        let reply: ByteBuffer = {
            var reply = ByteBuffer(string: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
            for event in events {
                let body = EventCodec(.json).encode(event)
                reply.writeBytes([0x81, UInt8(body.readableBytes)])  // FIN + text; unmasked, length < 126
                reply.writeImmutableBuffer(body)
            }
            return reply
        }()
        try await CannedReplyServer.with(reply: reply) { port in
            let target = ClientTarget(host: "127.0.0.1", port: port, clientIndex: 0, scenario: .defaults)
            let channel = try await WebSocketConnection.connect(to: target, uri: "/ws", requestKey: "dGhlIHNhbXBsZSBub25jZQ==")
            var received: [Event] = []
            try await channel.executeThenClose { inbound, _ in
                for try await frame in inbound {
                    received.append(try EventCodec(.json).decode(frame.unmaskedData))
                    if received.count == events.count { break }
                }
            }
            #expect(received == events)
        }
    }

    @Test("a dropped connection reconnects with backoff and resumes after the last sequence: nothing lost, nothing twice")
    func reconnectAndResume() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let recorder = try await RunningClient(WebSocketClient(direction: .push), server: server).deliverAcrossCuts(server, count: 300)
            // Every attempt after the first is a reconnect; an attempt whose handshake a cut
            // interrupted opens no connection (and its upgrade may or may not have reached the server).
            #expect(recorder.connectionsOpened >= 4)
            #expect(recorder.connectionsOpened <= recorder.reconnects + 1)
            let upgrades = server.traffic.totals(for: .webSocket).requests
            #expect(upgrades >= recorder.connectionsOpened && upgrades <= recorder.reconnects + 1)
        }
    }

    @Test("a client that stops reading does not stall the others; it falls behind and is sent a gap")
    func slowClient() async throws {
        var configuration = ServerConfiguration.defaults
        configuration.retainedEvents = 300
        let eventCount = 2_000
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            // The slow client upgrades and then does not read.
            let slow = try await WebSocketConnection.connect(to: Self.target(server), uri: "/ws?mode=push&after=0")
            let fast = (0..<3).map { RunningClient(WebSocketClient(direction: .push), server: server, clientIndex: $0) }
            for client in fast { try await client.waitUntilReady() }

            // 2,000 events of 16 KiB (32 MiB), one a millisecond: far more than the slow
            // client's socket buffers hold. Publishing never waits for any client.
            let payload = String(repeating: "p", count: 16 * 1024)
            for _ in 0..<eventCount {
                server.hub.publish(payload: payload)
                try await Task.sleep(for: .milliseconds(1))
            }
            let deadline = ContinuousClock.now + .seconds(60)
            while fast.contains(where: { $0.progress.delivered < eventCount }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            // The hub stays open (the slow client has yet to read); the fast clients are cancelled.
            for client in fast { client.task.cancel() }
            for client in fast {
                let recorder = await client.task.value
                expectEveryEventOnce(recorder, count: eventCount)
            }

            // The slow client reads at last: it has every event up to where it stalled, then a
            // gap notice for what left the window, then events again right after the gap.
            var announced: ClosedRange<UInt64>? = nil
            var highest: UInt64 = 0
            var firstAfterGap: UInt64? = nil
            try await slow.executeThenClose { inbound, _ in
                for try await frame in inbound {
                    if let gap = frame.announcedGap {
                        announced = gap
                        continue
                    }
                    guard frame.opcode == .text, let event = try? EventCodec(.json).decode(frame.unmaskedData) else { continue }
                    if announced != nil {
                        firstAfterGap = event.sequence
                        break
                    }
                    #expect(event.sequence == highest + 1)
                    highest = event.sequence
                }
            }
            let gap = try #require(announced)
            #expect(gap.lowerBound == highest + 1)
            #expect(firstAfterGap == gap.upperBound + 1)
            #expect(gap.upperBound >= UInt64(eventCount - configuration.retainedEvents))
        }
    }
}
