import BenchCore
import BenchServer
import NIOHTTP1

/// The token `bench serve`'s control API asks for (`--control-token`): required when it binds
/// an address other than loopback (a random one is made and printed when none is given), and
/// presented by `bench run --target` as `Authorization: Bearer TOKEN`.
///
/// A request without it, or with another, is answered 401 (RFC 6750 §3.1) and starts nothing.
/// The comparison takes the same time wherever the tokens differ.
///
/// ```swift
/// let token = ControlToken.generate()
/// let routes = token.guarding(control.httpRoutes)
/// ```
public struct ControlToken: Sendable, Hashable {
    public let value: String

    public init(_ value: String) {
        self.value = value
    }

    /// 32 random bytes, hex: 64 characters.
    public static func generate() -> ControlToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return ControlToken(bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined())
    }

    /// `nil` when `authorization` (a request's `Authorization` fields) presents this token,
    /// else the refusal to answer with.
    func refusal(for authorization: [String]) -> HandshakeRefusal? {
        switch BearerCredential.find(authorization: authorization, accessToken: nil) {
        case .failure(let refusal): refusal
        case .success(let credential): Self.constantTimeEqual(Array(credential.token.utf8), Array(value.utf8)) ? nil : .invalidToken("not the control token")
        }
    }

    /// Whether `lhs` and `rhs` are equal, looking at every byte of the longer whatever differs.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: lhs.count ^ rhs.count) | (lhs.count == rhs.count ? 0 : 1)
        for index in 0..<Swift.max(lhs.count, rhs.count) {
            difference |= (index < lhs.count ? lhs[index] : 0) ^ (index < rhs.count ? rhs[index] : 0)
        }
        return difference == 0
    }

    /// `routes`, each answering only requests that present this token.
    public func guarding(_ routes: [any HTTPRoute]) -> [any HTTPRoute] {
        routes.map { Guarded(route: $0, token: self) }
    }

    /// One route behind the token.
    struct Guarded: HTTPRoute {
        let route: any HTTPRoute
        let token: ControlToken
        var transport: TransportKind? { route.transport }
        var path: String { route.path }

        func respond(to request: HTTPRequest, writer: HTTPResponseWriter, context: EndpointContext) async throws {
            if let refusal = token.refusal(for: request.head.headers["Authorization"]) {
                return try await writer.refuse(refusal, meter: context.meter)
            }
            try await route.respond(to: request, writer: writer, context: context)
        }
    }
}
