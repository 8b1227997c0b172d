import BenchCore
import Crypto
import CryptoExtras
import Foundation
import NIOSSL
import SwiftASN1
import Synchronization
import X509

/// The certificate and private key a TLS server presents: made at start-up with
/// swift-certificates and swift-crypto, or read from PEM files.
///
/// A generated certificate is self-signed for `localhost`, `127.0.0.1` and `::1`, valid for a
/// week, with extended key usage serverAuth and subject alternative names. It carries no key
/// usage extension: a self-signed certificate that has one must allow keyCertSign to verify as
/// its own issuer (BoringSSL and OpenSSL check this), and a server certificate should not. Clients trust exactly this certificate: bench's
/// own through swift-nio-ssl's trust roots, curl and Python with ``certificatePEM`` as their CA
/// file, Chromium through ``spkiSHA256Base64`` (`--ignore-certificate-errors-spki-list`).
public struct TLSIdentity: Sendable {
    /// The chain to present, leaf first.
    public let certificateChain: [NIOSSLCertificate]
    public let privateKey: NIOSSLPrivateKey
    /// The leaf certificate, PEM: what clients trust.
    public let certificatePEM: String
    /// The leaf's DER size: most of what a handshake's Certificate message carries.
    public let certificateDERBytes: Int
    /// SHA-256 of the leaf's SubjectPublicKeyInfo, base64: Chromium's pin format.
    public let spkiSHA256Base64: String
    /// `generated P-256`, or the certificate file's name.
    public let origin: String

    /// The identity `settings` asks for: the PEM files it names, or a generated certificate
    /// (one per key kind and process: an RSA key takes a while to make).
    public static func make(for settings: TLSSettings) throws(BenchError) -> TLSIdentity {
        let source: Source
        switch (settings.certificatePath, settings.privateKeyPath) {
        case (let certificate?, let key?): source = .files(certificate: certificate, key: key)
        case (let certificate?, nil): throw .usage("--cert \(certificate) needs --key, the PEM private key of that certificate")
        case (nil, let key?): throw .usage("--key \(key) needs --cert, the PEM certificate chain it belongs to")
        case (nil, nil): source = .generated(settings.key)
        }
        return try made.withLock { cache throws(BenchError) in
            if let identity = cache[source] { return identity }
            let identity: TLSIdentity
            switch source {
            case .files(let certificate, let key):
                identity = try load(certificatePath: certificate, privateKeyPath: key)
            case .generated(let kind):
                do {
                    identity = try generate(kind)
                } catch {
                    throw .runFailed("could not make a \(kind.displayName) certificate", cause: error)
                }
            }
            cache[source] = identity
            return identity
        }
    }

    /// Where an identity comes from: each is made or read once per process.
    private enum Source: Hashable {
        case generated(TLSSettings.KeyKind)
        case files(certificate: String, key: String)
    }

    private static let made = Mutex<[Source: TLSIdentity]>([:])

    /// A new self-signed certificate for `localhost`, `127.0.0.1` and `::1`.
    public static func generate(_ kind: TLSSettings.KeyKind, validFor seconds: TimeInterval = 7 * 86_400) throws -> TLSIdentity {
        let key: Certificate.PrivateKey
        let keyPEM: String
        let spki: Data
        switch kind {
        case .p256:
            let p256 = P256.Signing.PrivateKey()
            (key, keyPEM, spki) = (Certificate.PrivateKey(p256), p256.pemRepresentation, p256.publicKey.derRepresentation)
        case .rsa2048:
            let rsa = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            (key, keyPEM, spki) = (Certificate.PrivateKey(rsa), rsa.pemRepresentation, rsa.publicKey.derRepresentation)
        }
        let name = try DistinguishedName {
            OrganizationName("TransportBench")
            CommonName("localhost")
        }
        let now = Date()
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now - 3600,
            notValidAfter: now + seconds,
            issuer: name,
            subject: name,
            signatureAlgorithm: kind == .p256 ? .ecdsaWithSHA256 : .sha256WithRSAEncryption,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                try ExtendedKeyUsage([.serverAuth])
                SubjectKeyIdentifier(hash: key.publicKey)
                SubjectAlternativeNames([
                    .dnsName("localhost"),
                    .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                    .ipAddress(ASN1OctetString(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1]))),
                ])
            },
            issuerPrivateKey: key
        )
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        return TLSIdentity(
            certificateChain: [try NIOSSLCertificate(bytes: der, format: .der)],
            privateKey: try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem),
            certificatePEM: try certificate.serializeAsPEM().pemString + "\n",
            certificateDERBytes: der.count,
            spkiSHA256Base64: Data(SHA256.hash(data: spki)).base64EncodedString(),
            origin: "generated \(kind.displayName)"
        )
    }

    /// The chain and key in PEM files (`--cert`, `--key`).
    public static func load(certificatePath: String, privateKeyPath: String) throws(BenchError) -> TLSIdentity {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificatePath)
        } catch {
            throw .usage("--cert \(certificatePath) is not a readable PEM certificate file (\(error))")
        }
        guard let leaf = chain.first else { throw .usage("--cert \(certificatePath) holds no certificate") }
        let key: NIOSSLPrivateKey
        let keyPEM: String
        do {
            keyPEM = try String(contentsOfFile: privateKeyPath, encoding: .utf8)
            key = try NIOSSLPrivateKey(bytes: Array(keyPEM.utf8), format: .pem)
        } catch {
            throw .usage("--key \(privateKeyPath) is not a readable PEM private key (\(error))")
        }
        do {
            let der = try leaf.toDERBytes()
            let parsed = try Certificate(derEncoded: der)
            guard parsed.publicKey == (try Certificate.PrivateKey(pemEncoded: keyPEM).publicKey) else {
                throw BenchError.usage("--key \(privateKeyPath) is not the private key of the certificate in --cert \(certificatePath)")
            }
            let spki = try leaf.extractPublicKey().toSPKIBytes()
            return TLSIdentity(
                certificateChain: chain, privateKey: key,
                certificatePEM: try parsed.serializeAsPEM().pemString + "\n",
                certificateDERBytes: der.count,
                spkiSHA256Base64: Data(SHA256.hash(data: spki)).base64EncodedString(),
                origin: certificatePath.split(separator: "/").last.map(String.init) ?? certificatePath
            )
        } catch let error as BenchError {
            throw error
        } catch {
            throw .usage("--cert \(certificatePath) and --key \(privateKeyPath) do not make a certificate and its key (\(error))")
        }
    }
}
