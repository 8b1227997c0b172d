import NIOCore
import Testing

@testable import BenchTransports

/// STOMP 1.2's frames, heart-beat negotiation and the server's session, without sockets.
@Suite("STOMP frames and session")
struct StompFrameTests {
    static func text(_ frame: StompFrame) -> String { String(buffer: frame.bytes) }

    @Test("a frame is its command line, header lines, a blank line, the body and a NUL; framing is all but the body")
    func encoding() {
        var buffer = ByteBuffer()
        let frame = StompFrame(.send, ["destination": "/a:b", "content-length": "2"], body: ByteBuffer(string: "hi"))
        let framing = frame.write(to: &buffer)
        // SEND frames escape `:` in values as `\c` (STOMP 1.2 §Value Encoding).
        #expect(String(buffer: buffer) == "SEND\ndestination:/a\\cb\ncontent-length:2\n\nhi\0")
        // "SEND\n" 5 + "destination:/a\cb\n" 18 + "content-length:2\n" 17 + "\n" 1 + "\0" 1.
        #expect(framing == 5 + 18 + 17 + 1 + 1)
        #expect(buffer.readableBytes == framing + 2)
        // CONNECT and CONNECTED escape nothing.
        #expect(Self.text(StompFrame(.connected, ["version": "1.2", "server": "a:b"])) == "CONNECTED\nversion:1.2\nserver:a:b\n\n\0")
    }

    @Test("what a WebSocket message carries: heart-beat EOLs around frames, CR LF lines, content-length bodies with NULs")
    func parsing() throws {
        let message = ByteBuffer(string: "\n\r\nSUBSCRIBE\r\nid:0\ndestination:/topic/events\n\n\0\nSEND\ncontent-length:3\n\na\0b\0")
        let items = try StompParser.parse(message)
        #expect(items.count == 5)
        #expect(items[0] == .heartbeat(bytes: 1))
        #expect(items[1] == .heartbeat(bytes: 2))
        // "SUBSCRIBE\r\n" 11 + "id:0\n" 5 + "destination:/topic/events\n" 26 + "\n" 1 + "\0" 1.
        #expect(items[2] == .frame(StompFrame(.subscribe, ["id": "0", "destination": "/topic/events"]), framingBytes: 11 + 5 + 26 + 1 + 1))
        #expect(items[3] == .heartbeat(bytes: 1))
        // "SEND\n" 5 + "content-length:3\n" 17 + "\n" 1 + "\0" 1; the body holds a NUL.
        #expect(
            items[4]
                == .frame(
                    StompFrame(.send, ["content-length": "3"], body: ByteBuffer(bytes: [0x61, 0, 0x62])), framingBytes: 5 + 17 + 1 + 1))
        // Escapes undone; the first of a repeated header counts.
        let escaped = try StompParser.parse(ByteBuffer(string: "SUBSCRIBE\nid:a\\cb\\\\\\n\nid:second\n\n\0"))
        guard case .frame(let frame, _) = escaped[0] else {
            Issue.record("no frame")
            return
        }
        #expect(frame["id"] == "a:b\\\n")
    }

    static let badInput: [(String, String)] = [
        ("SUBSCRIBE\nid:0\n\n", "frame not terminated by NUL"),
        ("SUBSCRIBE\nid:0", "frame not terminated by NUL"),
        ("FROB\n\n\0", "unknown command 'FROB'"),
        ("subscribe\n\n\0", "unknown command 'subscribe'"),
        ("SUBSCRIBE\nid:" + String(repeating: "a", count: 1022) + "\n\n\0", "header line longer than 1024 bytes"),
        ("SUBSCRIBE\nid:" + String(repeating: "a", count: 2000), "header line longer than 1024 bytes"),
        ("SUBSCRIBE\n" + String(repeating: "x:y\n", count: 33) + "\n\0", "more than 32 headers"),
        ("SUBSCRIBE\nnocolon\n\n\0", "header line without a colon"),
        ("SUBSCRIBE\nid:a\\tb\n\n\0", "undefined escape sequence in a header"),
        ("SEND\ncontent-length:5\n\nab\0", "frame ends before its content-length bytes and NUL"),
        ("SEND\ncontent-length:1\n\nab\0", "frame not terminated by NUL after its content-length bytes"),
        ("SEND\ncontent-length:-1\n\n\0", "content-length is not a number of bytes"),
    ]

    @Test("input STOMP 1.2 does not allow is named", arguments: badInput)
    func rejected(input: String, message: String) {
        #expect(throws: StompError(message)) { try StompParser.parse(ByteBuffer(string: input)) }
    }

    @Test("a header line of exactly the limit is accepted")
    func limitLine() throws {
        // "id:" 3 + 1021 = 1024 bytes; 32 headers are allowed.
        let line = "id:" + String(repeating: "a", count: 1021)
        #expect(try StompParser.parse(ByteBuffer(string: "SUBSCRIBE\n\(line)\n\n\0")).count == 1)
        #expect(try StompParser.parse(ByteBuffer(string: "SUBSCRIBE\n" + String(repeating: "x:y\n", count: 32) + "\n\0")).count == 1)
    }

    /// STOMP 1.2 §Heart-beating: the sender's x against the receiver's y; 0 on either side means none.
    static let heartbeats: [(sender: String, receiver: String, interval: Int)] = [
        ("0,0", "0,0", 0),
        ("10000,0", "0,5000", 10_000),  // max(10000, 5000)
        ("1000,0", "0,5000", 5_000),  // max(1000, 5000)
        ("0,0", "0,5000", 0),  // the sender cannot
        ("1000,0", "0,0", 0),  // the receiver does not want
        ("40,0", "0,40", 40),
        ("80,0", "0,40", 80),
    ]

    @Test("heart-beat intervals as STOMP 1.2 negotiates them", arguments: heartbeats)
    func heartbeatNegotiation(sender: String, receiver: String, interval: Int) throws {
        #expect(StompHeartbeat.interval(sender: try StompHeartbeat(sender), receiver: try StompHeartbeat(receiver)) == interval)
    }

    @Test("a missing heart-beat header is 0,0; a malformed one is an error")
    func heartbeatHeader() {
        #expect((try? StompHeartbeat(nil)) == StompHeartbeat(canSend: 0, wants: 0))
        for bad in ["1", "a,b", "1,-2", "1,2,3", ""] {
            #expect(throws: StompError("heart-beat must be two non-negative integers, x,y")) { try StompHeartbeat(bad) }
        }
    }

    @Test("the session: CONNECT, SUBSCRIBE with the resume header, receipts, ACK, UNSUBSCRIBE, DISCONNECT")
    func session() throws {
        var session = StompServerSession(heartbeatMilliseconds: 80)
        let connected = try session.receive(StompFrame(.connect, ["accept-version": "1.0,1.1,1.2", "host": "h", "heart-beat": "0,40"]))
        #expect(connected.frames == [StompFrame(.connected, ["version": "1.2", "heart-beat": "80,0"])])
        let subscribed = try session.receive(
            StompFrame(.subscribe, ["id": "s", "destination": "/topic/events", "ack": "client", "x-resume-after": "7", "receipt": "r1"]))
        #expect(subscribed.frames == [StompFrame(.receipt, ["receipt-id": "r1"])])
        // The server sends every max(80, 40) ms.
        #expect(subscribed.subscribe == StompServerSession.Subscription(id: "s", ack: .client, resumeAfter: 7, heartbeatMilliseconds: 80))
        #expect(try session.receive(StompFrame(.ack, ["id": "8"])) == StompServerSession.Reply())
        #expect(throws: StompError("one subscription per connection")) {
            try session.receive(StompFrame(.subscribe, ["id": "t", "destination": "/topic/events"]))
        }
        #expect(try session.receive(StompFrame(.unsubscribe, ["id": "s"])).unsubscribe)
        let disconnect = try session.receive(StompFrame(.disconnect, ["receipt": "bye"]))
        #expect(disconnect.frames == [StompFrame(.receipt, ["receipt-id": "bye"])])
        #expect(disconnect.disconnect)
    }

    @Test(
        "the session refuses what it does not speak",
        arguments: [
            ([StompFrame(.subscribe, ["id": "0", "destination": "/topic/events"])], "expected CONNECT, got SUBSCRIBE"),
            ([StompFrame(.connect, ["accept-version": "1.0,1.1", "host": "h"])], "supported protocol versions are 1.2"),
            ([StompFrame(.connect, ["host": "h"])], "supported protocol versions are 1.2"),
            ([StompFrame(.connect, ["accept-version": "1.2"])], "CONNECT needs the host header"),
            (
                [
                    StompFrame(.stomp, ["accept-version": "1.2", "host": "h"]),
                    StompFrame(.subscribe, ["id": "0", "destination": "/queue/x"]),
                ],
                "no destination /queue/x; subscribe to /topic/events"
            ),
            (
                [StompFrame(.connect, ["accept-version": "1.2", "host": "h"]), StompFrame(.subscribe, ["destination": "/topic/events"])],
                "SUBSCRIBE needs the id header"
            ),
            (
                [
                    StompFrame(.connect, ["accept-version": "1.2", "host": "h"]),
                    StompFrame(.subscribe, ["id": "0", "destination": "/topic/events", "ack": "sometimes"]),
                ],
                "ack must be auto, client or client-individual"
            ),
            (
                [StompFrame(.connect, ["accept-version": "1.2", "host": "h"]), StompFrame(.send, ["destination": "/topic/events"])],
                "SEND is not supported: this server only pushes"
            ),
            ([StompFrame(.connect, ["accept-version": "1.2", "host": "h"]), StompFrame(.ack, [:])], "ACK needs the id header"),
        ])
    func refusals(frames: [StompFrame], message: String) throws {
        var session = StompServerSession(heartbeatMilliseconds: 0)
        for frame in frames.dropLast() { _ = try session.receive(frame) }
        #expect(throws: StompError(message, headers: message.hasPrefix("supported") ? [StompFrame.Header("version", "1.2")] : [])) {
            try session.receive(frames.last!)
        }
    }
}
