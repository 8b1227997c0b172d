import BenchCore
import Foundation

/// Writes `results.json`, `results.csv`, `report.md` and its SVG charts into a folder.
public enum ReportWriter {
    /// The files always written, relative to the output folder (charts come beside them).
    public static let fileNames = ["results.json", "results.csv", "report.md"]

    /// Checks that `directory` exists or can be made, and can be written; one clear sentence if not.
    public static func prepare(_ directory: URL) throws(BenchError) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: directory.path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw .usage("output path '\(directory.path)' exists and is not a folder")
            }
        } else {
            do {
                try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            } catch {
                throw .usage("cannot create output folder '\(directory.path)': \(Self.reason(error))")
            }
        }
        guard manager.isWritableFile(atPath: directory.path) else {
            throw .usage("output folder '\(directory.path)' is not writable")
        }
    }

    /// Writes the reports and the charts `report.md` embeds.
    public static func write(_ document: ResultsDocument, to directory: URL) throws(BenchError) {
        try prepare(directory)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            let json = try encoder.encode(document)
            try json.write(to: directory.appendingPathComponent("results.json"), options: .atomic)
            try Data(CSVReport.render(document).utf8).write(to: directory.appendingPathComponent("results.csv"), options: .atomic)
            try Data(MarkdownReport.render(document).utf8).write(to: directory.appendingPathComponent("report.md"), options: .atomic)
            for chart in SVGCharts.charts(for: document.results) {
                try Data(chart.svg.utf8).write(to: directory.appendingPathComponent(chart.fileName), options: .atomic)
            }
        } catch {
            throw .usage("cannot write reports to '\(directory.path)': \(Self.reason(error))")
        }
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}
