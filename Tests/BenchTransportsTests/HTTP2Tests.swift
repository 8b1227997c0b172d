import BenchCore
import Foundation
import NIOCore
import Testing

@testable import BenchServer
@testable import BenchTransports

/// HTTP/2 (cleartext, prior knowledge) on the loopback server, checked against nghttp2's h2load.
@Suite("HTTP/2 polling and SSE", .serialized)
struct HTTP2Tests {
    static var h2load: String? {
        ["/usr/bin/h2load", "/usr/local/bin/h2load"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test(
        "h2load's own byte counts of a polling run equal the census's: total, header blocks, HPACK savings, data; with each profile's heads",
        .enabled(if: h2load != nil), arguments: ["minimal", "browser", "browser-cookies"])
    func h2loadAgrees(profileName: String) async throws {
        let profile = try HeaderProfile.named(profileName)
        var configuration = ServerConfiguration.defaults
        configuration.headers = profile
        try await withLoopbackServer(configuration: configuration, routes: TransportRegistry.withoutGRPC.routes) { server in
            for index in 1...20 { server.hub.publish(payload: "event-\(index)") }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.h2load))
            // h2load sends the profile's request head too (it lowercases names, as HTTP/2 must).
            let headers = profile.request(.shortPoll).flatMap { ["-H", "\($0.name): \($0.value)"] }
            process.arguments = ["-n", "40", "-c", "1", "-m", "1"] + headers + ["http://127.0.0.1:\(server.port)/poll?after=0"]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(text.contains("40 succeeded"), "\(text)")
            // "traffic: 11.20KB (11469) total, 330B (330) headers (space savings 92.01%), 10.68KB (10940) data"
            let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("traffic:") })
            let numbers = line.matches(of: /\((\d+)\)/).map { Int($0.1)! }
            let savings = try #require(line.firstMatch(of: /space savings (-?[\d.]+)%/).map { Double($0.1)! })
            #expect(numbers.count == 3, "\(line)")
            _ = await server.traffic.waitUntilAllClosed(timeout: .seconds(5))
            let totals = server.traffic.totals(for: .shortPolling)
            let frames = try #require(totals.http2)
            #expect(totals.requests == 40)
            #expect(frames.streams == 40)
            // h2load counts what it read: the server's bytes out.
            #expect(numbers[0] == totals.bytesOut)
            #expect(numbers[1] == frames.headerBlocks.down)
            #expect(numbers[2] == frames.dataPayload.down)
            let ours = 1 - Double(frames.headerBlocks.down) / Double(frames.headerFields.down)
            #expect(abs(ours * 100 - savings) < 0.01, "h2load \(savings)% against \(ours * 100)%")
            #expect(frames.totalBytes == totals.bytesIn + totals.bytesOut)
        }
    }

    @Test("a second identical GET's HEADERS block is smaller than the first: HPACK's dynamic table")
    func secondRequestSmaller() async throws {
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let target = ClientTarget(host: server.host, port: server.port, clientIndex: 0, scenario: .defaults)
            try await HTTPClientConnection.withConnection(to: target, version: .http2) { connection in
                let request = connection.get("/poll?after=0")
                _ = try await connection.send(request)
                let first = try #require(server.traffic.totals(for: .shortPolling).http2)
                _ = try await connection.send(request)
                let second = try #require(server.traffic.totals(for: .shortPolling).http2)
                let firstBlock = first.headerBlocks.up
                let secondBlock = second.headerBlocks.up - first.headerBlocks.up
                #expect(second.headerFields.up - first.headerFields.up == first.headerFields.up, "the same header fields")
                #expect(secondBlock < firstBlock, "first \(firstBlock) B, second \(secondBlock) B")
                // Indexed fields cost one byte each (RFC 7541 §6.1) once in the dynamic table.
                #expect(secondBlock <= 8, "second block \(secondBlock) B")
            }
        }
    }

    @Test("polling, long polling and SSE over HTTP/2 deliver every event exactly once, one connection per client", arguments: [
        TransportKind.shortPolling, .longPolling, .serverSentEvents,
    ])
    func deliversOverHTTP2(kind: TransportKind) async throws {
        var scenario = Scenario.defaults
        scenario.httpVersion = .http2
        scenario.pollIntervalSeconds = 0.05
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let client = TransportRegistry.withoutGRPC.descriptor(for: kind)!.makeClient(for: scenario)
            let running = RunningClient(client, server: server, scenario: scenario)
            try await running.waitUntilReady()
            for index in 1...40 {
                server.hub.publish(payload: "event-\(index)")
                try await Task.sleep(for: .milliseconds(2))
            }
            try await running.waitUntilDelivered(40)
            server.hub.finish()
            let recorder = await running.stop()
            expectEveryEventOnce(recorder, count: 40)
            #expect(recorder.connectionsOpened == 1)
            let totals = server.traffic.totals(for: kind)
            #expect(totals.connections == 1)
            #expect(totals.http2 != nil, "the server saw HTTP/2")
        }
    }

    @Test("HTTP/2 garbage after the preface is answered with GOAWAY (PROTOCOL_ERROR); an HTTP/2 client beside it loses nothing")
    func garbageGetsGoAway() async throws {
        var scenario = Scenario.defaults
        scenario.httpVersion = .http2
        try await withLoopbackServer(routes: TransportRegistry.withoutGRPC.routes) { server in
            let wellBehaved = RunningClient(ServerSentEventsClient(), server: server, scenario: scenario)
            try await wellBehaved.waitUntilReady()
            // The preface, then a frame of unknown layout: a SETTINGS frame on stream 1, which
            // RFC 9113 §6.5 makes a connection error of type PROTOCOL_ERROR.
            let bad: [UInt8] = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8) + [0, 0, 0, 0x4, 0, 0, 0, 0, 1]
            let reply = try await RawTCPClient.conversation(port: server.port, steps: [(bad, nil)])
            // Frames from the server: SETTINGS, maybe its ACK, then GOAWAY (type 7) with error code 1.
            var offset = 0
            var goAwayCode: UInt32? = nil
            while offset + 9 <= reply.count {
                let length = Int(reply[offset]) << 16 | Int(reply[offset + 1]) << 8 | Int(reply[offset + 2])
                if reply[offset + 3] == 0x7, offset + 9 + 8 <= reply.count {
                    goAwayCode = reply[(offset + 13)..<(offset + 17)].reduce(0) { $0 << 8 | UInt32($1) }
                }
                offset += 9 + length
            }
            #expect(goAwayCode == 0x1, "GOAWAY with PROTOCOL_ERROR; got \(reply.map { String($0, radix: 16) })")
            let good = try await RawTCPClient.get("/poll", port: server.port)
            #expect(good.hasPrefix("HTTP/1.1 200 OK\r\n"))
            for index in 1...50 { server.hub.publish(payload: "after-\(index)") }
            try await wellBehaved.waitUntilDelivered(50)
            server.hub.finish()
            let recorder = await wellBehaved.stop()
            #expect(recorder.ledger.delivered == 50)
            #expect(recorder.reconnects == 0)
        }
    }
}
