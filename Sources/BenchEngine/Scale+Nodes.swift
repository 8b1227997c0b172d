import BenchCore
import BenchTransports
import Foundation

extension Scale {
    /// One transport across ``Configuration/nodes`` nodes (``ScaleDeployment``): every node's
    /// memory idle and with every connection (through nginx) open, then the events PUBLISHed once
    /// to Redis and the fan-out timed until every client has every event, each node's CPU time
    /// around it. The row's server figures are the nodes' summed; ``ScaleRow/nodeFigures`` has
    /// each one's.
    static func measureNodes(_ client: any TransportClient, transport: any TransportTraits, _ configuration: Configuration) async throws
        -> ScaleRow
    {
        let (clients, events) = (configuration.clients, configuration.events)
        let scenario = configuration.scenario
        return try await ScaleDeployment.with(configuration) { deployment in
            let nodes = deployment.nodes
            try await Task.sleep(for: .milliseconds(300))
            let idle = try nodes.map { try $0.residentBytes() }
            let idleSockets = try nodes.map { try $0.socketCount() }
            let expected = events * clients
            let (figures, recorders, opening) = try await ServeProcess.withClients(
                scenario, client: client, port: deployment.port(for: transport, scenario: scenario), tls: nil, bearerToken: nil,
                cpuSeconds: deployment.cpuSeconds, readyWithin: .seconds(30 + clients / 50)
            ) { progresses in
                let connected = try nodes.map { try $0.residentBytes() }
                let sockets = try nodes.map { try $0.socketCount() }
                let cpuBefore = try nodes.map { try $0.cpuSeconds() }
                let start = ContinuousClock.now
                try await deployment.publish(events, payloads: scenario.payloads)
                let (delivered, seconds) = try await Scale.fanOut(to: progresses, expected: expected, since: start)
                // The deliveries are in; let the nodes finish what they were doing before reading their clocks.
                try await Task.sleep(for: .milliseconds(200))
                let cpuAfter = try nodes.map { try $0.cpuSeconds() }
                let afterFanOut = try nodes.map { try $0.residentBytes() }
                let figures = nodes.indices.map { index in
                    ScaleRow.Node(
                        number: index + 1, connections: sockets[index] - idleSockets[index], residentBytesIdle: idle[index],
                        residentBytesConnected: connected[index], fanOutUserCPUSeconds: cpuAfter[index].user - cpuBefore[index].user,
                        fanOutSystemCPUSeconds: cpuAfter[index].system - cpuBefore[index].system)
                }
                return (nodes: figures, afterFanOut: afterFanOut.reduce(0, +), delivered: delivered, seconds: seconds)
            }
            let lost = deployment.publisher.lost
            guard lost.isEmpty else {
                throw BenchError.runFailed(
                    "Redis failed the PUBLISH of sequences \(lost.map { "\($0.lowerBound)-\($0.upperBound)" }.joined(separator: ", "))")
            }
            var latency = LatencyHistogram()
            for recorder in recorders { latency.merge(recorder.latency) }
            var row = ScaleRow(
                transport: client.kind.rawValue, connections: clients, events: events, deliveriesExpected: expected,
                deliveries: figures.delivered,
                residentBytesIdle: idle.reduce(0, +), residentBytesConnected: figures.nodes.reduce(0) { $0 + $1.residentBytesConnected },
                peakResidentBytes: try nodes.reduce(0) { $0 + (try $1.peakResidentBytes()) }, fanOutSeconds: figures.seconds,
                serverUserCPUSeconds: figures.nodes.reduce(0) { $0 + $1.fanOutUserCPUSeconds },
                serverSystemCPUSeconds: figures.nodes.reduce(0) { $0 + $1.fanOutSystemCPUSeconds },
                latencyP50Nanoseconds: latency.valueAtPercentile(50), latencyP99Nanoseconds: latency.valueAtPercentile(99),
                latencyMaxNanoseconds: latency.maxNanoseconds
            )
            row.residentBytesAfterFanOut = figures.afterFanOut
            row.connectSeconds = opening.seconds
            row.serverConnectUserCPUSeconds = opening.userCPUSeconds
            row.serverConnectSystemCPUSeconds = opening.systemCPUSeconds
            row.nodes = nodes.count
            row.deployment = deployment.settings.label
            row.nodeFigures = figures.nodes
            return row
        }
    }
}
