import BenchCore

/// What a load host asks `bench serve` for: a run of `scenario` (at wall clock; `clients` is
/// this host's), shared by `hosts` hosts that all name the same `id`.
struct RunRequest: Codable {
    var id: String?
    var hosts: Int
    var scenario: Scenario
}
