import BenchCore
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RedisEndpoint {
    /// Opens a TCP connection to this endpoint on `eventLoop`, with `initializer` setting up its
    /// pipeline, and turns a failure into one sentence naming the URL (``unreachable(_:)``).
    func connect(
        on eventLoop: any EventLoop, timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) async throws -> any Channel {
        do {
            return try await connectFuture(on: eventLoop, timeout: timeout, initializer: initializer).get()
        } catch {
            throw unreachable(error)
        }
    }

    /// The same as a future, for callers on the event loop; its error is NIO's own.
    func connectFuture(
        on eventLoop: any EventLoop, timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer(initializer)
            .connect(host: host, port: port)
    }

    /// `cannot reach Redis at redis://127.0.0.1:1: connection refused`: a usage error (the URL is
    /// the user's to fix), one sentence, with the cause in words rather than as a stack of errors.
    func unreachable(_ error: any Error) -> BenchError {
        BenchError.usage("cannot reach Redis at \(url): \(Self.reason(error))")
    }

    /// A short lower-case reason for a failed connection, e.g. `connection refused`.
    static func reason(_ error: any Error) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return reason(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host \(error.host)" }
            return "no address to connect to"
        case let error as IOError:
            let text = String(cString: strerror(error.errnoCode))
            return text.prefix(1).lowercased() + text.dropFirst()
        case ChannelError.connectTimeout(let amount):
            return "no answer within \(amount.nanoseconds / 1_000_000) ms"
        case ChannelError.ioOnClosedChannel, ChannelError.alreadyClosed, ChannelError.eof:
            return "the connection closed"
        default:
            return "\(error)"
        }
    }
}
