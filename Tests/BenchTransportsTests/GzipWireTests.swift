import BenchCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization
import Testing

@testable import BenchServer
@testable import BenchTransports

/// gzip on SSE streams and poll responses (`--compression on`), on the wire: what the server sends
/// to whom, what curl makes of it, and what our clients do with bodies that lie about their coding.
@Suite("gzip on HTTP responses", .serialized)
struct GzipWireTests {
    static var compressing: ServerConfiguration {
        var configuration = ServerConfiguration.defaults
        configuration.compression = .on
        return configuration
    }

    /// A response read off a raw socket: its head as text and its body's bytes.
    static func split(_ response: [UInt8]) throws -> (head: String, body: [UInt8]) {
        let marker = Array("\r\n\r\n".utf8)
        let end = try #require((0...(response.count - marker.count)).first { Array(response[$0..<($0 + marker.count)]) == marker })
        return (String(decoding: response[..<end], as: UTF8.self) + "\r\n", Array(response[(end + marker.count)...]))
    }

    @Test("a poll body of at least gzip_min_length goes gzip, with Content-Length the compressed size, and decodes to the batch", arguments: ["/poll", "/long-poll"])
    func pollBodyGzip(path: String) async throws {
        try await withLoopbackServer(configuration: Self.compressing, routes: TransportRegistry.withoutGRPC.routes) { server in
            let first = server.hub.publish(payload: "the deploy finished, shall we merge the branch now?").event
            let second = server.hub.publish(payload: "the deploy finished, shall we merge the branch now?").event
            let request = "GET \(path)?after=0&encoding=json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n"
            let response = try await RawTCPClient.exchange(port: server.port, sending: request)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let (head, body) = try Self.split(response)
            // The endpoint's fields: Content-Type, then the coding and Vary; Content-Length last.
            let fields = "Content-Type: application/json\r\nContent-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
            #expect(head.hasPrefix("HTTP/1.1 200 OK\r\n" + fields), "\(head)")
            #expect(head.contains("Content-Length: \(body.count)\r\n"))
            #expect(Array(body.prefix(3)) == [0x1F, 0x8B, 0x08])
            let payload = "the deploy finished, shall we merge the branch now?"
            let expected = #"[{"payload":"\#(payload)","publishedAt":\#(first.publishedAt),"sequence":1},"#
                + #"{"payload":"\#(payload)","publishedAt":\#(second.publishedAt),"sequence":2}]"#
            #expect(String(buffer: try Gzip.decompress(ByteBuffer(bytes: body), limit: 1 << 20)) == expected)
            // The repeated payload is a back-reference: the body is smaller than the batch.
            #expect(body.count < expected.utf8.count)

            let totals = server.traffic.totals(for: path == "/poll" ? .shortPolling : .longPolling)
            #expect(totals.bytesOut == response.count, "the WireMeter counts the compressed bytes sent")
            let tally = try #require(totals.compression)
            #expect(tally.plainBytes == expected.utf8.count)
            #expect(tally.compressedBytes == body.count)
            #expect(tally.messagesCompressed == 1 && tally.messagesSentPlain == 0)
        }
    }

    @Test("a poll answered plain: a body under gzip_min_length (counted as plain), gzip;q=0, no offer, or compression off", arguments: [
        ("Accept-Encoding: gzip\r\n", 0, true, 1), ("Accept-Encoding: gzip;q=0\r\n", 1, true, 0),
        ("Accept-Encoding: identity\r\n", 1, true, 0), ("", 1, true, 0), ("Accept-Encoding: gzip\r\n", 1, false, 0),
    ] as [(String, Int, Bool, Int)])
    func pollBodyPlain(acceptEncoding: String, events: Int, compression: Bool, countedPlain: Int) async throws {
        let configuration = compression ? Self.compressing : .defaults
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            for _ in 0..<events { server.hub.publish(payload: "the deploy finished, shall we merge the branch now?") }
            let text = try await RawTCPClient.get("/poll?after=0", port: server.port, headers: acceptEncoding)
            #expect(!text.lowercased().contains("content-encoding"))
            #expect(!text.contains("Vary"))
            #expect(text.hasSuffix(events == 0 ? "\r\n\r\n[]" : #""sequence":1}]"#))
            let tally = server.traffic.totals(for: .shortPolling).compression
            #expect((tally?.messagesSentPlain ?? 0) == countedPlain)
            #expect((tally?.messagesCompressed ?? 0) == 0)
        }
    }

    @Test("gzip_min_length is a minimum: a body of exactly that many bytes goes gzip, one byte fewer does not")
    func threshold() async throws {
        // `[]` is 2 bytes: the smallest body there is.
        for (minimum, compressed) in [(2, true), (3, false)] {
            var configuration = Self.compressing
            configuration.compression.gzipMinLength = minimum
            try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
                let text = try await RawTCPClient.get("/poll?after=0", port: server.port, headers: "Accept-Encoding: gzip\r\n")
                #expect(text.contains("Content-Encoding: gzip\r\n") == compressed, "gzip_min_length \(minimum)")
            }
        }
    }

    @Test("over HTTP/2 a poll offering gzip gets a gzip body our client decodes, and gzip;q=0 gets it plain")
    func pollOverHTTP2() async throws {
        try await withLoopbackServer(configuration: Self.compressing, routes: TransportRegistry.withoutGRPC.routes) { server in
            for index in 1...10 { server.hub.publish(payload: "AAPL 229.87 +0.42% vol 48213554 bid 229.85 ask 229.88; \(index)") }
            let target = ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: .defaults)
            try await HTTPClientConnection.withConnection(to: target, version: .http2) { connection in
                let counter = CompressionCounter()
                let offer = connection.get("/poll?after=0&encoding=json", fields: HTTPClientConnection.offeringGzip([], if: true))
                let (head, body) = try await connection.send(offer)
                #expect(head.headers["content-encoding"] == ["gzip"])
                #expect(head.headers["vary"] == ["Accept-Encoding"])
                #expect(head.headers["content-length"] == ["\(body.readableBytes)"])
                let plain = try ResponseDecoding(request: offer, response: head, counter: counter).decodeWhole(body)
                let events = try EventCodec(.json).decodeBatch(plain)
                #expect(events.map(\.sequence) == Array(1...10))
                #expect(counter.tally.inflatedInputBytes == body.readableBytes)
                #expect(counter.tally.inflatedOutputBytes == plain.readableBytes)

                let refuse = connection.get("/poll?after=0&encoding=json", fields: [HeaderProfile.Field("Accept-Encoding", "gzip;q=0")])
                let (plainHead, plainBody) = try await connection.send(refuse)
                #expect(plainHead.headers["content-encoding"].isEmpty)
                #expect(plainBody == plain)
            }
            let tally = try #require(server.traffic.totals(for: .shortPolling).compression)
            #expect(tally.messagesCompressed == 1)
            #expect(tally.plainBytes > tally.compressedBytes)
        }
    }

    @Test("a client with compression on offers gzip in exactly one field: Accept-Encoding: gzip (23 bytes a request), or the profile's own", arguments: [
        TransportKind.shortPolling, .serverSentEvents,
    ])
    func offerOnTheWire(kind: TransportKind) async throws {
        // `Accept-Encoding: gzip` and CRLF (RFC 9112 §5).
        let field = "Accept-Encoding: gzip\r\n".utf8.count
        #expect(field == 23)
        for profile in [HeaderProfile.minimal, .browser] {
            var perRequest: [Int] = []
            for compression in [CompressionSettings.off, .on] {
                var scenario = Scenario.defaults
                scenario.headers = profile
                scenario.compression = compression
                scenario.pollIntervalSeconds = 0.01
                let totals = try await RunningClient.idleTraffic(kind, scenario)
                #expect(totals.requests >= 1 && totals.bytesIn % totals.requests == 0)
                perRequest.append(totals.bytesIn / totals.requests)
            }
            // The browser profile already says `Accept-Encoding: gzip, deflate, br, zstd`.
            #expect(perRequest[1] - perRequest[0] == (profile == .browser ? 0 : field), "\(profile.name)")
        }
    }

    @Test("curl --compressed -N reads a gzip event stream event by event while the stream stays open", .enabled(if: Curl.path != nil), arguments: [
        "--http1.1", "--http2-prior-knowledge",
    ])
    func curlReadsEventsAsTheyCome(version: String) async throws {
        try await withLoopbackServer(configuration: Self.compressing, routes: TransportRegistry.withoutGRPC.routes) { server in
            let curl = try Curl(["-sN", "-i", "--compressed", version, "http://127.0.0.1:\(server.port)/sse?encoding=json"])
            defer { curl.stop() }
            // The head and the retry line: the stream's first flushed piece.
            try await curl.waitFor("retry: 1000\n\n")
            let head = curl.text.lowercased()
            #expect(head.contains("content-encoding: gzip\r\n"))
            #expect(head.contains("vary: accept-encoding\r\n"))
            for index in 1...3 {
                let event = server.hub.publish(payload: "event \(index)").event
                // Each event arrives on its own while the stream is open: no later write pushes it out.
                let data = #"{"payload":"event \#(index)","publishedAt":\#(event.publishedAt),"sequence":\#(index)}"#
                try await curl.waitFor("id: \(index)\ndata: \(data)\n\n")
                #expect(curl.isRunning)
            }
            server.hub.finish()
            // The trailer and the end: curl exits cleanly.
            #expect(try await curl.waitForExit() == 0)
            #expect(await server.traffic.waitUntilAllClosed(timeout: .seconds(5)))
            let tally = try #require(server.traffic.totals(for: .serverSentEvents).compression)
            // The retry line and three events, each compressed once; the trailer is no message.
            #expect(tally.messagesCompressed == 4)
        }
    }

    @Test("a body labelled gzip that is not, or a coding the client did not offer or cannot decode, is a connection error the client records and survives", arguments: [
        CannedCase.pollNotGzip, .pollNotOffered, .pollUndecodable, .pollTruncated, .streamNotGzip,
    ])
    func lyingServer(canned: CannedCase) async throws {
        let server = try await CannedHTTPServer.start(response: canned.response)
        defer { server.stop() }
        var scenario = Scenario.defaults
        scenario.compression = canned.clientCompression
        scenario.headers = canned.profile
        scenario.pollIntervalSeconds = 0.01
        let target = ClientTarget(host: "127.0.0.1", port: server.port, clientIndex: 0, scenario: scenario)
        let client: any TransportClient = canned.isStream ? ServerSentEventsClient() : ShortPollingClient(connectionMode: .keepAlive)
        let task = Task {
            var recorder = DeliveryRecorder()
            await client.run(target, recorder: &recorder)
            return recorder
        }
        // Two requests: the first failed, and the client came back.
        let deadline = ContinuousClock.now + .seconds(10)
        while server.requests < 2 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let recorder = await task.value
        #expect(server.requests >= 2)
        #expect(recorder.reconnects >= 1)
        #expect(recorder.ledger.delivered == 0)
        let error = try #require(recorder.connectionErrors.first)
        #expect(error.contains(canned.expectedError), "\(error)")
    }
}

/// A response no real server would send, for ``CannedHTTPServer``.
struct CannedCase: Sendable, CustomTestStringConvertible {
    var testDescription: String
    var response: [UInt8]
    var clientCompression = CompressionSettings.on
    var profile = HeaderProfile.minimal
    var isStream = false
    var expectedError: String

    static func poll(_ headers: String, body: [UInt8]) -> [UInt8] {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\(headers)Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static var gzipBatch: [UInt8] { Array((try! Gzip.compress(ByteBuffer(string: "[]"))).readableBytesView) }

    static let pollNotGzip = CannedCase(
        testDescription: "poll: plain JSON labelled gzip", response: poll("Content-Encoding: gzip\r\n", body: Array("[]".utf8)),
        expectedError: "does not decode: the data is not gzip")
    static let pollTruncated = CannedCase(
        testDescription: "poll: gzip without its trailer", response: poll("Content-Encoding: gzip\r\n", body: gzipBatch.dropLast(8)),
        expectedError: "ended before its trailer")
    static let pollNotOffered = CannedCase(
        testDescription: "poll: gzip to a client that did not offer it", response: poll("Content-Encoding: gzip\r\n", body: gzipBatch),
        clientCompression: .off, expectedError: "which the request did not offer")
    static let pollUndecodable = CannedCase(
        testDescription: "poll: br offered by the browser profile", response: poll("Content-Encoding: br\r\n", body: Array("[]".utf8)),
        clientCompression: .off, profile: .browser, expectedError: "which this client cannot decode")
    static let streamNotGzip = CannedCase(
        testDescription: "SSE: a plain event stream labelled gzip",
        response: Array(
            ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\nConnection: close\r\n\r\n"
                + "retry: 10\n\nid: 1\ndata: x\n\n").utf8),
        isStream: true, expectedError: "does not decode: the data is not gzip")
}

/// A TCP server with no HTTP code: answers every connection's first request head with the same
/// bytes and closes.
struct CannedHTTPServer {
    /// Requests answered so far, counted on the event loop.
    final class Counter: Sendable {
        private let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
        func increment() { value.add(1, ordering: .relaxed) }
    }

    let channel: any Channel
    let counter: Counter
    var port: Int { channel.localAddress!.port! }
    var requests: Int { counter.count }

    static func start(response: [UInt8]) async throws -> CannedHTTPServer {
        let counter = Counter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Answer(response: response, counter: counter))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return CannedHTTPServer(channel: channel, counter: counter)
    }

    func stop() { channel.close(promise: nil) }

    final class Answer: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let response: [UInt8]
        let counter: Counter
        private var received: [UInt8] = []

        init(response: [UInt8], counter: Counter) {
            self.response = response
            self.counter = counter
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += unwrapInboundIn(data).readableBytesView
            guard received.ends(with: Array("\r\n\r\n".utf8)) else { return }
            received = []
            counter.increment()
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: response))).whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// curl in a process of its own, its output read as it comes.
final class Curl {
    static var path: String? {
        ["/usr/bin/curl", "/usr/local/bin/curl"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// What curl printed so far, filled by the pipe's handler.
    final class Output: Sendable {
        private let bytes = Mutex<[UInt8]>([])
        func append(_ data: Data) { bytes.withLock { $0 += data } }
        var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
    }

    /// curl did not print what a test waited for in time (the test has recorded what it printed).
    struct TimedOut: Error {}

    private let process: Process
    private let output = Output()

    init(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.path))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        let output = output
        pipe.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData) }
        try process.run()
        self.process = process
    }

    /// What curl printed so far.
    var text: String { output.text }

    var isRunning: Bool { process.isRunning }

    /// Waits until curl has printed `expected`, failing after `timeout`.
    func waitFor(_ expected: String, timeout: Duration = .seconds(10), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let deadline = ContinuousClock.now + timeout
        while !text.contains(expected) {
            guard ContinuousClock.now < deadline else {
                Issue.record(
                    "curl did not print \(expected.debugDescription) within \(timeout); it printed \(text.debugDescription)",
                    sourceLocation: sourceLocation)
                throw TimedOut()
            }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Waits for curl to exit (at most `timeout`); returns its status, or -1 if it is still running.
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        return process.isRunning ? -1 : process.terminationStatus
    }

    func stop() {
        if process.isRunning { process.terminate() }
    }
}
