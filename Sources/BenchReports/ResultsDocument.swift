import BenchCore

/// Everything one `bench` invocation measured: what `results.json` holds.
///
/// `{"environment": {…}, "scenario": {…}, "results": [ … ]}` is the stable shape: renaming a field is a
/// breaking change.
public struct ResultsDocument: Codable, Sendable {
    public var environment: EnvironmentInfo
    /// The scenario every row ran (rows may differ in transport, variant and encoding).
    public var scenario: Scenario
    public var results: [RunResult]
    /// The command line that reproduces this document.
    public var command: String

    public init(environment: EnvironmentInfo, scenario: Scenario, results: [RunResult], command: String) {
        self.environment = environment
        self.scenario = scenario
        self.results = results
        self.command = command
    }

    /// Whether every row is clean: nothing lost, and the byte ledger adds up.
    public var isClean: Bool { results.allSatisfy(\.isClean) }
}
