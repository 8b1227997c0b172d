import ArgumentParser
import BenchCore
import BenchEngine
import BenchGRPC
import BenchReports
import BenchTransports
import Foundation

/// `bench run`: one scenario over the chosen transports.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one scenario over one or more transports and report what each cost."
    )

    @Option(name: .long, help: ArgumentHelp(TransportRegistry.transportHelp))
    var transport = "all"

    @OptionGroup var scenarioOptions: ScenarioOptions

    @OptionGroup var strictOption: StrictOption

    @OptionGroup var stompOptions: StompOptions

    @Option(name: .customLong("grpc-call"), help: "gRPC push: server-streaming (Subscribe) or unary (Poll on the poll interval). Echo is bidi-streaming, upload client-streaming.")
    var grpcCall = GRPCTransportClient.Call.serverStreaming

    @Flag(name: .customLong("grpc-flush-coalescing"), inversion: .prefixedNo, help: "gRPC server: let grpc-swift-nio-transport hold flushes up to 100 µs to coalesce writes (its default).")
    var grpcFlushCoalescing = true

    @Option(name: .long, help: "Folder for results.json, results.csv and report.md (created if missing).")
    var output: String?

    @Option(name: .long, help: "Port of the loopback server (0 picks a free one; a fixed one suits packet captures).")
    var port = 0

    @Option(name: .customLong("grpc-port"), help: "Port of the gRPC listener (0 picks a free one).")
    var grpcPort = 0

    @Option(name: .long, help: "Drive a server elsewhere: the control URL of a `bench serve` (http://HOST:PORT). Its byte counts come back from it; latency uses its clock, related to this one over the network.")
    var target: String?

    @Option(name: .long, help: "With --target: load hosts that run this same command at once (each with --clients of its own); the server starts publishing when all are ready.")
    var hosts = 1

    @Option(name: .customLong("run-id"), help: "With --target and --hosts above 1: a name every host gives, so they join the same run.")
    var runID: String?

    @Option(name: .customLong("control-token"), help: "With --target: the control token bench serve printed (sent as Authorization: Bearer); BENCH_CONTROL_TOKEN when absent.")
    var controlToken: String?

    func validate() throws {
        if target == nil {
            guard hosts == 1, runID == nil, controlToken == nil else {
                throw ValidationError("--hosts, --run-id and --control-token go with --target URL (a bench serve on another host)")
            }
        } else {
            guard port == 0, grpcPort == 0 else { throw ValidationError("--port and --grpc-port set the in-process server's ports; with --target the server is bench serve's") }
            do {
                _ = try remoteTarget()
                try RemoteTarget.check(scenarioOptions.direction)
                try RemoteTarget.check(scenarioOptions.tlsOptions.settings())
            } catch { throw ValidationError(error.message) }
            guard scenarioOptions.scaleOutOptions.nodes == 1, scenarioOptions.scaleOutOptions.balancer == nil, scenarioOptions.scaleOutOptions.backplane == nil else {
                throw ValidationError("--target runs against one bench serve; --nodes, --balancer and --backplane start their own nodes on this host")
            }
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535 (got \(port))") }
        guard (0...65535).contains(grpcPort) else { throw ValidationError("--grpc-port must be between 0 and 65535 (got \(grpcPort))") }
        guard grpcCall == .serverStreaming || grpcCall == .unary else {
            throw ValidationError("--grpc-call chooses push's call: server-streaming or unary (echo is bidi-streaming, upload client-streaming)")
        }
        do { _ = try plan() } catch { throw ValidationError(error.message) }
    }

    /// The transports the run offers: gRPC and STOMP configured by their flags.
    private var registry: TransportRegistry {
        .standard(grpc: GRPCTransport.Configuration(pushCall: grpcCall, flushCoalescing: grpcFlushCoalescing, port: grpcPort), stomp: stompOptions.configuration)
    }

    /// Every chosen transport with every chosen HTTP version and encoding (``Planner/runs(transports:scenarios:registry:)``).
    private func plan() throws(BenchError) -> [PlannedRun] {
        try Planner.runs(transports: transport, scenarios: try scenarioOptions.scenarios(name: "custom"), registry: registry)
    }

    private func remoteTarget() throws(BenchError) -> RemoteTarget? {
        let token = controlToken ?? ProcessInfo.processInfo.environment["BENCH_CONTROL_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return try target.map { url throws(BenchError) in try RemoteTarget(url: url, hosts: hosts, runID: runID, controlToken: token) }
    }

    func run() async throws {
        let scenario = try scenarioOptions.scenarios(name: "custom")[0]
        try await Plan(
            scenario: scenario, runs: try plan(), output: output.map { URL(fileURLWithPath: $0) },
            runner: Runner(registry: registry, port: port), target: try remoteTarget(), strict: strictOption.strict
        ).execute()
    }
}

extension GRPCTransportClient.Call: ExpressibleByArgument {}
