import BenchCore
import BenchServer
import GRPCCore

/// gRPC's handshake check: every call must carry `authorization: Bearer TOKEN` metadata that
/// the server's key verifies (the same token check as HTTP's,
/// ``ServerConfiguration/checkToken(authorization:accessToken:counter:)``); a call that does
/// not ends with `UNAUTHENTICATED` before its handler runs, counted as a request and a refusal
/// on its connection.
///
/// Installed only when the server's policy requires tokens. `Origin` is not checked: gRPC is not
/// a browser transport (a browser cannot make an h2c call) and its calls carry none.
struct BearerTokenInterceptor: ServerInterceptor {
    let configuration: ServerConfiguration
    let connections: ConnectionsByPeer

    func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        let meter = connections.meter(for: context)
        let authorization = Array(request.metadata[stringValues: "authorization"])
        guard let refusal = configuration.checkToken(authorization: authorization, accessToken: nil, counter: meter?.security ?? SecurityCounter()) else {
            return try await next(request, context)
        }
        meter?.countRequest()
        meter?.security.countRefused()
        return StreamingServerResponse(error: RPCError(code: .unauthenticated, message: refusal.description))
    }
}
