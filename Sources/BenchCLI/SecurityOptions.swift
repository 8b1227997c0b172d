import ArgumentParser
import BenchCore

/// `--allowed-origin`, `--auth` and `--jwt-alg`: the handshake checks, shared by `bench run`,
/// `sweep`, `serve`, `scale` and claim files' `run` lines (docs/security.md).
struct SecurityOptions: ParsableArguments {
    @Option(name: .customLong("allowed-origin"), help: ArgumentHelp(
        "An origin the server accepts (repeat for several); polls, SSE requests and WebSocket upgrades naming another get 403, and the bench's clients send the first. None checked when absent.",
        valueName: "scheme://host[:port]"))
    var allowedOrigins: [String] = []

    @Option(name: .long, help: ArgumentHelp(
        "none, or jwt: every poll, SSE request, WebSocket upgrade and gRPC call must present a JWT signed with the run's key (401 or UNAUTHENTICATED otherwise).",
        valueName: "none|jwt"))
    var auth = SecuritySettings.Authentication.none

    @Option(name: .customLong("jwt-alg"), help: ArgumentHelp("With --auth jwt: the run's key, hs256 (a random 256-bit secret) or es256 (a P-256 key pair).", valueName: "hs256|es256"))
    var jwtAlgorithm = SecuritySettings.TokenAlgorithm.hs256

    /// The settings these flags give, checked.
    func settings() throws(BenchError) -> SecuritySettings {
        let settings = SecuritySettings(allowedOrigins: allowedOrigins, authentication: auth, tokenAlgorithm: jwtAlgorithm)
        try settings.validate()
        return settings
    }
}

extension SecuritySettings.Authentication: ExpressibleByArgument {}
extension SecuritySettings.TokenAlgorithm: ExpressibleByArgument {}
