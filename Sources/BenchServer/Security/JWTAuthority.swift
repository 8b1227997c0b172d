import BenchCore
import Foundation
import JWTKit

/// A run's JWT key, on vapor/jwt-kit: issues the tokens its clients present and verifies the
/// tokens requests carry.
///
/// Signing goes through jwt-kit's `JWTKeyCollection` (once per run or client). Verification
/// runs on the calling thread, with the collection's own key (`getKey()`) and jwt-kit's parser
/// and claims: a request's check stays on its event loop or task with no hop to the
/// collection's actor, and its thread CPU time is exactly the verification's. A token passes
/// when it is a JWT (RFC 7519) whose header names the key's algorithm — so `alg: none` and a
/// token for another algorithm fail before any signature is looked at (RFC 8725 §3.1) — whose
/// signature the key verifies, and whose `exp` has not passed.
///
/// ```swift
/// let authority = try await JWTAuthority.generate(.es256)
/// let token = try await authority.issue(lifetimeSeconds: 3600)
/// authority.verify(token)            // nil: valid
/// authority.verify("abc")            // .invalidToken("not a JWT …")
/// ```
public final class JWTAuthority: Sendable, Hashable {
    /// The claims the bench's tokens carry: who (`sub`) and until when (`exp`).
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    public let algorithm: SecuritySettings.TokenAlgorithm
    private let keys: JWTKeyCollection
    private let key: any JWTAlgorithm
    private let parser = DefaultJWTParser()

    private init(algorithm: SecuritySettings.TokenAlgorithm, keys: JWTKeyCollection) async throws {
        self.algorithm = algorithm
        self.keys = keys
        self.key = try await keys.getKey()
    }

    /// A new random key: a 256-bit HS256 secret (RFC 7518 §3.2: at least the hash's size), or
    /// a P-256 key pair for ES256.
    public static func generate(_ algorithm: SecuritySettings.TokenAlgorithm) async throws -> JWTAuthority {
        switch algorithm {
        case .hs256:
            var generator = SystemRandomNumberGenerator()
            return try await hs256(secret: (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        case .es256:
            return try await JWTAuthority(algorithm: .es256, keys: await JWTKeyCollection().add(ecdsa: ES256PrivateKey()))
        }
    }

    /// HS256 with a secret of the caller's (`bench serve --jwt-secret`): any client that knows
    /// it can sign its own tokens.
    public static func hs256(secret: some DataProtocol) async throws -> JWTAuthority {
        try await JWTAuthority(algorithm: .hs256, keys: await JWTKeyCollection().add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256))
    }

    /// A token for `subject` that expires `lifetimeSeconds` after `now`, in whole seconds (a
    /// NumericDate, RFC 7519 §2; a negative lifetime gives an expired token, for tests).
    public func issue(subject: String = "bench-client", lifetimeSeconds: Double, now: Date = Date()) async throws -> String {
        let expiry = Date(timeIntervalSince1970: (now.timeIntervalSince1970 + lifetimeSeconds).rounded(.down))
        let claims = Claims(sub: SubjectClaim(value: subject), exp: ExpirationClaim(value: expiry))
        return try await keys.sign(claims, header: ["typ": "JWT"])
    }

    /// Checks `token` on the calling thread: `nil` when it is valid, else why not.
    public func verify(_ token: String, now: Date = Date()) -> HandshakeRefusal? {
        let bytes = Array(token.utf8)
        let parsed: (header: JWTHeader, payload: Claims, signature: Data)
        do {
            parsed = try parser.parse(bytes, as: Claims.self)
        } catch {
            return .invalidToken("not a JWT with sub and exp claims")
        }
        guard parsed.header.alg == key.name else {
            return .invalidToken("signed with \(parsed.header.alg ?? "no algorithm"), not \(key.name)")
        }
        // The signing input is the header and payload as sent, up to the last dot (RFC 7515 §5.2).
        guard let lastDot = bytes.lastIndex(of: UInt8(ascii: ".")),
            (try? key.verify(parsed.signature, signs: bytes[..<lastDot])) == true
        else {
            return .invalidToken("the signature does not verify with the server's key")
        }
        do { try parsed.payload.exp.verifyNotExpired(currentDate: now) } catch { return .invalidToken("expired") }
        return nil
    }

    public static func == (lhs: JWTAuthority, rhs: JWTAuthority) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
