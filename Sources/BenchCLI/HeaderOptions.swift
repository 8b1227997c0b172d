import ArgumentParser
import BenchCore

/// `--headers` and `--cookie-bytes`, shared by `bench run`, `sweep`, `serve`, `scale` and claim
/// files' `run` lines.
struct HeaderOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Request and response heads: minimal (the protocols' floor), browser (a captured Chromium's heads and a production server's answers), browser-cookies (browser with a Cookie of --cookie-bytes), or a profile file (docs/headers.md).",
        valueName: "profile"))
    var headers = "browser"

    @Option(name: .customLong("cookie-bytes"), help: "A Cookie header of this many value bytes on every request head (default \(HeaderProfile.defaultCookieBytes) with browser-cookies, none otherwise).")
    var cookieBytes: Int?

    /// The profile these flags name, read and checked.
    func profile() throws(BenchError) -> HeaderProfile {
        try HeaderProfile.named(headers, cookieBytes: cookieBytes)
    }
}
