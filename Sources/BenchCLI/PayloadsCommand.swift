import ArgumentParser
import BenchReports
import Foundation

/// `bench payloads`: how much smaller protobuf is than JSON, with the real encoders.
struct PayloadsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "payloads",
        abstract: "Compare JSON and protobuf sizes of sample messages (raw, gzip, and streamed through each transport's compression), and check the notes' User example."
    )

    @Option(name: .long, help: "Folder for report.md, payloads.csv and payloads.json.")
    var output = "Results/payloads"

    func run() async throws {
        let comparison = PayloadComparison()
        print(PayloadsReport.table(comparison))
        print("")
        print(PayloadsReport.streamTable(comparison))
        print("")
        print(PayloadsReport.noteChecks(comparison))
        let directory = URL(fileURLWithPath: output)
        try PayloadsReport.write(comparison, environment: .current(), command: Console.commandLine, to: directory)
        Console.status("reports written to \(directory.path)/: \(PayloadsReport.fileNames.joined(separator: ", "))")
    }
}
