import ArgumentParser
import BenchCore

/// `--strict` on `run`, `suite`, `sweep` and `claims`: a disturbed run (``Disturbance``: its
/// floor moved, its CPU was stolen or its runnable load exceeded the cores) makes `bench` exit 1,
/// after the reports are written.
struct StrictOption: ParsableArguments {
    @Flag(name: .long, help: "Exit 1 when a run was disturbed: its floor moved, its CPU was stolen or more tasks were runnable than there are cores (the reports say which, with the figures).")
    var strict = false

    /// Throws ``RunFailure`` with status 1, saying why on stderr, when `--strict` is on and any
    /// of `results` was disturbed.
    func check(_ results: [RunResult]) throws {
        try Self.check(results, strict: strict)
    }

    /// The same check, for a command that holds the flag's value.
    static func check(_ results: [RunResult], strict: Bool) throws {
        guard strict else { return }
        let disturbed = results.filter(\.isDisturbed).count
        guard disturbed > 0 else { return }
        Console.status("--strict: \(disturbed) of \(results.count) runs were disturbed (see the reports' floor section); exit status 1")
        throw RunFailure(status: 1)
    }
}
