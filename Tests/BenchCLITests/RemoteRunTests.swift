import Foundation
import Histogram
import Testing

@testable import BenchCore

@Suite("bench run --target and bench merge: two load hosts, one server", .serialized)
struct RemoteRunTests {
    static func results(_ folder: URL) throws -> [String: [String: Any]] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("results.json"))) as? [String: Any])
        let rows = try #require(json["results"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["transport"] as! String, $0) })
    }

    static func withoutWindowUpdates(_ row: [String: Any], _ field: String) -> Int? {
        let http2 = row["http2"] as? [String: Any]
        let updates = (http2?["windowUpdates"] as? [String: Any])?["up"] as? Int ?? 0
        return (row[field] as? Int).map { $0 - updates }
    }

    @Test("two bench run processes share one run on bench serve; merged, their bytes equal one in-process run with all their clients, and the percentiles are their histograms added")
    func twoHostsMerged() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "1"])
        defer { serve.terminate() }
        let control = try #require(endpoints["control"])
        let workload = ["--transport", "sse,websocket,grpc", "--duration", "1", "--rate", "30", "--payload-bytes", "64"]
        let hosts = try ["a", "b"].map { name in
            let process = Process()
            process.executableURL = try CommandLineTests.benchExecutable
            process.arguments = ["run", "--target", control, "--hosts", "2", "--run-id", "test", "--clients", "2", "--output", folder.appendingPathComponent(name).path] + workload
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            return process
        }
        for host in hosts {
            host.waitUntilExit()
            #expect(host.terminationStatus == 0)
        }
        let merge = try CommandLineTests.runBench(["merge", folder.appendingPathComponent("a").path, folder.appendingPathComponent("b").path, "--output", folder.appendingPathComponent("merged").path])
        #expect(merge.status == 0, "\(merge.stderr)")
        let local = try CommandLineTests.runBench(["run", "--clients", "4", "--output", folder.appendingPathComponent("local").path] + workload)
        #expect(local.status == 0, "\(local.stderr)")

        let (a, b) = (try Self.results(folder.appendingPathComponent("a")), try Self.results(folder.appendingPathComponent("b")))
        let merged = try Self.results(folder.appendingPathComponent("merged"))
        let inProcess = try Self.results(folder.appendingPathComponent("local"))
        for transport in ["sse", "websocket", "grpc"] {
            let (rowA, rowB, row, reference) = (a[transport]!, b[transport]!, merged[transport]!, inProcess[transport]!)
            // The same server counts reached both hosts, and they are what one process counts for four clients.
            for field in ["bytesUp", "bytesDown", "requests", "connections", "eventsPublished"] {
                #expect(rowA[field] as? Int == rowB[field] as? Int, "\(transport) \(field)")
            }
            for field in ["bytesDown", "requests", "connections", "eventsPublished", "clients", "eventsDelivered", "deliveriesExpected", "payloadBytes"] {
                #expect(row[field] as? Int == reference[field] as? Int, "\(transport) \(field): merged \(row[field] ?? "nil"), in-process \(reference[field] ?? "nil")")
            }
            // gRPC's client sends WINDOW_UPDATE frames when its reads let it, which varies from
            // run to run; everything else it sends is the same.
            for field in ["bytesUp", "overheadBytes"] {
                #expect(Self.withoutWindowUpdates(row, field) == Self.withoutWindowUpdates(reference, field), "\(transport) \(field)")
            }
            #expect(row["eventsDelivered"] as? Int == 4 * 30)
            #expect((rowA["clock"] as? [String: Any])?["source"] as? String == "one kernel (same boot ID)")
            #expect((rowA["runID"] as? String)?.hasPrefix("test/\(transport)-json") == true && rowA["hosts"] as? Int == 2)
            // The merged percentiles, worked out here from the two hosts' histograms.
            var all = try HdrHistogramEncoding.decode(try #require(rowA["latencyHistogram"] as? String))
            all.add(try HdrHistogramEncoding.decode(try #require(rowB["latencyHistogram"] as? String)))
            #expect(row["latencySamples"] as? Int == 4 * 30)
            #expect(UInt64(row["latencyP50Nanoseconds"] as! Int) == all.valueAtPercentile(50))
            #expect(UInt64(row["latencyP90Nanoseconds"] as! Int) == all.valueAtPercentile(90))
        }
        let report = try String(contentsOf: folder.appendingPathComponent("merged/report.md"), encoding: .utf8)
        #expect(report.contains("**Merged** by `bench merge` from 2 results"))
        let hostReport = try String(contentsOf: folder.appendingPathComponent("a/report.md"), encoding: .utf8)
        #expect(hostReport.contains("**One host of 2**") && hostReport.contains("**Remote server**"))
    }

    /// Root and iproute2: what `scripts/link-check.sh` needs for its network namespaces.
    static let namespaces: Bool = getuid() == 0 && ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"].contains { FileManager.default.isExecutableFile(atPath: $0) }

    @Test("across two network namespaces joined by a veth pair (scripts/link-check.sh), two load processes share one run on bench serve and merge to every event delivered", .enabled(if: namespaces))
    func acrossNamespaces() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pair-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = try ServeTests.output(
            of: URL(fileURLWithPath: "/usr/bin/env"), ["bash", ServeTests.repositoryFile("scripts/link-check.sh")],
            environment: ["BENCH": try CommandLineTests.benchExecutable.path, "QDISC_CHECKS": "0", "MERGED_OUTPUT": folder.path]
        )
        #expect(output.contains("two load processes as the two hosts of one run across the veth pair"))
        let merged = try Self.results(folder)
        #expect(Set(merged.keys) == ["websocket", "sse", "grpc", "long-polling"])
        for (transport, row) in merged {
            // 2 hosts × 5 clients × 20 events/s × 3 s.
            #expect(row["eventsDelivered"] as? Int == 600 && row["eventsLost"] as? Int == 0, "\(transport)")
            #expect(row["clients"] as? Int == 10 && row["connections"] as? Int == 10, "\(transport)")
            #expect(row["mergedResults"] as? Int == 2, "\(transport)")
            #expect((row["target"] as? String)?.hasPrefix("http://10.77.0.1:") == true, "\(transport)")
        }
    }

    @Test("bench run --tls --target: the run's server on bench serve speaks TLS with the certificate the ticket hands over; every event arrives, one handshake per connection")
    func overTLS() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("remote-tls-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (serve, endpoints) = try ServeTests.startServe(["--rate", "1"])
        defer { serve.terminate() }
        let control = try #require(endpoints["control"])
        let run = try CommandLineTests.runBench([
            "run", "--target", control, "--tls", "--transport", "sse,websocket,grpc", "--clients", "2", "--duration", "1", "--rate", "20",
            "--payload-bytes", "64", "--output", folder.path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        let rows = try Self.results(folder)
        #expect(Set(rows.keys) == ["sse", "websocket", "grpc"])
        for (transport, row) in rows {
            #expect(row["eventsDelivered"] as? Int == 2 * 20 && row["eventsLost"] as? Int == 0, "\(transport)")
            #expect(row["tls"] as? String == "TLS 1.3, P-256", "\(transport)")
            #expect(row["connections"] as? Int == 2, "\(transport)")
            let tally = try #require(row["serverTLS"] as? [String: Any], "\(transport)")
            #expect(tally["handshakes"] as? Int == 2 && tally["handshakeFailures"] as? Int == 0, "\(transport)")
            #expect(row["target"] as? String == control, "\(transport)")
        }
    }

    @Test("a target with no bench serve behind it fails with a sentence naming it")
    func unreachableTarget() throws {
        let run = try CommandLineTests.runBench(["run", "--target", "http://127.0.0.1:1", "--transport", "sse", "--duration", "0.5"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("cannot reach bench serve at http://127.0.0.1:1"))
    }
}
