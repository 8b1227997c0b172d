import BenchCore
import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The server's TLS: its identity, one swift-nio-ssl context for every connection, and the
/// handlers each accepted connection gets (``handlers(counting:)``).
///
/// The context offers `h2` and `http/1.1` by ALPN (RFC 7301), so an HTTP client picks its
/// version as browsers do, and gRPC clients get `h2`. Both ends speak exactly
/// ``TLSSettings/version``. With `SSLKEYLOGFILE` set in the environment, the session secrets are
/// appended to that file (NSS key log format), as browsers and curl do, so a capture of the run
/// can be decrypted by Wireshark or tshark.
public struct ServerTLS: Sendable, Hashable {
    public let settings: TLSSettings
    public let identity: TLSIdentity
    /// A connection whose handshake has not completed after this long is closed and counted.
    public let handshakeTimeout: TimeAmount
    private let context: NIOSSLContext

    public init(settings: TLSSettings, identity: TLSIdentity, handshakeTimeout: TimeAmount = .seconds(10)) throws(BenchError) {
        self.settings = settings
        self.identity = identity
        self.handshakeTimeout = handshakeTimeout
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: identity.certificateChain.map { .certificate($0) }, privateKey: .privateKey(identity.privateKey))
        configuration.apply(settings)
        configuration.applicationProtocols = ["h2", "http/1.1"]
        configuration.keyLogCallback = KeyLogFile.fromEnvironment?.callback
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw .usage("the TLS certificate and key could not be used (\(error))")
        }
    }

    /// `settings`'s identity, made or loaded, and the context.
    public init(_ settings: TLSSettings) throws(BenchError) {
        try self.init(settings: settings, identity: TLSIdentity.make(for: settings))
    }

    /// The handlers that make a connection TLS, in pipeline order, to go right behind the
    /// WireMeter: the record census (ciphertext), swift-nio-ssl's server handler, the write
    /// coalescer (one write, so one record, per flush), the plaintext meter. They count into `counter`.
    public func handlers(counting counter: TLSCounter) -> [any ChannelHandler] {
        let layer = TLSLayerState(counter: counter)
        return [
            TLSRecordCensus(layer: layer),
            NIOSSLServerHandler(context: context),
            TLSWriteCoalescer(),
            TLSPlaintextMeter(layer: layer, handshakeTimeout: handshakeTimeout),
        ]
    }

    /// What clients need to trust this server.
    public var clientTLS: ClientTLS {
        get throws(BenchError) { try ClientTLS(settings: settings, trusting: identity.certificatePEM) }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.settings == rhs.settings && lhs.identity.certificatePEM == rhs.identity.certificatePEM
            && lhs.handshakeTimeout == rhs.handshakeTimeout
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(settings)
        hasher.combine(identity.certificatePEM)
    }
}

/// What a client of a TLS run needs: the version to speak and the one certificate to trust.
///
/// swift-nio-ssl contexts are made once per set of ALPN protocols and shared by every
/// connection. Clients send `localhost` as SNI and verify the certificate against it.
public struct ClientTLS: Sendable {
    public let settings: TLSSettings
    /// The certificate clients trust, PEM.
    public let certificatePEM: String
    /// The name clients verify the certificate against (and send as SNI).
    public let serverHostname: String
    private let contexts: [[String]: NIOSSLContext]

    /// The ALPN offers clients make: HTTP/1.1 (polling, SSE, WebSocket's upgrade) or HTTP/2.
    public static let alpnOffers: [[String]] = [["http/1.1"], ["h2"]]

    public init(settings: TLSSettings, trusting certificatePEM: String, serverHostname: String = "localhost") throws(BenchError) {
        self.settings = settings
        self.certificatePEM = certificatePEM
        self.serverHostname = serverHostname
        var contexts: [[String]: NIOSSLContext] = [:]
        do {
            let trusted = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM.utf8))
            for offer in Self.alpnOffers {
                var configuration = TLSConfiguration.makeClientConfiguration()
                configuration.trustRoots = .certificates(trusted)
                configuration.apply(settings)
                configuration.applicationProtocols = offer
                configuration.keyLogCallback = KeyLogFile.fromEnvironment?.callback
                contexts[offer] = try NIOSSLContext(configuration: configuration)
            }
        } catch {
            throw .usage("the server's TLS certificate could not be trusted (\(error))")
        }
        self.contexts = contexts
    }

    /// The handlers that make a client connection TLS, offering `alpn` (one of ``alpnOffers``),
    /// to go first in its pipeline: swift-nio-ssl's client handler and a ``TLSWriteCoalescer``
    /// (one record per flush, as a browser seals a WebSocket message or a request).
    public func handlers(offering alpn: [String]) throws -> [any ChannelHandler] {
        guard let context = contexts[alpn] else { preconditionFailure("no TLS context offers \(alpn)") }
        return [try NIOSSLClientHandler(context: context, serverHostname: serverHostname), TLSWriteCoalescer()]
    }
}

extension TLSConfiguration {
    /// Speaks exactly `settings.version` and offers its key exchange.
    mutating func apply(_ settings: TLSSettings) {
        let version: TLSVersion = settings.version == .v1_2 ? .tlsv12 : .tlsv13
        minimumTLSVersion = version
        maximumTLSVersion = version
        switch settings.keyExchange {
        case .x25519mlkem768: curves = nil  // swift-nio-ssl's default: the hybrid first
        case .x25519: curves = [.x25519]
        case .p256: curves = [.secp256r1]
        }
    }
}

/// The file `SSLKEYLOGFILE` names: each session's secrets appended as one line (NSS key log
/// format), so a capture can be decrypted.
final class KeyLogFile: Sendable {
    private let handle: Mutex<FileHandle>

    private init?(path: String) {
        if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else { return nil }
        handle.seekToEndOfFile()
        self.handle = Mutex(handle)
    }

    /// The file `SSLKEYLOGFILE` names, opened once per process; `nil` when it is unset.
    static let fromEnvironment: KeyLogFile? = ProcessInfo.processInfo.environment["SSLKEYLOGFILE"].flatMap { KeyLogFile(path: $0) }

    var callback: NIOSSLKeyLogCallback {
        { [self] line in
            // The line comes with its newline.
            let bytes = Data(line.readableBytesView)
            handle.withLock { $0.write(bytes) }
        }
    }
}
