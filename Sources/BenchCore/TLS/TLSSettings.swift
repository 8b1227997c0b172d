/// What `--tls` gives each transport: HTTPS for polling and SSE (HTTP/1.1, or HTTP/2 chosen by
/// ALPN as browsers do), `wss://` for WebSocket and gRPC over TLS, on swift-nio-ssl at both ends.
///
/// The server presents a certificate made at start-up (``key``), or the PEM files a user gives
/// (``certificatePath``, ``privateKeyPath``); the run's clients trust exactly that certificate.
/// One value, so a scenario, a server configuration and a report row carry the same thing.
public struct TLSSettings: Codable, Sendable, Hashable {
    /// The key of the certificate made at start-up.
    public enum KeyKind: String, CaseIterable, Codable, Sendable, Hashable {
        /// ECDSA on P-256 signing with SHA-256: what most sites serve today.
        case p256
        /// RSA with a 2048-bit modulus, SHA-256 with PKCS #1 v1.5 in the certificate.
        case rsa2048
    }

    /// The protocol version both ends speak (minimum and maximum alike).
    public enum Version: String, CaseIterable, Codable, Sendable, Hashable {
        case v1_2 = "1.2"
        case v1_3 = "1.3"
    }

    /// The key exchange both ends offer (TLS's supported groups).
    public enum KeyExchange: String, CaseIterable, Codable, Sendable, Hashable {
        /// X25519 and ML-KEM-768 together (post-quantum hybrid), then X25519 and the NIST curves:
        /// what swift-nio-ssl (BoringSSL) and Chrome offer by default. TLS 1.3 only; TLS 1.2 falls
        /// back to X25519.
        case x25519mlkem768
        /// X25519 alone: what a server on OpenSSL 3.0 (Debian 12's nginx) negotiates.
        case x25519
        /// ECDHE on P-256 alone.
        case p256
    }

    /// Whether connections are TLS.
    public var enabled: Bool
    /// TLS 1.3 by default.
    public var version: Version
    /// The generated certificate's key; ignored when ``certificatePath`` is set.
    public var key: KeyKind
    /// The key exchange; `nil` in documents written before it was a setting (they ran the hybrid).
    public var keyExchangeGroup: KeyExchange?
    /// Clients that open new connections (per-request polling, reconnects) resume their previous
    /// session. bench's own clients cannot (swift-nio-ssl keeps no client sessions), so the
    /// registry refuses it for them; the server issues tickets either way (BoringSSL's default).
    public var resumption: Bool
    /// A PEM certificate chain to present instead of a generated one.
    public var certificatePath: String?
    /// The PEM private key of ``certificatePath``.
    public var privateKeyPath: String?

    /// The key exchange both ends offer.
    public var keyExchange: KeyExchange {
        get { keyExchangeGroup ?? .x25519mlkem768 }
        set { keyExchangeGroup = newValue }
    }

    public init(
        enabled: Bool = false, version: Version = .v1_3, key: KeyKind = .p256, keyExchange: KeyExchange = .x25519mlkem768,
        resumption: Bool = false, certificatePath: String? = nil, privateKeyPath: String? = nil
    ) {
        self.enabled = enabled
        self.version = version
        self.key = key
        self.keyExchangeGroup = keyExchange
        self.resumption = resumption
        self.certificatePath = certificatePath
        self.privateKeyPath = privateKeyPath
    }

    /// Cleartext: what every run did before TLS was a layer of its own.
    public static var off: TLSSettings { TLSSettings() }

    /// TLS 1.3 with a generated P-256 certificate.
    public static var on: TLSSettings { TLSSettings(enabled: true) }

    /// `off`, or the version and the certificate for reports: `TLS 1.3, P-256`,
    /// `TLS 1.2, RSA-2048, resumption`, `TLS 1.3, cert.pem`, and the key exchange when it is not
    /// the default: `TLS 1.3, P-256, X25519`.
    public var label: String {
        guard enabled else { return "off" }
        var parts = ["TLS \(version.rawValue)"]
        if let certificatePath {
            parts.append(certificatePath.split(separator: "/").last.map(String.init) ?? certificatePath)
        } else {
            parts.append(key.displayName)
        }
        if keyExchange != .x25519mlkem768 { parts.append(keyExchange.displayName) }
        if resumption { parts.append("resumption") }
        return parts.joined(separator: ", ")
    }
}

extension TLSSettings.KeyKind {
    /// `P-256`, `RSA-2048`.
    public var displayName: String {
        switch self {
        case .p256: "P-256"
        case .rsa2048: "RSA-2048"
        }
    }
}

extension TLSSettings.KeyExchange {
    /// `X25519MLKEM768`, `X25519`, `P-256`.
    public var displayName: String {
        switch self {
        case .x25519mlkem768: "X25519MLKEM768"
        case .x25519: "X25519"
        case .p256: "P-256"
        }
    }
}
