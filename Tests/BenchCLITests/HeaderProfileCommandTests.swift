import BenchCore
import Foundation
import Testing

/// `--headers` on the command line: refusals before anything runs, the profile named in every
/// report, and the capture script's output.
@Suite("bench --headers", .serialized)
struct HeaderProfileCommandTests {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).profile").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a bad profile file exits 2 with FILE:LINE and the reason, and nothing runs", arguments: [
        ("[short-poll request]\nAccept: */*\nHost: evil.example\n", 3, "Host is written by the protocol stack"),
        ("[websocket request]\nno colon here\n", 2, "not a header line"),
        ("[grpc request]\n:authority: x\n", 2, "pseudo-header"),
    ])
    func badProfileFile(text: String, line: Int, reason: String) throws {
        let path = try Self.temporaryFile(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for command in [["run"], ["serve"], ["sweep", "--vary", "rate=1,2"], ["scale"]] {
            let start = Date()
            let (status, stdout, stderr) = try CommandLineTests.runBench(command + ["--headers", path])
            #expect(status == 2, "\(command): \(stderr)")
            #expect(stdout.isEmpty)
            #expect(stderr.contains("\(path):\(line): "), "\(command): \(stderr)")
            #expect(stderr.contains(reason), "\(stderr)")
            #expect(Date().timeIntervalSince(start) < 5, "refused before running")
        }
    }

    @Test("unknown profiles and bad cookie sizes exit 2", arguments: [
        ["run", "--headers", "/no/such/file.profile"],
        ["run", "--headers", "browser-cookies", "--cookie-bytes=-1"],
        ["run", "--headers", "browser-cookies", "--cookie-bytes", "20000"],
        ["serve", "--headers", "firefox"],
    ])
    func refused(arguments: [String]) throws {
        let (status, _, stderr) = try CommandLineTests.runBench(arguments)
        #expect(status == 2, "\(stderr)")
        #expect(stderr.hasPrefix("bench: error: ") && stderr.split(separator: "\n").count == 1, "\(stderr)")
    }

    @Test("the profile is named in results.json, results.csv, report.md and on the terminal; browser is run's default")
    func named() throws {
        let cases: [([String], String, Int?)] = [([], "browser", nil), (["--headers", "browser-cookies", "--cookie-bytes", "123"], "browser-cookies", 123)]
        for (arguments, name, cookie) in cases {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-headers-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: output) }
            let (status, _, stderr) = try CommandLineTests.runBench(
                ["run", "--transport", "short-polling", "--clients", "1", "--rate", "10", "--duration", "0.3", "--poll-interval", "0.1", "--output", output.path]
                    + arguments)
            #expect(status == 0, "\(stderr)")
            #expect(stderr.contains("\(name) headers"), "\(stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any])
            let row = try #require((json["results"] as? [[String: Any]])?.first)
            #expect(row["headerProfile"] as? String == name)
            #expect(row["cookieBytes"] as? Int == cookie)
            let scenario = try #require(json["scenario"] as? [String: Any])
            #expect((scenario["headerProfile"] as? [String: Any])?["name"] as? String == name)
            let csv = try String(contentsOf: output.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
            let header = csv[0].split(separator: ",", omittingEmptySubsequences: false)
            let fields = csv[1].split(separator: ",", omittingEmptySubsequences: false)
            let column = { (name: String) in header.firstIndex(of: Substring(name)).map { String(fields[$0]) } }
            #expect(column("header_profile") == name)
            #expect(column("cookie_bytes") == (cookie.map(String.init) ?? ""))
            let markdown = try String(contentsOf: output.appendingPathComponent("report.md"), encoding: .utf8)
            #expect(markdown.split(separator: "\n").contains { $0.hasPrefix("| Header profile ") && $0.contains("| \(name)") }, "\(markdown)")
        }
    }

    static var chromium: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("the capture script records a real Chromium's heads and writes a profile that parses", .enabled(if: chromium != nil))
    func captureScript() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("captured-\(UUID().uuidString).profile").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [Self.packageRoot.appendingPathComponent("scripts/capture-browser-profile.sh").path]
        var environment = ProcessInfo.processInfo.environment
        environment["BENCH"] = try CommandLineTests.benchExecutable.path
        environment["OUT"] = output
        process.environment = environment
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = Pipe()
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(stderr)")
        let profile = try HeaderProfile.load(file: output)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        #expect(text.contains("# Request heads: recorded from Chromium "))
        for kind in [HeaderProfile.Kind.shortPoll, .longPoll, .eventSource, .webSocket] {
            #expect(profile.request(kind).contains { $0.name == "User-Agent" }, "\(kind)")
            #expect(!profile.request(kind).contains { $0.name.lowercased() == "host" || $0.name.lowercased() == "connection" })
        }
        #expect(profile.request(.eventSource).contains { $0.name == "Accept" && $0.value == "text/event-stream" })
        // The same browser as the committed capture sends the same fields (values may differ: the port).
        #expect(profile.request(.shortPoll).map(\.name) == HeaderProfile.browser.request(.shortPoll).map(\.name))
    }
}
