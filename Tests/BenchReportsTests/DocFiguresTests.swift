import Foundation
import Testing

/// The figures README.md and docs/ quote agree with the committed Results/, and the check that
/// says so can fail.
///
/// `scripts/doc-figures.py --check` recomputes every `<!-- figures:NAME -->` block from Results/
/// and exits 1 naming each block that differs.
@Suite("docs: every quoted figure comes from Results/")
struct DocFiguresTests {
    /// The package root: three folders above this file (Tests/BenchReportsTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// How long the script may take before the test gives up on it.
    static let timeout: TimeInterval = 60

    struct ScriptRun {
        var status: Int32
        var output: String
        var timedOut: Bool
    }

    /// Runs `python3 scripts/doc-figures.py ARGUMENTS` in the package root, its output (stdout and
    /// stderr) going to a file so a long output cannot block it; stops it after ``timeout``.
    static func runScript(_ arguments: [String]) throws -> ScriptRun {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("doc-figures-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root.appendingPathComponent("scripts/doc-figures.py").path] + arguments
        process.currentDirectoryURL = root
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        try handle.close()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return ScriptRun(status: process.terminationStatus, output: output, timedOut: timedOut)
    }

    @Test("the committed README.md and docs/ quote what the committed Results/ hold")
    func committedDocsAgree() throws {
        let run = try Self.runScript(["--check"])
        #expect(!run.timedOut, "doc-figures.py --check took longer than \(Self.timeout) s")
        #expect(run.status == 0, "docs disagree with Results/ (run python3 scripts/doc-figures.py):\n\(run.output)")
    }

    @Test("a figure changed inside a generated block makes the check fail, naming that block")
    func changedFigureFails() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("doc-figures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: copy) }
        for item in ["README.md", "docs", "Results"] {
            try FileManager.default.copyItem(at: Self.root.appendingPathComponent(item), to: copy.appendingPathComponent(item))
        }

        // The first digit of the default table's first row (below the header and its rule) becomes another digit.
        let readme = copy.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let opening = try #require(text.range(of: "<!-- figures:default-table -->"))
        let closing = try #require(text.range(of: "<!-- /figures:default-table -->", range: opening.upperBound..<text.endIndex))
        let rule = try #require(text.range(of: "| ---", range: opening.upperBound..<closing.lowerBound))
        let rowStart = try #require(text.range(of: "\n", range: rule.upperBound..<closing.lowerBound)).upperBound
        let firstDigit = text[rowStart..<closing.lowerBound].firstIndex { $0.isNumber }
        let digit = try #require(firstDigit)
        let changed = String((text[digit].wholeNumberValue! + 1) % 10)
        try text.replacingCharacters(in: digit...digit, with: changed).write(to: readme, atomically: true, encoding: .utf8)

        let run = try Self.runScript(["--check", "--root", copy.path])
        #expect(!run.timedOut, "doc-figures.py --check took longer than \(Self.timeout) s")
        #expect(run.status == 1, "\(run.output)")
        #expect(run.output.contains("README.md: block 'default-table' differs"), "\(run.output)")
        // Only the changed block is reported: the copy is otherwise the committed docs.
        #expect(run.output.components(separatedBy: " differs ").count == 2, "\(run.output)")
    }
}
