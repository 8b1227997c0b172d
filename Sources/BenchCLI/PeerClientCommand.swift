import ArgumentParser
import BenchCore
import BenchTransports
import Foundation

/// `bench peer-client`: the harness's WebSocket client against any WebSocket server, for the
/// peer comparison (`scripts/peers.sh`); prints one JSON line.
struct PeerClientCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer-client",
        abstract: "Drive any WebSocket server with the harness's client: echo round trips or a push count; prints one JSON line.",
        discussion: "echo: send a binary frame, wait for it to come back, repeat. push: count the data frames the server sends after the upgrade."
    )

    enum Mode: String, ExpressibleByArgument, CaseIterable { case echo, push }

    @Argument(help: "echo or push.")
    var mode: Mode

    @Argument(help: "The server's URL, ws://HOST:PORT/PATH.")
    var url: String

    @Option(name: .long, help: "Echo: timed round trips (after as many untimed). Push: messages to count.")
    var messages = 20_000

    @Option(name: .customLong("message-bytes"), help: "Echo: bytes per message.")
    var messageBytes = 64

    @Option(name: .long, help: "Echo: who sends the next frame — event-loop (a NIO handler, on the read of the echo) or task (a Swift task through NIOAsyncChannel, as bench run's clients).")
    var driver: WebSocketPingPong.Driver = .eventLoop

    func validate() throws {
        guard let parsed = URL(string: url), parsed.scheme == "ws", parsed.host != nil, parsed.port != nil else {
            throw ValidationError("the URL must read ws://HOST:PORT/PATH (got '\(url)')")
        }
        guard messages >= 1 else { throw ValidationError("--messages must be at least 1 (got \(messages))") }
    }

    func run() async throws {
        let parsed = URL(string: url)!
        let path = (parsed.path.isEmpty ? "/" : parsed.path) + (parsed.query.map { "?" + $0 } ?? "")
        var line: [String: Double] = [:]
        switch mode {
        case .echo:
            let (histogram, seconds) = try await WebSocketPingPong.measure(
                host: parsed.host!, port: parsed.port!, path: path, count: messages, warmup: messages, messageBytes: messageBytes, driver: driver)
            line = ["p50_us": Double(histogram.valueAtPercentile(50)) / 1e3, "p99_us": Double(histogram.valueAtPercentile(99)) / 1e3, "per_second": Double(messages) / seconds]
        case .push:
            let seconds = try await WebSocketPushCounter.measure(host: parsed.host!, port: parsed.port!, path: path, count: messages)
            line = ["per_second": Double(messages - 1) / seconds]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        print(String(decoding: try encoder.encode(line), as: UTF8.self))
    }
}

extension WebSocketPingPong.Driver: ExpressibleByArgument {}
