import BenchCore
import BenchTransports

/// One row to measure: a scenario and the transport that runs it.
public struct PlannedRun: Sendable {
    public var scenario: Scenario
    public var transport: any TransportDescriptor

    public init(scenario: Scenario, transport: any TransportDescriptor) {
        self.scenario = scenario
        self.transport = transport
    }

    /// The variant the transport's client reports for this scenario, for example `keep-alive`.
    public var variant: String { transport.makeClient(for: scenario).variant }

    /// `sse (event-stream, HTTP/1.1)`: the transport, its variant and, where the scenario
    /// chooses it, the HTTP version — for progress lines.
    public var label: String {
        let http = transport.hasHTTPVersionChoice ? ", HTTP/\(scenario.httpVersion.rawValue)" : ""
        return "\(transport.kind.rawValue) (\(variant)\(http))"
    }
}

/// Which rows each command measures, from the registry: the one place that decides how
/// transports, encodings and HTTP versions combine, so `bench run`, the suite, sweeps, claims
/// and `bench scale` agree.
public enum Planner {
    /// `bench run` and each point of a sweep: every chosen transport (`transports` as
    /// ``TransportRegistry/parse(_:carrying:)`` reads it; `all` means every one that carries the
    /// direction) on every scenario (one per encoding and HTTP version, as the options expand
    /// them), transports outermost. A transport that fixes its HTTP version runs once per
    /// encoding, on the scenarios of the first HTTP version.
    ///
    /// - Throws: ``BenchError`` (usage) for an unknown transport, one that cannot run a scenario
    ///   (named with the reason), or nothing to run.
    public static func runs(transports: String, scenarios: [Scenario], registry: TransportRegistry) throws(BenchError) -> [PlannedRun] {
        guard let first = scenarios.first else { return [] }
        var runs: [PlannedRun] = []
        for transport in try registry.parse(transports, carrying: first.direction) {
            for scenario in scenarios where transport.hasHTTPVersionChoice || scenario.httpVersion == first.httpVersion {
                try registry.check(transport, scenario)
                runs.append(PlannedRun(scenario: scenario, transport: transport))
            }
        }
        guard !runs.isEmpty else { throw .usage("nothing to run: no chosen transport carries --direction \(first.direction.rawValue)") }
        return runs
    }

    /// The default suite: every registered transport on `scenario` with a kept-alive connection,
    /// and the further rows each transport asks for (``TransportTraits/suiteScenarios(for:)``:
    /// polling with a new connection per request, short polling over HTTP/2).
    public static func suite(_ scenario: Scenario, registry: TransportRegistry) throws(BenchError) -> [PlannedRun] {
        var keptAlive = scenario
        keptAlive.connectionMode = .keepAlive
        var runs: [PlannedRun] = []
        for transport in registry.descriptors {
            for row in transport.suiteScenarios(for: keptAlive) {
                try registry.check(transport, row)
                runs.append(PlannedRun(scenario: row, transport: transport))
            }
        }
        return runs
    }

    /// One run of one transport on one scenario (a claim's `run` line).
    ///
    /// - Throws: ``BenchError`` (usage) unless `transports` names exactly one transport and the
    ///   options make exactly one scenario.
    public static func single(transports: String, scenarios: [Scenario], registry: TransportRegistry) throws(BenchError) -> PlannedRun {
        let runs = try runs(transports: transports, scenarios: scenarios, registry: registry)
        guard runs.count == 1, scenarios.count == 1 else {
            throw .usage("a claim's run is one transport with one encoding and one HTTP version (use one 'run' line each)")
        }
        return runs[0]
    }

    /// `bench scale`: the chosen transports that hold a connection per idle client
    /// (``TransportTraits/holdsConnections``); `all` means all of those.
    ///
    /// - Throws: ``BenchError`` (usage) naming a chosen transport that holds none.
    public static func connectionHolding(transports: String, scenario: Scenario, registry: TransportRegistry) throws(BenchError) -> [PlannedRun] {
        let holding = registry.descriptors.filter(\.holdsConnections)
        // `all` means all of those; a transport named outright must hold one.
        let chosen = transports.lowercased() == "all" ? holding : try registry.parse(transports, carrying: scenario.direction)
        var runs: [PlannedRun] = []
        for transport in chosen {
            guard transport.holdsConnections else {
                throw .usage("\(transport.kind.rawValue) holds no connection while idle; bench scale measures \(holding.map(\.kind.rawValue).joined(separator: ", "))")
            }
            try registry.check(transport, scenario)
            runs.append(PlannedRun(scenario: scenario, transport: transport))
        }
        return runs
    }
}
