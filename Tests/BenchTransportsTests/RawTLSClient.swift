import NIOCore
import NIOPosix
import NIOSSL
import NIOTLS
import Synchronization

/// A TLS client made of swift-nio-ssl's handler alone, configured by the test (version, cipher
/// suites), with a tap below the handler: it writes one HTTP/1.1 request once the handshake
/// completes and reads until the server closes. The tap's bytes (what the socket carried) and
/// the plaintext read are the independent side of the TLS comparisons.
enum RawTLSClient {
    /// What one connection carried.
    struct Exchange: Sendable {
        /// Ciphertext the client wrote and read, as the socket carried it.
        var sent: [UInt8] = []
        var received: [UInt8] = []
        /// The plaintext the TLS handler handed up.
        var plaintext: [UInt8] = []
        var handshakeCompleted = false
        /// The error that ended the connection (a failed handshake), if any.
        var error: String?
    }

    /// Connects to `port`, handshakes with `configuration` (sending `localhost` as SNI), writes
    /// `request` and reads until the server closes, or until `timeout` passes (the connection is
    /// then closed).
    static func exchange(port: Int, configuration: TLSConfiguration, sending request: String, timeout: TimeAmount = .seconds(10))
        async throws -> Exchange
    {
        let context = try NIOSSLContext(configuration: configuration)
        let record = Recorded()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers([
                        CiphertextTap(record: record),
                        try NIOSSLClientHandler(context: context, serverHostname: "localhost"),
                        RequestWriter(record: record, request: ByteBuffer(string: request)),
                    ])
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        let timer = channel.eventLoop.scheduleTask(in: timeout) {
            channel.close(promise: nil)
        }
        try await channel.closeFuture.get()
        timer.cancel()
        return record.value
    }

    /// The exchange, filled on the event loop and read after the close.
    final class Recorded: Sendable {
        private let exchange = Mutex(Exchange())
        func update(_ body: (inout Exchange) -> Void) { exchange.withLock { body(&$0) } }
        var value: Exchange { exchange.withLock { $0 } }
    }

    /// Records the ciphertext both ways, below the TLS handler.
    final class CiphertextTap: ChannelDuplexHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        let record: Recorded

        init(record: Recorded) { self.record = record }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            record.update { $0.received += bytes.readableBytesView }
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            let bytes = unwrapOutboundIn(data)
            record.update { $0.sent += bytes.readableBytesView }
            context.write(data, promise: promise)
        }
    }

    /// Writes the request when the handshake completes; collects the plaintext; closes on an error.
    final class RequestWriter: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let record: Recorded
        let request: ByteBuffer

        init(record: Recorded, request: ByteBuffer) {
            (self.record, self.request) = (record, request)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .handshakeCompleted = event as? TLSUserEvent {
                record.update { $0.handshakeCompleted = true }
                context.writeAndFlush(wrapOutboundOut(request), promise: nil)
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = unwrapInboundIn(data)
            record.update { $0.plaintext += bytes.readableBytesView }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            record.update { if $0.error == nil { $0.error = "\(error)" } }
            context.close(promise: nil)
        }
    }
}

extension TLSConfiguration {
    /// A client configuration that trusts exactly `certificatePEM` and speaks exactly `version`.
    static func client(trusting certificatePEM: String, version: TLSVersion) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8)))
        configuration.minimumTLSVersion = version
        configuration.maximumTLSVersion = version
        configuration.applicationProtocols = ["http/1.1"]
        return configuration
    }
}

/// TLS records (RFC 8446 §5.1): content type, legacy version, length, then the fragment.
struct TLSRecords {
    struct Record: Equatable {
        var type: UInt8
        var version: UInt16
        var fragment: [UInt8]
    }

    /// The whole records in `bytes`, and whether they used all of it.
    static func parse(_ bytes: [UInt8]) -> (records: [Record], complete: Bool) {
        var records: [Record] = []
        var index = 0
        while index + 5 <= bytes.count {
            let length = Int(bytes[index + 3]) << 8 | Int(bytes[index + 4])
            guard index + 5 + length <= bytes.count else { break }
            records.append(
                Record(
                    type: bytes[index], version: UInt16(bytes[index + 1]) << 8 | UInt16(bytes[index + 2]),
                    fragment: Array(bytes[(index + 5)..<(index + 5 + length)])))
            index += 5 + length
        }
        return (records, index == bytes.count)
    }
}
