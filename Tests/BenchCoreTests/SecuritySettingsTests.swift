import Testing

@testable import BenchCore

/// The handshake policy's pure rules: which origins parse, which requests pass the `Origin`
/// check, where a bearer token is found, and what the bench's clients send.
@Suite("Security settings")
struct SecuritySettingsTests {
    @Test("serialized origins (RFC 6454 §6.2) are accepted, anything else refused", arguments: [
        ("https://app.example", true), ("http://127.0.0.1:8080", true), ("http://[::1]:9000", true),
        ("https://app.example/", false), ("https://App.example", false), ("app.example", false),
        ("https://app.example:0", false), ("https://app.example:65536", false), ("https://user@app.example", false),
        ("https://app.example/path", false), ("null", false),
    ])
    func origins(origin: String, valid: Bool) {
        let settings = SecuritySettings(allowedOrigins: [origin])
        #expect((try? settings.validate()) != nil || !valid)
        #expect((try? settings.validate()) == nil || valid)
    }

    static let policy = SecuritySettings(allowedOrigins: ["https://app.example", "http://127.0.0.1:8080"])

    @Test("Origin: listed passes; another is 403; none is refused only on a WebSocket upgrade; two are 400")
    func originCheck() {
        #expect(Self.policy.checkOrigin(["https://app.example"], webSocket: true) == nil)
        #expect(Self.policy.checkOrigin(["HTTPS://APP.example"], webSocket: false) == nil)
        #expect(Self.policy.checkOrigin(["https://evil.example"], webSocket: false) == .originNotAllowed("https://evil.example"))
        #expect(Self.policy.checkOrigin([], webSocket: false) == nil)
        #expect(Self.policy.checkOrigin([], webSocket: true) == .originMissing)
        #expect(Self.policy.checkOrigin(["https://app.example", "https://app.example"], webSocket: false) == .multipleOrigins)
        #expect(SecuritySettings.open.checkOrigin(["https://evil.example", "x"], webSocket: true) == nil)
        #expect(HandshakeRefusal.originNotAllowed("x").statusCode == 403)
        #expect(HandshakeRefusal.multipleOrigins.statusCode == 400)
    }

    @Test("a bearer token is found in Authorization or access_token; none, several or another scheme are refused as RFC 6750 says")
    func credentials() throws {
        let header = try BearerCredential.find(authorization: ["Bearer abc.def.ghi"], accessToken: nil).get()
        #expect(header == BearerCredential(token: "abc.def.ghi", placement: .header))
        // "Authorization: Bearer abc.def.ghi\r\n": 13 + 2 + 7 + 11 + 2.
        #expect(header.wireBytes == 35)
        let query = try BearerCredential.find(authorization: [], accessToken: "abc.def.ghi").get()
        // "access_token=abc.def.ghi" and its "&": 12 + 1 + 11 + 1.
        #expect(query.wireBytes == 25)
        #expect(try BearerCredential.find(authorization: ["bearer  xyz "], accessToken: nil).get().token == "xyz")
        #expect(BearerCredential.find(authorization: [], accessToken: nil) == .failure(.missingToken))
        #expect(BearerCredential.find(authorization: ["Basic dXNlcjpwYXNz"], accessToken: nil) == .failure(.missingToken))
        #expect(BearerCredential.find(authorization: ["Bearer a", "Bearer b"], accessToken: nil) == .failure(.multipleTokens))
        #expect(BearerCredential.find(authorization: ["Bearer a"], accessToken: "a") == .failure(.multipleTokens))
        #expect(HandshakeRefusal.missingToken.challenge == "Bearer")
        #expect(HandshakeRefusal.invalidToken("x").challenge == #"Bearer error="invalid_token""#)
        #expect(HandshakeRefusal.multipleTokens.challenge == #"Bearer error="invalid_request""#)
    }

    @Test("clients send the first allowed Origin (replacing the profile's, never twice, none on gRPC) and the token where their kind puts it")
    func clientFields() {
        var settings = Self.policy
        settings.authentication = .jwt
        let browser = HeaderProfile.browser
        let webSocket = settings.requestFields(browser.request(.webSocket), kind: .webSocket, token: "T")
        #expect(webSocket.filter { $0.name.lowercased() == "origin" } == [HeaderProfile.Field("Origin", "https://app.example")])
        #expect(webSocket.count == browser.request(.webSocket).count + 1)
        #expect(webSocket.last == HeaderProfile.Field("Authorization", "Bearer T"))
        let poll = settings.requestFields(HeaderProfile.minimal.request(.shortPoll), kind: .shortPoll, token: "T")
        #expect(poll.suffix(2) == [HeaderProfile.Field("Origin", "https://app.example"), HeaderProfile.Field("Authorization", "Bearer T")])
        let sse = settings.requestFields([], kind: .eventSource, token: "T")
        #expect(sse == [HeaderProfile.Field("Origin", "https://app.example")])
        #expect(SecuritySettings.tokenQuery(.eventSource, token: "T") == "&access_token=T")
        #expect(SecuritySettings.tokenQuery(.shortPoll, token: "T") == "")
        #expect(settings.requestFields([], kind: .grpc, token: "T") == [HeaderProfile.Field("authorization", "Bearer T")])
        #expect(SecuritySettings.open.requestFields([], kind: .shortPoll, token: nil) == [])
    }

    @Test("labels name what is checked")
    func labels() {
        #expect(SecuritySettings.open.label == "none")
        #expect(SecuritySettings(allowedOrigins: ["https://a.example"], authentication: .jwt, tokenAlgorithm: .es256).label == "jwt es256; origins https://a.example")
    }

    @Test("tallies add field by field; an empty one is nil")
    func tally() {
        let counter = SecurityCounter()
        #expect(counter.tally.nilIfEmpty == nil)
        counter.countRefused()
        let valid = counter.verify(BearerCredential(token: "abc", placement: .query)) { $0 == "abc" }
        #expect(valid)
        let sum = counter.tally + counter.tally
        #expect(sum.refused == 2)
        #expect(sum.tokensChecked == 2)
        #expect(sum.tokenBytes == 2 * (12 + 1 + 3 + 1))
    }
}
