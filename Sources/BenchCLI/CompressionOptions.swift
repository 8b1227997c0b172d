import ArgumentParser
import BenchCore

/// `--compression` and its settings, and `--payload-content`, shared by `bench run`, `sweep`,
/// `serve`, `scale` and claim files' `run` lines.
struct CompressionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Each transport's standard compression: off, on (WebSocket permessage-deflate, gzip event streams and poll responses, gRPC message compression) or both (each row runs once without and once with).",
        valueName: "off|on|both"))
    var compression = CompressionChoice.off

    @Flag(name: .customLong("ws-no-context-takeover"), help: "WebSocket compression: a fresh LZ77 window for every message (server_ and client_no_context_takeover).")
    var wsNoContextTakeover = false

    @Option(name: .customLong("ws-max-window-bits"), help: "WebSocket compression: the LZ77 window, 8 to 15 bits.")
    var wsMaxWindowBits = CompressionSettings.on.webSocketMaxWindowBits

    @Option(name: .customLong("ws-compress-threshold"), help: "WebSocket compression: messages shorter than this many bytes go uncompressed (1024: Node's ws and OkHttp).")
    var wsCompressThreshold = CompressionSettings.on.webSocketThreshold

    @Option(name: .customLong("gzip-min-length"), help: "Polling compression: responses with a shorter body go uncompressed (20: nginx's gzip_min_length).")
    var gzipMinLength = CompressionSettings.on.gzipMinLength

    @Option(name: .customLong("grpc-compression"), help: "gRPC compression: gzip or deflate.")
    var grpcCompression = CompressionSettings.on.grpcAlgorithm

    @Option(name: .customLong("payload-content"), help: "What payloads look like: random (filler, barely compresses), chat, ticker or document (docs/compression.md).")
    var payloadContent = PayloadContent.random

    /// The settings for each of the `--compression` choices, in run order (off first).
    func settings() -> [CompressionSettings] {
        compression.enabled.map { enabled in
            CompressionSettings(
                enabled: enabled, webSocketContextTakeover: !wsNoContextTakeover, webSocketMaxWindowBits: wsMaxWindowBits,
                webSocketThreshold: wsCompressThreshold, gzipMinLength: gzipMinLength, grpcAlgorithm: grpcCompression)
        }
    }
}

/// `--compression`: off, on, or both.
enum CompressionChoice: String, CaseIterable, ExpressibleByArgument {
    case off, on, both

    var enabled: [Bool] {
        switch self {
        case .off: [false]
        case .on: [true]
        case .both: [false, true]
        }
    }
}

extension PayloadContent: ExpressibleByArgument {}
extension CompressionSettings.GRPCAlgorithm: ExpressibleByArgument {}
