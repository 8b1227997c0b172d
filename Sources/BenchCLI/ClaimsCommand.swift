import ArgumentParser
import BenchCore
import BenchEngine
import BenchGRPC
import BenchReports
import Foundation

/// `bench claims`: measures what the study notes (or any claim file) assert and judges each claim.
struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims",
        abstract: "Measure the claims in claim files and judge each: confirmed, refuted, or depends (with the condition).",
        discussion: """
            A claim file (*.claim) says what to run, which figures to compute and what must hold; \
            the format is documented in docs/claims.md and at the top of each file in Benchmarks/Claims. \
            Runs that several claims share are measured once.
            """
    )

    @Option(name: .long, parsing: .upToNextOption, help: "Claim files, or folders of *.claim files.")
    var claims: [String] = ["Benchmarks/Claims"]

    @Option(name: .long, help: "Folder for report.md, claims.json, results.csv and the charts.")
    var output = "Results/claims"

    @OptionGroup var strictOption: StrictOption

    func run() async throws {
        let loaded = try Self.load(claims)
        // Every distinct measurement once, in the order the claims name them.
        var runs: [String: (run: PlannedRun, claim: Claim, measurement: Claim.Measurement)] = [:]
        var order: [String] = []
        for (claim, entries) in loaded {
            for (measurement, entry) in entries where runs[Self.key(measurement)] == nil {
                runs[Self.key(measurement)] = (run: entry, claim: claim, measurement: measurement)
                order.append(Self.key(measurement))
            }
        }
        let payloads = PayloadComparison()
        var measured: [String: (RunResult, Scenario)] = [:]
        var memory: [String: IdleMemory] = [:]
        let plan = Plan(scenario: .defaults, runs: [], output: nil)
        let progress = plan.progress
        try await progress.run {
            for (index, key) in order.enumerated() {
                let run = runs[key]!
                let context = "\(run.claim.id) \(run.measurement.label): "
                if run.measurement.kind == .memory {
                    progress.step(
                        index + 1, of: order.count,
                        "\(context)\(run.run.transport.kind.rawValue): \(run.run.scenario.clients) idle connections to a `bench serve` process, its resident memory before and after")
                    let idle = try await MemoryProbe.measure(run.run)
                    progress.detail("done: \(idle.residentBytesBefore / 1024) KiB → \(idle.residentBytesAfter / 1024) KiB, \(Int(idle.residentBytesPerConnection)) B per connection")
                    memory[key] = idle
                } else {
                    measured[key] = (try await plan.measure(run.run, step: index + 1, of: order.count, context: context), run.run.scenario)
                }
            }
        }

        let verdicts = loaded.map { claim, _ in
            ClaimJudge.judge(claim) { measurement in
                switch measurement.kind {
                case .run:
                    let (result, scenario) = measured[Self.key(measurement)]!
                    return MeasuredValues.of(run: result, scenario: scenario, label: measurement.label)
                case .payload:
                    // Loading checked the name.
                    return MeasuredValues.of(payload: measurement.arguments[0], in: payloads, label: measurement.label)!
                case .memory:
                    return MeasuredValues.of(memory: memory[Self.key(measurement)]!, label: measurement.label)
                }
            }
        }
        let reported = order.filter { measured[$0] != nil }.map { key in
            let run = runs[key]!
            return ClaimsReport.Run(
                label: "\(run.claim.id) \(run.measurement.label)", arguments: run.measurement.arguments, scenario: run.run.scenario, result: measured[key]!.0)
        }
        let results = reported.map(\.result)
        print(ClaimsReport.summary(verdicts))
        let directory = URL(fileURLWithPath: output)
        try ClaimsReport.write(
            verdicts, runs: reported, memory: order.compactMap { memory[$0] }, environment: .current(), command: Console.commandLine, to: directory)
        Console.status("reports written to \(directory.path)/: \(ClaimsReport.fileNames(verdicts).joined(separator: ", "))")
        let lost = results.filter { !$0.isClean }
        for result in lost { Console.status("\(result.transport) lost \(result.eventsLost) events: \(result.lostSequences.joined(separator: "; "))") }
        for line in FloorReport.disturbanceLines(results) { Console.status("disturbed: " + line) }
        if !lost.isEmpty || verdicts.contains(where: { $0.verdict == .unmeasurable }) { throw RunFailure(status: 1) }
        try strictOption.check(results)
    }

    /// A measurement's identity: runs with the same arguments are the same run.
    static func key(_ measurement: Claim.Measurement) -> String {
        measurement.kind.rawValue + " " + measurement.arguments.joined(separator: " ")
    }

    /// Reads every claim file under `paths` and turns its run lines into runs, so that every
    /// mistake is reported, with its file and line, before anything is measured.
    static func load(_ paths: [String]) throws(BenchError) -> [(Claim, [(Claim.Measurement, PlannedRun)])] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .usage("no claim file or folder at '\(path)' (run from the repository root, or pass --claims PATH)")
            }
            if isDirectory.boolValue {
                let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { $0.hasSuffix(".claim") }.sorted()
                guard !names.isEmpty else { throw .usage("the folder '\(path)' holds no *.claim files") }
                files += names.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        let payloadNames = PayloadComparison().measurementNames
        var loaded: [(Claim, [(Claim.Measurement, PlannedRun)])] = []
        for file in files {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw .usage("cannot read the claim file '\(file)' as UTF-8 text") }
            do {
                let claim = try Claim.parse(text, file: file)
                var entries: [(Claim.Measurement, PlannedRun)] = []
                for claimCase in claim.cases {
                    for measurement in claimCase.measurements {
                        switch measurement.kind {
                        case .run, .memory:
                            entries.append((measurement, try entry(measurement, file: file)))
                        case .payload:
                            guard payloadNames.contains(measurement.arguments[0]) else {
                                throw ClaimFileError(
                                    file: file, line: measurement.line,
                                    message: "no sample message '\(measurement.arguments[0])'; there are \(payloadNames.joined(separator: ", "))")
                            }
                        }
                    }
                }
                loaded.append((claim, entries))
            } catch let error as ClaimFileError {
                throw .usage(error.description)
            } catch {
                throw .usage("\(file): \(error)")
            }
        }
        return loaded
    }

    /// `run LABEL: TRANSPORT FLAGS…` as one run, with `bench run`'s flags.
    private static func entry(_ measurement: Claim.Measurement, file: String) throws(ClaimFileError) -> PlannedRun {
        func fail(_ message: String) -> ClaimFileError { ClaimFileError(file: file, line: measurement.line, message: message) }
        let line: RunLine
        do {
            line = try RunLine.parse(measurement.arguments)
        } catch {
            throw fail(RunLine.message(for: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "cannot read the run's flags")
        }
        do {
            return try Planner.single(
                transports: line.transport, scenarios: try line.scenarioOptions.scenarios(name: measurement.label),
                registry: .standard(grpc: GRPCTransport.Configuration(pushCall: line.grpcCall), stomp: line.stompOptions.configuration))
        } catch {
            throw fail(error.message)
        }
    }
}

/// The arguments of a claim's `run` line: a transport, then `bench run`'s scenario flags.
struct RunLine: ParsableArguments {
    @Argument(help: "The transport.")
    var transport: String

    @OptionGroup var scenarioOptions: ScenarioOptions

    @Option(name: .customLong("grpc-call"))
    var grpcCall = GRPCTransportClient.Call.serverStreaming

    @OptionGroup var stompOptions: StompOptions
}

extension Error {
    /// One sentence for a claim file's error line.
    var message: String { (self as? BenchError)?.message ?? "\(self)" }
}
