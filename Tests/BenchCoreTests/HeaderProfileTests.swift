import BenchCore
import Foundation
import Testing

@Suite("Header profiles")
struct HeaderProfileTests {
    /// The committed profile files, read from the source tree.
    static func profileText(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/BenchCore/Profiles/\(name).profile")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test("minimal is today's heads: User-Agent and Accept up, Cache-Control down, nothing for gRPC")
    func minimalIsTodays() {
        let minimal = HeaderProfile.minimal
        #expect(minimal.request(.shortPoll) == [.init("User-Agent", "TransportBench/0.1"), .init("Accept", "application/json")])
        #expect(minimal.request(.eventSource) == [.init("User-Agent", "TransportBench/0.1"), .init("Accept", "text/event-stream")])
        #expect(minimal.request(.webSocket) == [.init("User-Agent", "TransportBench/0.1")])
        #expect(minimal.response(.longPoll) == [.init("Cache-Control", "no-store")])
        #expect(minimal.request(.grpc).isEmpty && minimal.response(.webSocket).isEmpty)
    }

    @Test("the committed browser profile, written by the capture script, parses and names Chromium and its sources")
    func browserParses() throws {
        let text = try Self.profileText("browser")
        let profile = try HeaderProfile.parse(text, file: "browser.profile", name: "browser")
        #expect(text.contains("Chromium "), "the capture's browser version")
        #expect(profile == HeaderProfile.browser, "the embedded copy is the committed file")
        for kind in [HeaderProfile.Kind.shortPoll, .longPoll, .eventSource, .webSocket] {
            #expect(profile.request(kind).contains { $0.name == "User-Agent" && $0.value.contains("Chrome/") }, "\(kind)")
            #expect(profile.response(kind).contains { $0.name == "Server" }, "\(kind)")
        }
        #expect(profile.request(.webSocket).contains { $0.name == "Origin" })
        #expect(profile.request(.grpc).map(\.name) == ["user-agent"])
        // Heads of hundreds of bytes, as browsers send: far above minimal's.
        let browserUp = profile.request(.shortPoll).reduce(0) { $0 + $1.wireBytes }
        #expect(browserUp > 300, "\(browserUp) B")
    }

    @Test("browser-cookies adds one Cookie of exactly --cookie-bytes value bytes at the end of every request head")
    func cookies() throws {
        let profile = try HeaderProfile.named("browser-cookies", cookieBytes: 777)
        #expect(profile.name == "browser-cookies" && profile.cookieBytes == 777)
        for kind in HeaderProfile.Kind.allCases {
            let last = try #require(profile.request(kind).last)
            #expect(last.name.lowercased() == "cookie" && last.value.utf8.count == 777)
            #expect(!last.value.hasSuffix(" ") && !last.value.hasSuffix(";"))
            #expect(profile.request(kind).dropLast() == HeaderProfile.browser.request(kind)[...])
        }
        #expect(try HeaderProfile.named("browser-cookies").cookieBytes == HeaderProfile.defaultCookieBytes)
        #expect(try HeaderProfile.named("browser").cookieBytes == 0)
    }

    @Test("bad profile files are refused with FILE:LINE and the reason", arguments: [
        ("[short-poll request]\nUser-Agent x", 2, "not a header line"),
        ("# c\n[short-poll request]\nHost: example.com", 3, "Host is written by the protocol stack"),
        ("[long-poll request]\ncontent-length: 0", 2, "content-length is written by the protocol stack"),
        ("[websocket request]\nOrigin: x\nSec-WebSocket-Key: abc", 3, "Sec-WebSocket-Key is written by the protocol stack"),
        ("[event-source request]\nTransfer-Encoding: chunked", 2, "Transfer-Encoding is written"),
        ("[short-poll response]\nContent-Type: text/html", 2, "Content-Type is written"),
        ("[grpc request]\n:path: /x", 2, "pseudo-header"),
        ("User-Agent: x", 1, "before any"),
        ("[short-poll]\nA: b", 1, "unknown section"),
        ("[short-poll request]\nBad Name: b", 2, "not a header name"),
        ("[short-poll request]\nX-Big: \(String(repeating: "a", count: 17_000))", 1, "over the server's 16384-byte limit"),
    ])
    func refused(text: String, line: Int, reason: String) {
        do {
            _ = try HeaderProfile.parse(text, file: "my.profile", name: "my.profile")
            Issue.record("accepted \(text.prefix(60))")
        } catch {
            #expect(error.code == .usage)
            #expect(error.message.hasPrefix("my.profile:\(line): "), "\(error.message)")
            #expect(error.message.contains(reason), "\(error.message)")
        }
    }

    @Test("a profile file keeps names' case and order; a missing file is a usage error naming the built-in profiles")
    func file() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("profile-\(UUID().uuidString).profile").path
        try "[short-poll request]\nx-Lower: 1\nAccept: */*\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let profile = try HeaderProfile.named(path)
        #expect(profile.name == path)
        #expect(profile.request(.shortPoll) == [.init("x-Lower", "1"), .init("Accept", "*/*")])
        #expect(profile.request(.longPoll).isEmpty)
        #expect(throws: BenchError.self) { try HeaderProfile.named("/no/such/file.profile") }
    }

    @Test("a scenario carries its profile through JSON, and a document without one reads as minimal")
    func codable() throws {
        var scenario = Scenario.defaults
        scenario.headers = try HeaderProfile.named("browser-cookies", cookieBytes: 50)
        let decoded = try JSONDecoder().decode(Scenario.self, from: JSONEncoder().encode(scenario))
        #expect(decoded == scenario)
        var object = try #require(JSONSerialization.jsonObject(with: JSONEncoder().encode(Scenario.defaults)) as? [String: Any])
        object["headerProfile"] = nil
        let old = try JSONDecoder().decode(Scenario.self, from: JSONSerialization.data(withJSONObject: object))
        #expect(old.headers == .minimal)
    }
}
