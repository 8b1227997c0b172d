import BenchCore
import BenchServer
import BenchTransports

/// A transport client running in its own task against a test's server.
struct RunningClient {
    let progress = ClientProgress()
    let task: Task<DeliveryRecorder, Never>

    init(_ client: any TransportClient, server: LoopbackServer, clientIndex: Int = 0, scenario: Scenario = .defaults) {
        let target = ClientTarget(host: server.host, port: server.port, clientIndex: clientIndex, scenario: scenario)
        let progress = progress
        task = Task {
            var recorder = DeliveryRecorder(progress: progress)
            await client.run(target, recorder: &recorder)
            return recorder
        }
    }

    func waitUntilReady() async throws {
        while !progress.isReady { try await Task.sleep(for: .milliseconds(2)) }
    }

    /// Asks the client to stop (the caller ends the server's streams) and returns what it recorded.
    func stop() async -> DeliveryRecorder {
        progress.requestStop()
        return await task.value
    }
}
