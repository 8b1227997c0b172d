import ArgumentParser
import BenchCLI
import Foundation
import Testing

/// The STOMP transport from the command line, and a real STOMP client against `bench serve`.
@Suite("STOMP from the command line", .serialized)
struct StompCommandTests {
    @Test("--stomp-ack takes auto, client or client-individual, and nothing else")
    func ackOption() {
        for mode in ["auto", "client", "client-individual"] {
            #expect(throws: Never.self) { try Bench.parseAsRoot(["run", "--transport", "stomp", "--stomp-ack", mode]) }
        }
        #expect(throws: (any Error).self) { try Bench.parseAsRoot(["run", "--transport", "stomp", "--stomp-ack", "sometimes"]) }
        // STOMP pushes only: echo is refused at plan time.
        #expect(throws: (any Error).self) { try Bench.parseAsRoot(["run", "--transport", "stomp", "--direction", "echo"]) }
    }

    @Test("bench run --transport stomp --stomp-ack client-individual: every event once, STOMP's framing reported apart")
    func run() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("bench-stomp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let (status, _, stderr) = try CommandLineTests.runBench([
            "run", "--transport", "stomp", "--stomp-ack", "client-individual", "--clients", "2", "--rate", "20", "--duration", "1",
            "--headers", "minimal", "--output", output.path,
        ])
        #expect(status == 0, "\(stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: output.appendingPathComponent("results.json"))) as? [String: Any]
        let result = try #require((json?["results"] as? [[String: Any]])?.first)
        #expect(result["transport"] as? String == "stomp")
        #expect(result["variant"] as? String == "ack-client-individual")
        #expect(result["eventsDelivered"] as? Int == 2 * 20)
        #expect(result["eventsLost"] as? Int == 0)
        // Each of the 40 deliveries carries at least a MESSAGE head of 109 bytes (plus digits and
        // "ack:N\n") and is answered by an ACK of 11 ("ACK\n" 4 + "id:N\n" 5 + 2).
        #expect((result["layerFramingBytes"] as? Int ?? 0) >= 40 * (109 + 6 + 11))
    }

    @Test(
        "stomp.py (WSStompConnection) subscribes to bench serve's STOMP endpoint and receives every event with the right headers",
        .enabled(if: ServeTests.python(has: "stomp, websocket")), arguments: ["auto", "client-individual"])
    func stompPy(ack: String) throws {
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "200", "--duration", "5"])
        defer { serve.terminate() }
        let url = try #require(endpoints["stomp"])
        #expect(url.hasSuffix("/stomp"))
        let script = ServeTests.repositoryFile("scripts/interop/stomp_subscribe_client.py")
        let text = try ServeTests.output(of: URL(fileURLWithPath: "/usr/bin/env"), ["python3", script, url, "100", "--ack", ack])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(summary["received"] as? Int == 100)
        #expect(summary["first"] as? Int == 1, "x-resume-after:0 starts with the first event")
        #expect(summary["contiguous"] as? Bool == true)
        #expect(summary["wellFormed"] as? Bool == true)
        #expect(summary["version"] as? String == "1.2")
        #expect(summary["receipts"] as? [String] == ["bye-1"])
        let expected = ["content-length", "content-type", "destination", "message-id", "subscription"] + (ack == "auto" ? [] : ["ack"])
        #expect(Set(summary["headers"] as? [String] ?? []) == Set(expected))
    }
}
