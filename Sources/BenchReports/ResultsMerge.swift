import BenchCore
import Foundation

/// `bench merge`: several hosts' results.json as one document, with exact percentiles.
///
/// Rows match by transport, variant, HTTP version, encoding and direction. Within a match:
/// - what the clients counted — clients, deliveries, losses, payload, reconnects, their wire
///   bytes, this host's CPU — is summed over the rows;
/// - what the server counted — bytes, requests, connections, heartbeats, the server's CPU — is
///   counted once per run: the hosts of one multi-host run (same `runID`) all carry the run's
///   counts, and they must agree; rows of different runs (different servers, or in-process)
///   add up;
/// - latency comes from adding the rows' HdrHistograms (`latencyHistogram`) bucket by bucket,
///   so the merged percentiles are those of every sample together, never an average of
///   percentiles.
public enum ResultsMerge {
    /// One input: where it came from (for messages) and what it holds.
    public struct Input {
        public var name: String
        public var document: ResultsDocument

        public init(name: String, document: ResultsDocument) {
            self.name = name
            self.document = document
        }
    }

    /// - Throws: ``BenchError`` (usage) when the inputs ran different workloads, a row has no
    ///   histogram, or the hosts of one run disagree on the server's counts.
    public static func merge(_ inputs: [Input], command: String) throws(BenchError) -> ResultsDocument {
        guard let first = inputs.first else { throw .usage("bench merge needs at least one results.json") }
        for input in inputs.dropFirst() {
            let differences = scenarioDifferences(first.document.scenario, input.document.scenario)
            guard differences.isEmpty else {
                throw .usage("\(input.name) ran another workload than \(first.name) (\(differences.joined(separator: ", ")) differ); merge results of one scenario")
            }
        }
        var order: [String] = []
        var groups: [String: [(input: String, result: RunResult)]] = [:]
        for input in inputs {
            for result in input.document.results {
                let key = [result.transport, result.variant, result.httpVersion, result.encoding, result.direction].joined(separator: " ")
                if groups[key] == nil { order.append(key) }
                groups[key, default: []].append((input.name, result))
            }
        }
        var results: [RunResult] = []
        for key in order { results.append(try merge(groups[key]!)) }
        var scenario = first.document.scenario
        scenario.clients = results.map(\.clients).max() ?? scenario.clients
        return ResultsDocument(environment: first.document.environment, scenario: scenario, results: results, command: command)
    }

    /// The scenario fields (other than the number of clients, which each host sets) that differ.
    static func scenarioDifferences(_ a: Scenario, _ b: Scenario) -> [String] {
        var (a, b) = (a, b)
        (a.clients, b.clients) = (0, 0)
        let encoder = JSONEncoder()
        guard let left = try? JSONSerialization.jsonObject(with: encoder.encode(a)) as? [String: Any],
            let right = try? JSONSerialization.jsonObject(with: encoder.encode(b)) as? [String: Any]
        else { return ["the scenario"] }
        // Each field as canonical JSON text: nested objects (the header profile, compression
        // settings) compare by content on every platform.
        func text(_ value: Any?) -> Data? {
            value.flatMap { try? JSONSerialization.data(withJSONObject: ["v": $0], options: [.sortedKeys]) }
        }
        return Set(left.keys).union(right.keys).sorted().filter { key in text(left[key]) != text(right[key]) }
    }

    static func merge(_ rows: [(input: String, result: RunResult)]) throws(BenchError) -> RunResult {
        var merged = rows[0].result
        let name = "\(merged.transport) (\(merged.variant), \(merged.encoding))"
        // Server-side counts: once per run.
        var runs: [String: RunResult] = [:]
        var runOrder: [RunResult] = []
        for (index, (input, result)) in rows.enumerated() {
            let run = result.runID ?? "row \(index)"
            if let seen = runs[run] {
                guard seen.bytesUp == result.bytesUp, seen.bytesDown == result.bytesDown, seen.requests == result.requests,
                    seen.connections == result.connections
                else {
                    throw .usage("\(input) and another input are hosts of run \(run) but report different server counts for \(name); merge each host's results of one finished run")
                }
                continue
            }
            runs[run] = result
            runOrder.append(result)
        }
        func sum<Value: AdditiveArithmetic>(_ field: (RunResult) -> Value, over list: [RunResult]) -> Value {
            list.reduce(.zero) { $0 + field($1) }
        }
        let all = rows.map(\.result)
        merged.bytesUp = sum(\.bytesUp, over: runOrder)
        merged.bytesDown = sum(\.bytesDown, over: runOrder)
        merged.requests = sum(\.requests, over: runOrder)
        merged.emptyResponses = sum(\.emptyResponses, over: runOrder)
        merged.connections = sum(\.connections, over: runOrder)
        merged.heartbeats = sum(\.heartbeats, over: runOrder)
        merged.layerFramingBytes = optionalSum(runOrder.map(\.layerFramingBytes))
        merged.handshakeBytesUp = sum(\.handshakeBytesUp, over: runOrder)
        merged.handshakeBytesDown = sum(\.handshakeBytesDown, over: runOrder)
        merged.connectionsDropped = sum(\.connectionsDropped, over: runOrder)
        merged.eventsPublished = sum(\.eventsPublished, over: runOrder)
        merged.http2 = runOrder.compactMap(\.http2).reduce(nil) { total, next in total.map { $0 + next } ?? next }
        merged.serverUserCPUSeconds = optionalSum(runOrder.map(\.serverUserCPUSeconds))
        merged.serverSystemCPUSeconds = optionalSum(runOrder.map(\.serverSystemCPUSeconds))
        merged.serverPeakResidentBytes = runOrder.compactMap(\.serverPeakResidentBytes).max()

        // Client-side counts: every row.
        merged.clients = sum(\.clients, over: all)
        merged.deliveriesExpected = sum(\.deliveriesExpected, over: all)
        merged.eventsDelivered = sum(\.eventsDelivered, over: all)
        merged.eventsLost = sum(\.eventsLost, over: all)
        merged.eventsDuplicated = sum(\.eventsDuplicated, over: all)
        merged.eventsOutOfOrder = sum(\.eventsOutOfOrder, over: all)
        merged.payloadBytes = sum(\.payloadBytes, over: all)
        merged.base64InflationBytes = sum(\.base64InflationBytes, over: all)
        merged.reconnects = sum(\.reconnects, over: all)
        merged.deadlinesExceeded = sum(\.deadlinesExceeded, over: all)
        merged.callsCancelled = sum(\.callsCancelled, over: all)
        merged.clientWireBytesReceived = optionalSum(all.map(\.clientWireBytesReceived))
        merged.clientWireBytesSent = optionalSum(all.map(\.clientWireBytesSent))
        merged.processUserCPUSeconds = optionalSum(all.map(\.processUserCPUSeconds))
        merged.processSystemCPUSeconds = optionalSum(all.map(\.processSystemCPUSeconds))
        merged.processPeakResidentBytes = all.compactMap(\.processPeakResidentBytes).max()
        merged.durationSeconds = all.map(\.durationSeconds).max() ?? 0
        merged.lostSequences = rows.flatMap { row in row.result.lostSequences.map { "\(row.input) \($0)" } }
        merged.announcedGaps = rows.flatMap { row in row.result.announcedGaps.map { "\(row.input) \($0)" } }
        merged.clientErrors = rows.flatMap { row in row.result.clientErrors.map { "\(row.input) \($0)" } }

        let wire = merged.bytesUp + merged.bytesDown
        merged.overheadBytes = wire - merged.payloadBytes
        merged.overheadRatio = wire == 0 ? 0 : Double(merged.overheadBytes) / Double(wire)
        merged.bytesPerDeliveredEvent = merged.eventsDelivered == 0 ? 0 : Double(wire) / Double(merged.eventsDelivered)
        // The server's TCP/IP estimate: once per run, like its byte counts.
        merged.tcp = runOrder.compactMap(\.tcp).reduce(nil) { total, next in total.map { $0 + next } ?? next }
        merged.tcpHeaderBytesPerEvent = merged.tcp.flatMap { tcp in
            merged.eventsDelivered == 0 ? nil : Double(tcp.headerBytes) / Double(merged.eventsDelivered)
        }

        // Latency: every sample, from the histograms.
        var latency = LatencyHistogram()
        var uncorrected = LatencyHistogram()
        var exactMax: UInt64 = 0
        var uncorrectedMax: UInt64 = 0
        var weightedMean = 0.0
        for (input, result) in rows {
            let overflow = result.latencyOverflowSamples ?? 0
            if let text = result.latencyHistogram {
                do { latency.merge(try LatencyHistogram(encoded: text, overflow: overflow)) } catch {
                    throw .usage("\(input): \(name)'s latencyHistogram cannot be read: \(error.message)")
                }
            } else if result.latencySamples > overflow {
                throw .usage("\(input): \(name) has \(result.latencySamples) latency samples but no latencyHistogram (written by a bench without it); run it again to merge")
            }
            if let text = result.uncorrectedLatencyHistogram {
                do { uncorrected.merge(try LatencyHistogram(encoded: text)) } catch {
                    throw .usage("\(input): \(name)'s uncorrectedLatencyHistogram cannot be read: \(error.message)")
                }
            }
            exactMax = max(exactMax, result.latencyMaxNanoseconds)
            uncorrectedMax = max(uncorrectedMax, result.uncorrectedLatencyMaxNanoseconds)
            weightedMean += result.latencyMeanNanoseconds * Double(result.latencySamples)
        }
        let summary = latency.summary
        merged.latencyP50Nanoseconds = summary.p50Nanoseconds
        merged.latencyP90Nanoseconds = summary.p90Nanoseconds
        merged.latencyP99Nanoseconds = summary.p99Nanoseconds
        merged.latencyP999Nanoseconds = summary.p999Nanoseconds
        // The histograms keep each maximum to 3 digits; the rows kept it exactly.
        merged.latencyMaxNanoseconds = exactMax
        merged.latencySamples = summary.count
        merged.latencyMeanNanoseconds = summary.count == 0 ? 0 : weightedMean / Double(summary.count)
        merged.latencyHistogram = latency.encoded
        merged.latencyOverflowSamples = latency.overflowCount
        if uncorrected.count > 0 {
            merged.uncorrectedLatencyP50Nanoseconds = uncorrected.valueAtPercentile(50)
            merged.uncorrectedLatencyP99Nanoseconds = uncorrected.valueAtPercentile(99)
            merged.uncorrectedLatencyMaxNanoseconds = uncorrectedMax
            merged.uncorrectedLatencyHistogram = uncorrected.encoded
        }

        merged.hosts = rows.count
        merged.mergedResults = rows.count
        merged.runID = runOrder.count == 1 ? runOrder[0].runID : nil
        return merged
    }

    private static func optionalSum<Value: AdditiveArithmetic>(_ values: [Value?]) -> Value? {
        let present = values.compactMap { $0 }
        return present.isEmpty ? nil : present.reduce(.zero, +)
    }
}
