import ArgumentParser
import BenchCore
import BenchReports
import Foundation

/// `bench merge`: several load hosts' results as one report, with exact percentiles.
struct MergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Combine the results.json of several load hosts (bench run --target … --hosts N, or separate runs of one scenario) into one report.",
        discussion: "Rows match by transport, variant, HTTP version, encoding and direction. Client counts and payload are summed; the server's counts are taken once per run (the hosts of one run must agree on them); latency percentiles come from the hosts' HdrHistograms added together, not from averaging percentiles."
    )

    @Argument(help: "results.json files, or folders that hold one.")
    var inputs: [String]

    @Option(name: .long, help: "Folder for the merged results.json, results.csv and report.md.")
    var output: String?

    func validate() throws {
        guard inputs.count >= 2 else { throw ValidationError("give at least two results.json files or folders to merge (got \(inputs.count))") }
        if let output { do { try ReportWriter.prepare(URL(fileURLWithPath: output)) } catch { throw ValidationError(error.message) } }
    }

    func run() throws {
        let document = try ResultsMerge.merge(try inputs.map(Self.read), command: Console.commandLine)
        print(TerminalTable.render(document.results))
        let problems = MarkdownReport.problems(document.results)
        if !problems.isEmpty {
            print("")
            for line in problems { print("- " + line) }
        }
        if let output {
            let directory = URL(fileURLWithPath: output)
            try ReportWriter.write(document, to: directory)
            Console.status("reports written to \(directory.path)/: \(ReportWriter.fileNames.joined(separator: ", "))")
        }
        if !document.isClean { throw RunFailure(status: 1) }
    }

    /// One input: a results.json, or a folder holding one.
    static func read(_ path: String) throws(BenchError) -> ResultsMerge.Input {
        var url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else { throw .usage("no such file or folder: \(path)") }
        if isDirectory.boolValue { url.appendPathComponent("results.json") }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw .usage("cannot read \(url.path): \(error.localizedDescription)") }
        do {
            return ResultsMerge.Input(name: path, document: try JSONDecoder().decode(ResultsDocument.self, from: data))
        } catch {
            throw .usage("\(url.path) is not a results.json bench wrote (\(error))")
        }
    }
}
