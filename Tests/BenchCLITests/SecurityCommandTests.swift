import Foundation
import Testing

@testable import BenchCLI
@testable import BenchCore

/// The handshake flags on the command line, `bench serve --auth jwt` with curl as the client,
/// and the control API's token.
@Suite("Security on the command line", .serialized)
struct SecurityCommandTests {
    static let badArguments: [(arguments: [String], names: String)] = [
        (["run", "--allowed-origin", "app.example"], "app.example"),
        (["run", "--allowed-origin", "https://app.example/path"], "https://app.example/path"),
        (["run", "--auth", "basic"], "basic"),
        (["run", "--jwt-alg", "rs256"], "rs256"),
        (["sweep", "--vary", "clients=1,2", "--allowed-origin", "HTTPS://A.example"], "HTTPS://A.example"),
        (["serve", "--auth", "jwt", "--jwt-secret", "short"], "--jwt-secret"),
        (["serve", "--auth", "jwt", "--jwt-alg", "es256", "--jwt-secret", String(repeating: "s", count: 40)], "--jwt-secret"),
        (["run", "--control-token", "abc"], "--control-token"),
    ]

    @Test("bad handshake flags give one line naming the input and exit status 2", arguments: badArguments)
    func badValues(arguments: [String], names: String) throws {
        let (status, stdout, stderr) = try CommandLineTests.runBench(arguments)
        #expect(status == 2)
        #expect(stdout.isEmpty)
        #expect(stderr.split(separator: "\n").count == 1, "\(stderr)")
        #expect(stderr.contains(names), "\(stderr)")
    }

    @Test("bench run's flags give the scenario's security: origins in order, the auth mode and algorithm")
    func parsing() throws {
        let command = try #require(try Bench.parseAsRoot([
            "run", "--auth", "jwt", "--jwt-alg", "es256", "--allowed-origin", "https://a.example", "--allowed-origin", "http://127.0.0.1:8080",
        ]) as? RunCommand)
        let scenario = try command.scenarioOptions.scenario(name: "x")
        #expect(scenario.security == SecuritySettings(allowedOrigins: ["https://a.example", "http://127.0.0.1:8080"], authentication: .jwt, tokenAlgorithm: .es256))
        let plain = try #require(try Bench.parseAsRoot(["run"]) as? RunCommand)
        #expect(try plain.scenarioOptions.scenario(name: "x").security == .open)
        // A claim file's run line takes bench run's flags.
        let line = try RunLine.parse(["sse", "--auth", "jwt", "--allowed-origin", "https://a.example"])
        #expect(try line.scenarioOptions.scenario(name: "claim").security == SecuritySettings(allowedOrigins: ["https://a.example"], authentication: .jwt))
    }

    @Test("bench serve --auth jwt prints a token that curl's polls and SSE request are served with; without it they get 401", .enabled(if: ServeTests.curl != nil))
    func serveToken() throws {
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "50", "--auth", "jwt", "--allowed-origin", "https://app.example"])
        defer { serve.terminate() }
        let token = try #require(endpoints["token"])
        let poll = try #require(endpoints["short-polling"]) + "?after=0"
        let status = ["-s", "-o", "/dev/null", "-w", "%{http_code}"]
        #expect(try ServeTests.runCurl(status + [poll]) == "401")
        #expect(try ServeTests.runCurl(status + ["-H", "Authorization: Bearer \(token)", poll]) == "200")
        #expect(try ServeTests.runCurl(status + ["-H", "Authorization: Bearer \(token)", "-H", "Origin: https://evil.example", poll]) == "403")
        let headers = try ServeTests.runCurl(["-s", "-D", "-", "-o", "/dev/null", "-H", "Authorization: Bearer abc", poll])
        #expect(headers.contains("WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"), "\(headers)")
        let sse = try #require(endpoints["sse"]) + "?after=0&access_token=\(token)"
        let events = try ServeTests.runCurl(["-s", "--max-time", "1", sse])
        #expect(events.contains("data:"), "\(events.prefix(200))")
        // The browser URL carries the token for the page's script.
        #expect(endpoints["browser"]?.hasSuffix("?access_token=\(token)") == true)
    }

    @Test("the control API asks for its token: 401 without it or with another, and bench run --target passes with --control-token or BENCH_CONTROL_TOKEN", .enabled(if: ServeTests.curl != nil))
    func controlToken() throws {
        let secret = "c0ffee" + String(repeating: "0", count: 58)
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "1", "--control-token", secret])
        defer { serve.terminate() }
        let control = try #require(endpoints["control"])
        #expect(endpoints["control-token"] == secret)
        let headers = ["-s", "-D", "-", "-o", "/dev/null"]
        let missing = try ServeTests.runCurl(headers + [control + "/control/clock"])
        #expect(missing.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), "\(missing)")
        #expect(missing.contains("WWW-Authenticate: Bearer\r\n"))
        let wrong = try ServeTests.runCurl(headers + ["-X", "POST", "-H", "Authorization: Bearer \(secret.dropLast())1", control + "/control/run/open"])
        #expect(wrong.hasPrefix("HTTP/1.1 401 Unauthorized\r\n"), "\(wrong)")
        #expect(wrong.contains("WWW-Authenticate: Bearer error=\"invalid_token\"\r\n"))
        let right = try ServeTests.runCurl(headers + ["-H", "Authorization: Bearer \(secret)", control + "/control/clock"])
        #expect(right.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(right)")

        let workload = ["run", "--target", control, "--transport", "sse", "--clients", "1", "--duration", "0.5", "--rate", "20"]
        let refused = try CommandLineTests.runBench(workload)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("control token"), "\(refused.stderr)")
        let passed = try CommandLineTests.runBench(workload + ["--control-token", secret])
        #expect(passed.status == 0, "\(passed.stderr)")
        setenv("BENCH_CONTROL_TOKEN", secret, 1)
        defer { unsetenv("BENCH_CONTROL_TOKEN") }
        let fromEnvironment = try CommandLineTests.runBench(workload)
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
    }

    @Test("bench run --target --auth jwt: the hosted run makes its own key and hands each host a token; nothing is refused")
    func remoteAuthenticatedRun() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-auth-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "1"])
        defer { serve.terminate() }
        let control = try #require(endpoints["control"])
        let run = try CommandLineTests.runBench([
            "run", "--target", control, "--transport", "short-polling,websocket", "--clients", "2", "--duration", "0.5", "--rate", "20",
            "--poll-interval", "0.1", "--auth", "jwt", "--jwt-alg", "es256", "--output", folder.path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try RemoteRunTests.results(folder)
        for transport in ["short-polling", "websocket"] {
            let row = try #require(rows[transport])
            #expect(row["refusedRequests"] as? Int == 0, "\(transport)")
            #expect(row["tokensVerified"] as? Int == row["requests"] as? Int, "\(transport)")
            #expect(row["security"] as? String == "jwt es256")
        }
    }
}
