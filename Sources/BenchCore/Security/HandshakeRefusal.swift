/// Why the server refused a request before serving it, and the answer the standards give.
///
/// Every HTTP route of a transport and every WebSocket upgrade get the same answers (a refused
/// upgrade is answered with this status instead of `101`); gRPC maps them to `UNAUTHENTICATED`.
public enum HandshakeRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// An `Origin` the policy does not list: 403 (RFC 6455 §4.2.2 for upgrades).
    case originNotAllowed(String)
    /// A WebSocket upgrade without `Origin` while origins are checked: 403.
    case originMissing
    /// More than one `Origin` field: 400 (RFC 6454 §7.3: the field holds one origin).
    case multipleOrigins
    /// No bearer token: 401 with a bare `Bearer` challenge (RFC 6750 §3.1: no error code when
    /// the request carried no credential).
    case missingToken
    /// A token that is not a JWT, is signed by another key or with another algorithm, or has
    /// expired: 401, `error="invalid_token"` (RFC 6750 §3.1).
    case invalidToken(String)
    /// More than one credential (two `Authorization` fields, or a header and `access_token`):
    /// 400, `error="invalid_request"` (RFC 6750 §2, §3.1).
    case multipleTokens

    /// The HTTP status code.
    public var statusCode: Int {
        switch self {
        case .originNotAllowed, .originMissing: 403
        case .multipleOrigins, .multipleTokens: 400
        case .missingToken, .invalidToken: 401
        }
    }

    /// The `WWW-Authenticate` value a 401 (and a bearer 400) carries (RFC 6750 §3); `nil` for
    /// origin refusals.
    public var challenge: String? {
        switch self {
        case .missingToken: "Bearer"
        case .invalidToken: "Bearer error=\"invalid_token\""
        case .multipleTokens: "Bearer error=\"invalid_request\""
        case .originNotAllowed, .originMissing, .multipleOrigins: nil
        }
    }

    /// One sentence for the response body and logs.
    public var description: String {
        switch self {
        case .originNotAllowed(let origin): "origin \(origin) is not allowed"
        case .originMissing: "a WebSocket upgrade must name its Origin"
        case .multipleOrigins: "a request carries one Origin field, not several"
        case .missingToken: "a bearer token is required"
        case .invalidToken(let reason): "the bearer token is not valid: \(reason)"
        case .multipleTokens: "a request presents one bearer token, not several"
        }
    }
}

extension SecuritySettings {
    /// The `Origin` check: `values` are the request's `Origin` fields; `webSocket` whether it
    /// is an upgrade (which must name one). `nil` when the request may go on.
    public func checkOrigin(_ values: [String], webSocket: Bool) -> HandshakeRefusal? {
        guard !allowedOrigins.isEmpty else { return nil }
        switch values.count {
        case 0: return webSocket ? .originMissing : nil
        case 1:
            // Scheme and host compare case-insensitively (RFC 6454 §4); the allowed list is lower case.
            let origin = String(values[0][...].trimmingWhitespace())
            return allowedOrigins.contains(origin.lowercased()) ? nil : .originNotAllowed(origin)
        default: return .multipleOrigins
        }
    }
}

/// A bearer token as a request presented it, and the bytes it took there.
public struct BearerCredential: Sendable, Hashable {
    /// Where a client puts its token.
    public enum Placement: Sendable, Hashable {
        /// `Authorization: Bearer TOKEN` (RFC 6750 §2.1).
        case header
        /// `access_token=TOKEN` in the query (RFC 6750 §2.3): what `EventSource` and a
        /// browser's `WebSocket` can do, since neither sets headers.
        case query
    }

    /// The query parameter's name (RFC 6750 §2.3).
    public static let queryName = "access_token"

    public var token: String
    public var placement: Placement

    public init(token: String, placement: Placement) {
        self.token = token
        self.placement = placement
    }

    /// What the credential adds to a request: the field line `Authorization: Bearer TOKEN` and
    /// its CRLF (RFC 9112 §5, as ``HeaderProfile/Field/wireBytes`` counts header fields; over
    /// HTTP/2 HPACK sends at most this), or `access_token=TOKEN` and its `&` or `?`.
    public var wireBytes: Int {
        switch placement {
        case .header: HeaderProfile.Field("Authorization", "Bearer " + token).wireBytes
        case .query: Self.queryName.utf8.count + 1 + token.utf8.count + 1
        }
    }

    /// Where the bench's clients put the token for `kind`: in the query for `EventSource`, as a
    /// browser must; in `Authorization` for polls, WebSocket upgrades (a non-browser client)
    /// and gRPC metadata.
    public static func placement(for kind: HeaderProfile.Kind) -> Placement {
        kind == .eventSource ? .query : .header
    }

    /// The credential a request presents: its `Authorization` fields and its `access_token`
    /// query value. Fails with the refusal RFC 6750 gives for none, several, or another scheme
    /// (treated as none: §3.1).
    public static func find(authorization: [String], accessToken: String?) -> Result<BearerCredential, HandshakeRefusal> {
        if authorization.count + (accessToken == nil ? 0 : 1) > 1 { return .failure(.multipleTokens) }
        if let accessToken { return .success(BearerCredential(token: accessToken, placement: .query)) }
        guard let field = authorization.first else { return .failure(.missingToken) }
        // The scheme is case-insensitive (RFC 9110 §11.1); one space, then the token68.
        let value = field[...].trimmingWhitespace()
        guard value.count > 7, value.prefix(7).lowercased() == "bearer " else { return .failure(.missingToken) }
        return .success(BearerCredential(token: String(value.dropFirst(7).trimmingWhitespace()), placement: .header))
    }
}

extension SecuritySettings {
    /// A client's request head for `kind`: the header profile's `fields`, with `Origin` set to
    /// ``clientOrigin`` (the profile's own `Origin` replaced in place, never sent twice; none on
    /// gRPC) and `Authorization: Bearer token` when the token travels in a header.
    public func requestFields(_ fields: [HeaderProfile.Field], kind: HeaderProfile.Kind, token: String?) -> [HeaderProfile.Field] {
        var fields = fields
        if let origin = clientOrigin, kind != .grpc {
            if let index = fields.firstIndex(where: { $0.name.lowercased() == "origin" }) {
                fields[index].value = origin
            } else {
                fields.append(HeaderProfile.Field("Origin", origin))
            }
        }
        if let token, BearerCredential.placement(for: kind) == .header {
            fields.append(HeaderProfile.Field(kind == .grpc ? "authorization" : "Authorization", "Bearer " + token))
        }
        return fields
    }

    /// What a client appends to its query for `kind`: `&access_token=TOKEN` when the token
    /// travels there (JWTs are base64url: nothing to escape), else nothing.
    public static func tokenQuery(_ kind: HeaderProfile.Kind, token: String?) -> String {
        guard let token, BearerCredential.placement(for: kind) == .query else { return "" }
        return "&\(BearerCredential.queryName)=\(token)"
    }
}
