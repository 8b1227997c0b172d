import BenchCore
import Foundation
import Testing

@testable import BenchServer

/// The run's JWT key on jwt-kit: tokens it issued pass; tokens that are not JWTs, that another
/// key signed, that name another algorithm (`none` included) or that expired do not.
@Suite("JWT authority")
struct JWTAuthorityTests {
    /// base64url without padding (RFC 4648 §5), as JWS uses it (RFC 7515 §2).
    static func base64URL(_ text: String) -> String {
        Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test("a token it issued verifies; its length is the JWS compact form's", arguments: SecuritySettings.TokenAlgorithm.allCases)
    func roundTrip(algorithm: SecuritySettings.TokenAlgorithm) async throws {
        let authority = try await JWTAuthority.generate(algorithm)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let token = try await authority.issue(lifetimeSeconds: 3600, now: now)
        #expect(authority.verify(token, now: now) == nil)
        // Header {"alg":"HS256","typ":"JWT"} (27 bytes in either key order), payload
        // {"exp":1800003600,"sub":"bench-client"} (39), signature 32 bytes (HMAC-SHA-256) or
        // 64 (ES256's R and S, RFC 7518 §3.4): base64url of n bytes is ⌈4n/3⌉ characters.
        let signature = algorithm == .hs256 ? 43 : 86
        #expect(token.count == 36 + 1 + 52 + 1 + signature)
        #expect(token.split(separator: ".").count == 3)
    }

    @Test("not a JWT, another key's, another algorithm's, alg none and expired tokens are invalid", arguments: SecuritySettings.TokenAlgorithm.allCases)
    func refusals(algorithm: SecuritySettings.TokenAlgorithm) async throws {
        let authority = try await JWTAuthority.generate(algorithm)
        let now = Date()
        #expect(authority.verify("abc", now: now) == .invalidToken("not a JWT with sub and exp claims"))
        let other = try await JWTAuthority.generate(algorithm).issue(lifetimeSeconds: 3600, now: now)
        #expect(authority.verify(other, now: now) == .invalidToken("the signature does not verify with the server's key"))
        let otherAlgorithm = try await JWTAuthority.generate(algorithm == .hs256 ? .es256 : .hs256).issue(lifetimeSeconds: 3600, now: now)
        #expect(authority.verify(otherAlgorithm, now: now) != nil)
        let expired = try await authority.issue(lifetimeSeconds: -1, now: now)
        #expect(authority.verify(expired, now: now) == .invalidToken("expired"))
        // RFC 7519 §6.1's unsecured JWT: alg none and an empty signature.
        let payload = Self.base64URL(#"{"exp":\#(Int(now.timeIntervalSince1970) + 3600),"sub":"bench-client"}"#)
        let unsecured = Self.base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + "."
        #expect(authority.verify(unsecured, now: now) == .invalidToken("signed with none, not \(algorithm.rawValue.uppercased())"))
        // A valid token with its payload swapped for another's: the signature no longer covers it.
        let valid = try await authority.issue(lifetimeSeconds: 3600, now: now)
        let parts = valid.split(separator: ".")
        let tampered = "\(parts[0]).\(Self.base64URL(#"{"exp":\#(Int(now.timeIntervalSince1970) + 7200),"sub":"bench-client"}"#)).\(parts[2])"
        #expect(authority.verify(tampered, now: now) == .invalidToken("the signature does not verify with the server's key"))
    }

    @Test("an HS256 secret of the caller's verifies tokens signed with it, and no others")
    func sharedSecret() async throws {
        let secret = Array("0123456789abcdef0123456789abcdef".utf8)
        let server = try await JWTAuthority.hs256(secret: secret)
        let client = try await JWTAuthority.hs256(secret: secret)
        #expect(server.verify(try await client.issue(lifetimeSeconds: 60)) == nil)
        let stranger = try await JWTAuthority.hs256(secret: Array("another secret of thirty-two b!!".utf8))
        #expect(server.verify(try await stranger.issue(lifetimeSeconds: 60)) != nil)
    }
}
