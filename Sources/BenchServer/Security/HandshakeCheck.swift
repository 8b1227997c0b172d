import BenchCore
import NIOCore
import NIOHTTP1

extension ServerConfiguration {
    /// The handshake check every transport's HTTP route (short and long polling, SSE, on
    /// HTTP/1.1 and HTTP/2) and every WebSocket upgrade go through, before the endpoint sees the
    /// request: the `Origin` fields against ``security``'s allowed origins, then the bearer
    /// token (``checkToken(authorization:accessToken:counter:)``). `nil` lets the request on.
    ///
    /// Verifying a token is counted (its bytes and thread CPU time) in `meter`; a refusal is
    /// counted where it is answered (``HTTPResponseWriter/refuse(_:meter:)``).
    func handshakeRefusal(for head: HTTPRequestHead, query: [String: String], webSocket: Bool, meter: ConnectionMeter) -> HandshakeRefusal? {
        guard !security.isOpen else { return nil }
        if let refusal = security.checkOrigin(head.headers["Origin"], webSocket: webSocket) { return refusal }
        return checkToken(authorization: head.headers["Authorization"], accessToken: query[BearerCredential.queryName], counter: meter.security)
    }

    /// The token check, for HTTP requests and gRPC calls alike: `nil` when the policy needs no
    /// token or the request presents one valid token; the verification's cost goes into `counter`.
    public func checkToken(authorization: [String], accessToken: String?, counter: SecurityCounter) -> HandshakeRefusal? {
        guard security.requiresToken else { return nil }
        switch BearerCredential.find(authorization: authorization, accessToken: accessToken) {
        case .failure(let refusal):
            return refusal
        case .success(let credential):
            return counter.verify(credential) { token in
                tokenAuthority.map { $0.verify(token) } ?? .invalidToken("the server has no key")
            }
        }
    }
}

extension HTTPResponseWriter {
    /// Answers a refused request as the standards say (``HandshakeRefusal``: 400, 401 with its
    /// `WWW-Authenticate` challenge, or 403) and counts the refusal on the connection.
    public func refuse(_ refusal: HandshakeRefusal, meter: ConnectionMeter) async throws {
        meter.security.countRefused()
        var headers: HTTPHeaders = ["Content-Type": "text/plain; charset=utf-8"]
        if let challenge = refusal.challenge { headers.add(name: "WWW-Authenticate", value: challenge) }
        try await respond(status: HTTPResponseStatus(statusCode: refusal.statusCode), headers: headers, body: ByteBuffer(string: "\(refusal)\n"))
    }
}
