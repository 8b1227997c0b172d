import BenchCore
import BenchEngine
import BenchMessages
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Testing

@testable import BenchGRPC
@testable import BenchServer
@testable import BenchTransports

/// gRPC's handshake check: a call without a valid `authorization: Bearer` token ends with
/// `UNAUTHENTICATED` before its handler runs, counted; a call with one is served.
@Suite("gRPC authentication", .serialized)
struct GRPCAuthenticationTests {
    /// One Poll call with `authorization` metadata (none when `nil`); its status code.
    static func poll(_ server: LoopbackServer, authorization: String?) async throws -> RPCError.Code? {
        let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: server.host, port: server.port(for: .grpc)), transportSecurity: .plaintext)
        return try await withGRPCClient(transport: transport) { client in
            var metadata = Metadata()
            if let authorization { metadata.addString(authorization, forKey: "authorization") }
            do {
                try await GRPCTests.poll(client, extra: metadata)
                return nil
            } catch let error as RPCError {
                return error.code
            }
        }
    }

    @Test("no token, Bearer abc, another key's and an expired token get UNAUTHENTICATED; the run's token is served", arguments: SecuritySettings.TokenAlgorithm.allCases)
    func unauthenticated(algorithm: SecuritySettings.TokenAlgorithm) async throws {
        let authority = try await JWTAuthority.generate(algorithm)
        var configuration = ServerConfiguration.defaults
        // Origins are not checked on gRPC (no browser makes h2c calls): a list changes nothing here.
        configuration.security = SecuritySettings(allowedOrigins: ["https://app.example"], authentication: .jwt, tokenAlgorithm: algorithm)
        configuration.tokenAuthority = authority
        try await withLoopbackServer(configuration: configuration, routes: GRPCTests.routes) { server in
            let other = try await JWTAuthority.generate(algorithm).issue(lifetimeSeconds: 600)
            let expired = try await authority.issue(lifetimeSeconds: -5)
            for bad in [nil, "Bearer abc", "Bearer \(other)", "Bearer \(expired)"] {
                #expect(try await Self.poll(server, authorization: bad) == .unauthenticated, "\(bad ?? "no authorization")")
            }
            let token = try await authority.issue(lifetimeSeconds: 600)
            #expect(try await Self.poll(server, authorization: "Bearer \(token)") == nil)
            let totals = server.traffic.totals(for: .grpc)
            #expect(totals.security?.refused == 4)
            // Every call but the first presented a token to verify.
            #expect(totals.security?.tokensChecked == 4)
            #expect(totals.requests == 5)
        }
    }

    @Test("runs through the runner: every call presents the run's token in metadata, none refused", arguments: [
        (GRPCTransportClient.Call.serverStreaming, SecuritySettings.TokenAlgorithm.hs256), (.unary, .es256),
    ])
    func authenticatedRun(call: GRPCTransportClient.Call, algorithm: SecuritySettings.TokenAlgorithm) async throws {
        var scenario = Scenario(name: "auth", clients: 3, eventsPerSecond: 50, payloadBytes: 64, encoding: .protobuf, durationSeconds: 0.6, pollIntervalSeconds: 0.1)
        scenario.security = SecuritySettings(authentication: .jwt, tokenAlgorithm: algorithm)
        let result = try await Runner(registry: TransportRegistry([GRPCTransport()])).run(scenario, transport: GRPCTransport(.init(pushCall: call)))
        #expect(result.isClean)
        #expect(result.refusedRequests == 0)
        #expect(result.tokensVerified == result.requests)
        // "authorization: Bearer " + the JWS compact form (36 + 1 + 52 + 1 + 43 or 86) + CRLF, per call.
        let token = 36 + 1 + 52 + 1 + (algorithm == .hs256 ? 43 : 86)
        #expect(result.authenticationBytes == result.requests * ("authorization: Bearer ".utf8.count + token + 2))
    }
}
