import BenchCore
import BenchReports
import Foundation
import Testing

@Suite("bench merge: several hosts' results as one")
struct ResultsMergeTests {
    /// One host's row: `samples` as its latency histogram, the server's counts as given.
    static func row(runID: String?, hosts: Int?, clients: Int, delivered: Int, samples: [UInt64], bytesDown: Int = 50_000, requests: Int = 6) -> RunResult {
        var result = RunResult(transport: "sse", variant: "event-stream", encoding: "json", scenario: "custom", clients: clients)
        var latency = LatencyHistogram()
        for sample in samples { latency.record(nanoseconds: sample) }
        let summary = latency.summary
        (result.latencyP50Nanoseconds, result.latencyP99Nanoseconds, result.latencyMaxNanoseconds) = (summary.p50Nanoseconds, summary.p99Nanoseconds, summary.maxNanoseconds)
        (result.latencySamples, result.latencyMeanNanoseconds) = (summary.count, summary.meanNanoseconds)
        result.latencyHistogram = latency.encoded
        result.latencyOverflowSamples = 0
        (result.eventsPublished, result.deliveriesExpected, result.eventsDelivered) = (20, 20 * clients, delivered)
        (result.bytesUp, result.bytesDown, result.requests, result.connections) = (700, bytesDown, requests, 6)
        result.payloadBytes = delivered * 185
        (result.runID, result.hosts) = (runID, hosts)
        return result
    }

    static func input(_ name: String, _ results: [RunResult], rate: Double = 20) -> ResultsMerge.Input {
        var scenario = Scenario.defaults
        scenario.eventsPerSecond = rate
        scenario.clients = results.first?.clients ?? 1
        return ResultsMerge.Input(name: name, document: ResultsDocument(environment: .current(), scenario: scenario, results: results, command: "bench run"))
    }

    static let hostA: [UInt64] = (1...1000).map { $0 * 1_000 }  // 1 µs … 1 ms
    static let hostB: [UInt64] = (1...3000).map { 1_000_000 + $0 * 3_000 }  // 1 ms … 10 ms

    @Test("percentiles of the merge are those of every sample together, not an average of the hosts' percentiles")
    func percentilesFromAllSamples() throws {
        let merged = try ResultsMerge.merge(
            [Self.input("a", [Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostA)]),
             Self.input("b", [Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostB)])],
            command: "bench merge a b"
        ).results[0]
        var all = LatencyHistogram()
        for sample in Self.hostA + Self.hostB { all.record(nanoseconds: sample) }
        // 4000 samples: the median is the 2000th, host B's 1000th sample, 1 ms + 3 ms.
        #expect(merged.latencyP50Nanoseconds == all.valueAtPercentile(50))
        #expect(abs(Double(merged.latencyP50Nanoseconds) - 4_000_000) / 4_000_000 < 0.001)
        #expect(merged.latencyP99Nanoseconds == all.valueAtPercentile(99))
        #expect(merged.latencyMaxNanoseconds == 10_000_000)
        #expect(merged.latencySamples == 4000)
        // Averaging the hosts' medians would say about 2.75 ms.
        #expect(merged.latencyP50Nanoseconds > 3_900_000)
        let mean = (Self.hostA + Self.hostB).reduce(0.0) { $0 + Double($1) } / 4000
        #expect(abs(merged.latencyMeanNanoseconds - mean) / mean < 0.001)
    }

    @Test("hosts of one run carry the server's counts once; separate runs add theirs; client counts always add")
    func serverCountsOncePerRun() throws {
        let oneRun = try ResultsMerge.merge(
            [Self.input("a", [Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostA)]),
             Self.input("b", [Self.row(runID: "r", hosts: 2, clients: 3, delivered: 58, samples: Self.hostB)])],
            command: ""
        ).results[0]
        #expect(oneRun.bytesDown == 50_000 && oneRun.requests == 6 && oneRun.eventsPublished == 20)
        #expect(oneRun.clients == 6 && oneRun.eventsDelivered == 118 && oneRun.deliveriesExpected == 120)
        #expect(oneRun.payloadBytes == 118 * 185)
        #expect(oneRun.overheadBytes == 700 + 50_000 - 118 * 185)
        #expect(oneRun.mergedResults == 2 && !oneRun.isHostShare)
        let twoRuns = try ResultsMerge.merge(
            [Self.input("a", [Self.row(runID: nil, hosts: nil, clients: 3, delivered: 60, samples: Self.hostA)]),
             Self.input("b", [Self.row(runID: nil, hosts: nil, clients: 3, delivered: 60, samples: Self.hostB)])],
            command: ""
        ).results[0]
        #expect(twoRuns.bytesDown == 100_000 && twoRuns.requests == 12 && twoRuns.connections == 12 && twoRuns.eventsPublished == 40)
    }

    @Test("each host's clients count their own sockets: the merge adds them; a row from before clients counted decodes without them")
    func clientWireBytes() throws {
        var a = Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostA)
        var b = Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostB)
        (a.clientWireBytesReceived, a.clientWireBytesSent) = (20_000, 300)
        (b.clientWireBytesReceived, b.clientWireBytesSent) = (30_000, 400)
        let merged = try ResultsMerge.merge([Self.input("a", [a]), Self.input("b", [b])], command: "").results[0]
        // The server's 50 000 bytes down went to the two hosts' clients, 20 000 and 30 000.
        #expect(merged.clientWireBytesReceived == 50_000 && merged.clientWireBytesSent == 700)
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(a)) as? [String: Any])
        for key in ["clientWireBytesReceived", "clientWireBytesSent"] { #expect(json.removeValue(forKey: key) != nil) }
        let old = try JSONDecoder().decode(RunResult.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(old.clientWireBytesReceived == nil && old.clientWireBytesSent == nil)
        let mergedOld = try ResultsMerge.merge([Self.input("a", [old])], command: "").results[0]
        #expect(mergedOld.clientWireBytesReceived == nil)
    }

    @Test("merge refuses what it cannot combine: other workloads, hosts of one run that disagree, rows without histograms")
    func refusals() {
        let a = Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostA)
        #expect(throws: BenchError.self) {
            try ResultsMerge.merge([Self.input("a", [a]), Self.input("b", [a], rate: 50)], command: "")
        }
        #expect(throws: BenchError.self) {
            try ResultsMerge.merge([Self.input("a", [a]), Self.input("b", [Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostB, bytesDown: 49_000)])], command: "")
        }
        var old = a
        old.latencyHistogram = nil
        #expect(throws: BenchError.self) { try ResultsMerge.merge([Self.input("a", [a]), Self.input("b", [old])], command: "") }
        do {
            _ = try ResultsMerge.merge([Self.input("a", [a]), Self.input("b", [a], rate: 50)], command: "")
        } catch {
            #expect(error.message.contains("eventsPerSecond"), "names the differing field: \(error.message)")
        }
    }

    @Test("a host's share of a multi-host run shows – where it would divide the run's bytes by its own deliveries")
    func hostShareInTable() {
        let share = Self.row(runID: "r", hosts: 2, clients: 3, delivered: 60, samples: Self.hostA)
        #expect(share.isHostShare)
        let line = MarkdownReport.table([share]).split(separator: "\n")[2]
        let dashes = line.split(separator: "|").filter { $0.trimmingCharacters(in: .whitespaces) == "–" }.count
        // Overhead, overhead %, wire bytes per event; and the model, which this row has none of.
        #expect(dashes == 4)
        var whole = share
        whole.hosts = 1
        #expect(MarkdownReport.table([whole]).split(separator: "\n")[2].split(separator: "|").filter { $0.trimmingCharacters(in: .whitespaces) == "–" }.count == 1)
    }
}
