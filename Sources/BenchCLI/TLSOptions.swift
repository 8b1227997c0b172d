import ArgumentParser
import BenchCore
import BenchTLS

/// `--tls` and its settings, shared by `bench run`, `sweep`, `serve`, `scale`, `baseline` and
/// claim files' `run` lines.
struct TLSOptions: ParsableArguments {
    @Flag(name: .long, help: "TLS on every connection: HTTPS for polling and SSE (HTTP/2 by ALPN), wss:// for WebSocket, gRPC over TLS (docs/tls.md).")
    var tls = false

    @Option(name: .customLong("tls-version"), help: ArgumentHelp("The TLS version both ends speak.", valueName: "1.2|1.3"))
    var tlsVersion = TLSSettings.on.version

    @Option(name: .customLong("tls-key"), help: ArgumentHelp("The key of the certificate made at start-up: p256 (ECDSA) or rsa2048.", valueName: "p256|rsa2048"))
    var tlsKey = TLSSettings.on.key

    @Option(name: .customLong("tls-key-exchange"), help: ArgumentHelp("The key exchange both ends offer: x25519mlkem768 (post-quantum hybrid, swift-nio-ssl's and Chrome's default), x25519 or p256.", valueName: "x25519mlkem768|x25519|p256"))
    var tlsKeyExchange = TLSSettings.on.keyExchange

    @Option(name: .customLong("tls-resumption"), help: ArgumentHelp("Clients that open new connections resume their TLS session. bench's own clients cannot (swift-nio-ssl keeps no client sessions): on is refused for them.", valueName: "on|off"))
    var tlsResumption = Switch.off

    @Option(name: .customLong("cert"), help: ArgumentHelp("A PEM certificate chain to present instead of a generated one (with --key).", valueName: "PATH"))
    var certificatePath: String?

    @Option(name: .customLong("key"), help: ArgumentHelp("The PEM private key of --cert.", valueName: "PATH"))
    var privateKeyPath: String?

    /// The settings these flags describe.
    func settings() throws(BenchError) -> TLSSettings {
        if !tls {
            let given = [
                ("--tls-version", tlsVersion != TLSSettings.on.version), ("--tls-key", tlsKey != TLSSettings.on.key),
                ("--tls-key-exchange", tlsKeyExchange != TLSSettings.on.keyExchange),
                ("--tls-resumption", tlsResumption == .on), ("--cert", certificatePath != nil), ("--key", privateKeyPath != nil),
            ].filter(\.1).map(\.0)
            if let first = given.first { throw .usage("\(first) needs --tls") }
            return .off
        }
        let settings = TLSSettings(
            enabled: true, version: tlsVersion, key: tlsKey, keyExchange: tlsKeyExchange, resumption: tlsResumption == .on,
            certificatePath: certificatePath, privateKeyPath: privateKeyPath)
        // A certificate and key that are missing, do not load, or do not belong together are
        // refused before anything runs (read once: the identity is kept for the runs).
        if certificatePath != nil || privateKeyPath != nil { _ = try TLSIdentity.make(for: settings) }
        return settings
    }
}

/// An option that reads `on` or `off`.
enum Switch: String, CaseIterable, ExpressibleByArgument {
    case on, off
}

extension TLSSettings.Version: ExpressibleByArgument {}
extension TLSSettings.KeyKind: ExpressibleByArgument {}
extension TLSSettings.KeyExchange: ExpressibleByArgument {}
