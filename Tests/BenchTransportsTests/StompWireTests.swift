import BenchCore
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// STOMP 1.2 over WebSocket against the server, byte for byte.
@Suite("STOMP on the wire")
struct StompWireTests {
    static let registry = TransportRegistry([StompTransport(), WebSocketTransport()])

    /// A masked text frame carrying `text` (RFC 6455 §5.2).
    static func send(_ text: String, _ socket: RawWebSocket) async throws {
        try await socket.send(RawWebSocket.clientFrame(0x81, Array(text.utf8)))
    }

    static let connect = "CONNECT\naccept-version:1.2\nhost:x\n\n\0"
    static let subscribe = "SUBSCRIBE\nid:0\ndestination:/topic/events\nx-resume-after:0\n\n\0"

    @Test("one MESSAGE frame is the bytes STOMP 1.2 and RFC 6455 give it; the upgrade agrees to v12.stomp", arguments: Encoding.allCases)
    func messageBytes(encoding: Encoding) async throws {
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            let published = try await RawWebSocket.session(
                port: server.port, path: "/stomp?encoding=\(encoding.rawValue)", extensions: nil, subprotocols: "v12.stomp"
            ) { socket in
                #expect(socket.head.contains("\r\nSec-WebSocket-Protocol: v12.stomp\r\n"))
                try await Self.send(Self.connect, socket)
                let connected = try #require(await socket.frame())
                #expect(String(decoding: connected.payload, as: UTF8.self) == "CONNECTED\nversion:1.2\nheart-beat:0,0\n\n\0")
                try await Self.send(Self.subscribe, socket)
                let stored = server.hub.publish(payload: "hello")
                let message = try #require(await socket.frame())
                let body = try #require(stored.body(encoding))
                let bodyBytes = body.readableBytes
                try #require((10...99).contains(bodyBytes))
                let contentType = encoding == .json ? "application/json" : "application/x-protobuf"
                let head =
                    "MESSAGE\nsubscription:0\nmessage-id:1\ndestination:/topic/events\ncontent-type:\(contentType)\ncontent-length:\(bodyBytes)\n\n"
                #expect(message.payload == Array(head.utf8) + Array(body.readableBytesView) + [0])
                // STOMP 1.2 framing: "MESSAGE\n" 8 + "subscription:0\n" 15 + "message-id:1\n" 13
                // + "destination:/topic/events\n" 26 + "content-type:…\n" (13 + 16 + 1 for JSON,
                // 13 + 22 + 1 for protobuf) + "content-length:NN\n" 18 + blank line 1 + NUL 1.
                let framing = 8 + 15 + 13 + 26 + (encoding == .json ? 30 : 36) + 18 + 1 + 1
                // RFC 6455 §5.2: the payload (framing + body) is over 125 bytes, so the unmasked server
                // frame has 2 header bytes and a 16-bit extended length; FIN + text (0x81) or binary (0x82).
                #expect(framing + bodyBytes > 125)
                #expect(message.bytes.count == 2 + 2 + framing + bodyBytes)
                #expect(message.first == (encoding == .json ? 0x81 : 0x82))
                return stored
            }
            #expect(published.event.sequence == 1)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            // Both ways: CONNECT ("CONNECT\n" 8 + "accept-version:1.2\n" 19 + "host:x\n" 7 + 2) 36,
            // CONNECTED ("CONNECTED\n" 10 + "version:1.2\n" 12 + "heart-beat:0,0\n" 15 + 2) 39,
            // SUBSCRIBE ("SUBSCRIBE\n" 10 + "id:0\n" 5 + 26 + "x-resume-after:0\n" 17 + 2) 60, and the MESSAGE's.
            let messageFraming = 8 + 15 + 13 + 26 + (encoding == .json ? 30 : 36) + 18 + 1 + 1
            #expect(server.traffic.totals(for: .stomp).layerFramingBytes == 36 + 39 + 60 + messageFraming)
        }
    }

    /// What each bad input earns: the ERROR frame's `message`.
    static let badFrames: [(name: String, frames: [String], message: String)] = [
        ("a frame before CONNECT", [subscribe], "expected CONNECT, got SUBSCRIBE"),
        ("a version the server does not speak", ["CONNECT\naccept-version:1.0,1.1\nhost:x\n\n\0"], "supported protocol versions are 1.2"),
        ("no NUL terminator", [connect, "SUBSCRIBE\nid:0\ndestination:/topic/events\n\n"], "frame not terminated by NUL"),
        ("an unknown command", [connect, "FROB\n\n\0"], "unknown command 'FROB'"),
        (
            "a header line over 1024 bytes", [connect, "SUBSCRIBE\nid:" + String(repeating: "7", count: 1100) + "\n\n\0"],
            "header line longer than 1024 bytes"
        ),
        ("too many headers", [connect, "SUBSCRIBE\n" + String(repeating: "x:y\n", count: 40) + "\n\0"], "more than 32 headers"),
    ]

    @Test("bad frames get an ERROR frame with a message header, then close 1002; other clients lose nothing", arguments: badFrames)
    func badInput(name: String, frames: [String], message: String) async throws {
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            let wellBehaved = RunningClient(StompClient(ack: .auto), server: server, clientIndex: 1)
            try await wellBehaved.waitUntilReady()
            try await RawWebSocket.session(port: server.port, path: "/stomp", extensions: nil) { socket in
                for (index, frame) in frames.enumerated() {
                    try await Self.send(frame, socket)
                    if index < frames.count - 1 { _ = await socket.frame() }  // CONNECTED
                }
                let error = try #require(await socket.frame(), "\(name): no ERROR frame")
                let text = String(decoding: error.payload, as: UTF8.self)
                let version = message.hasPrefix("supported") ? "version:1.2\n" : ""
                #expect(text == "ERROR\n\(version)message:\(message)\n\n\0", "\(name)")
                #expect(await socket.closeCode() == 1002, "\(name)")
                #expect(await socket.frame() == nil, "\(name): the connection ends")
            }
            for index in 1...50 { server.hub.publish(payload: "after-\(index)") }
            try await wellBehaved.waitUntilDelivered(50)
            server.hub.finish()
            let recorder = await wellBehaved.stop()
            expectEveryEventOnce(recorder, count: 50)
        }
    }

    @Test("DISCONNECT with a receipt gets its RECEIPT, then close 1000")
    func disconnect() async throws {
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            try await RawWebSocket.session(port: server.port, path: "/stomp", extensions: nil) { socket in
                try await Self.send(Self.connect, socket)
                _ = await socket.frame()
                try await Self.send("DISCONNECT\nreceipt:77\n\n\0", socket)
                let receipt = try #require(await socket.frame())
                #expect(String(decoding: receipt.payload, as: UTF8.self) == "RECEIPT\nreceipt-id:77\n\n\0")
                #expect(await socket.closeCode() == 1000)
            }
        }
    }

    @Test("heart-beats: the server sends max(its offer, the client's wish), an EOL in a 3-byte frame, counted as heartbeats")
    func heartbeats() async throws {
        var counts: [Int] = []
        // The client wants one every 40 ms; the server offers 40 ms, then 80 ms.
        for offer in [40, 80] {
            var configuration = ServerConfiguration.defaults
            configuration.offeredHeartbeat = .milliseconds(Int64(offer))
            var scenario = Scenario.defaults
            scenario.heartbeatIntervalSeconds = 0.04
            try await withLoopbackServer(configuration: configuration, routes: Self.registry.routes) { server in
                let client = RunningClient(StompClient(ack: .auto), server: server, scenario: scenario)
                try await Task.sleep(for: .milliseconds(820))
                server.hub.finish()
                let recorder = await client.stop()
                #expect(recorder.reconnects == 0)
                #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
                let totals = server.traffic.totals(for: .stomp)
                let beats = totals.heartbeats
                // Server → client: the 101; CONNECTED ("CONNECTED\n" 10 + "version:1.2\n" 12
                // + "heart-beat:NN,0\n" 16 + 2 = 40 bytes, in a 2-byte-header frame); 2 + 1 bytes per
                // heart-beat; close 1001 (2 + 2).
                #expect(totals.bytesOut == totals.handshakeBytesOut + 42 + 3 * beats + 4)
                // Client → server: CONNECT ("CONNECT\n" 8 + "accept-version:1.2\n" 19 + "host:127.0.0.1\n" 15
                // + "heart-beat:0,40\n" 16 + 2 = 60) and SUBSCRIBE (60) in masked frames (6 + 60 each), the
                // masked close reply (2 + 4 + 2). Nothing else: the client sends no heart-beats.
                #expect(totals.bytesIn == totals.handshakeBytesIn + 66 + 66 + 8)
                // Layer framing: CONNECT 60, CONNECTED 40, SUBSCRIBE 60 and one EOL per heart-beat.
                #expect(totals.layerFramingBytes == 60 + 40 + 60 + beats)
                counts.append(beats)
            }
        }
        // At most 20 and 10 heart-beats fit in 0.82 s (fewer on a loaded machine): the 80 ms
        // the server offered wins over the client's 40 ms, so it sends about half as many.
        #expect(counts[0] >= 8 && counts[0] <= 21)
        #expect(counts[1] >= 4 && counts[1] <= 11)
        #expect(Double(counts[0]) >= 1.4 * Double(counts[1]))
    }

    @Test("a dropped connection reconnects and subscribes again after the last sequence: nothing lost, nothing twice")
    func reconnectAndResume() async throws {
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            let recorder = try await RunningClient(StompClient(ack: .clientIndividual), server: server).deliverAcrossCuts(server, count: 300)
            #expect(recorder.connectionsOpened >= 4)
            #expect(recorder.connectionsOpened <= recorder.reconnects + 1)
        }
    }

    @Test(
        "ACK frames: one per message in client-individual mode, one per read in client mode, none in auto; counted upstream",
        arguments: StompAckMode.allCases)
    func acknowledgements(ack: StompAckMode) async throws {
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            let client = RunningClient(StompClient(ack: ack), server: server)
            try await client.waitUntilReady()
            for index in 1...9 { server.hub.publish(payload: "event-\(index)") }
            try await client.waitUntilDelivered(9)
            // Let the last read's ACK go out before the run ends.
            try await Task.sleep(for: .milliseconds(100))
            server.hub.finish()
            expectEveryEventOnce(await client.stop(), count: 9)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let totals = server.traffic.totals(for: .stomp)
            // Client → server besides ACKs: CONNECT (8 + 19 + "host:127.0.0.1\n" 15 + 2 = 44) and
            // SUBSCRIBE (10 + 5 + 26 + 17 + 2 = 60, plus "ack:MODE\n" in the client modes), each in a
            // masked frame (6 header bytes), and the masked close reply (8).
            let ackHeader = ack == .auto ? 0 : 4 + ack.rawValue.utf8.count + 1
            let ackBytes = totals.bytesIn - totals.handshakeBytesIn - (6 + 44) - (6 + 60 + ackHeader) - 8
            // One ACK: "ACK\n" 4 + "id:N\n" 5 (sequences 1-9) + 2 = 11 bytes in a masked frame of 17.
            #expect(ackBytes % 17 == 0)
            let acks = ackBytes / 17
            switch ack {
            case .auto: #expect(acks == 0)
            case .client: #expect((1...9).contains(acks))
            case .clientIndividual: #expect(acks == 9)
            }
            // Layer framing: CONNECT 44, CONNECTED ("CONNECTED\n" 10 + "version:1.2\n" 12 + "heart-beat:0,0\n" 15
            // + 2) 39, SUBSCRIBE, the ACKs, and per MESSAGE "MESSAGE\n" 8 + "subscription:0\n" 15 +
            // "message-id:N\n" 13 + "destination:/topic/events\n" 26 + "content-type:application/json\n" 30
            // + "content-length:B\n" (16 + B's digits) + 2, and "ack:N\n" 6 in the client modes.
            let bodies = server.hub.events(after: 0).events.map { $0.body(.json)!.readableBytes }
            let messages = bodies.reduce(0) { $0 + 8 + 15 + 13 + 26 + 30 + 16 + String($1).count + 2 + (ack == .auto ? 0 : 6) }
            #expect(totals.layerFramingBytes == 44 + 39 + 60 + ackHeader + 11 * acks + messages)
        }
    }

    @Test("mutated STOMP frames leave the server whole: no stray connection, every client served")
    func fuzz() async throws {
        let upgrade = RawWebSocket.upgradeRequest(path: "/stomp", extensions: nil)
        let seeds = [
            upgrade + RawWebSocket.clientFrame(0x81, Array(Self.connect.utf8)) + RawWebSocket.clientFrame(0x81, Array(Self.subscribe.utf8)),
            upgrade + RawWebSocket.clientFrame(0x81, Array((Self.connect + "\n" + Self.subscribe + "ACK\nid:1\n\n\0").utf8)),
            upgrade
                + RawWebSocket.clientFrame(
                    0x81, Array("STOMP\naccept-version:1.2\nhost:x\nheart-beat:0,10\n\n\0DISCONNECT\nreceipt:1\n\n\0".utf8)),
        ]
        try await withLoopbackServer(routes: Self.registry.routes) { server in
            for index in 1...20 { server.hub.publish(payload: "before-\(index)") }
            var generator = SeededGenerator(seed: 0x57_0A9)
            let deadline = ContinuousClock.now + .seconds(20)
            var sent = 0
            while sent < 1_000 && ContinuousClock.now < deadline {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        let bytes = FuzzTests.input(seeds, &generator)
                        group.addTask { try await FuzzTests.send(bytes, port: server.port) }
                    }
                    try await group.waitForAll()
                }
                sent += 8
            }
            #expect(sent >= 500, "only \(sent) inputs within the time bound")
            #expect(
                await server.traffic.waitUntilAllClosed(timeout: .seconds(10)),
                "\(server.traffic.openConnectionCount) connections left open")
            let client = RunningClient(StompClient(ack: .client), server: server)
            try await client.waitUntilReady()
            for index in 21...70 { server.hub.publish(payload: "after-\(index)") }
            try await client.waitUntilDelivered(70)
            server.hub.finish()
            expectEveryEventOnce(await client.stop(), count: 70)
        }
    }
}
