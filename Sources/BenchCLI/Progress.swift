#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Synchronization

/// Progress of long work (`bench claims`, `sweep`, `scale`, `baseline`) on stderr, so stdout
/// carries only the results.
///
/// On a terminal it is one line that rewrites itself with the step running, of how many, and
/// what it is doing; ``finish()`` clears it, so the screen keeps only the results. Elsewhere (a
/// log file, a pipe, CI) every step and every detail is a status line of its own.
///
/// ```swift
/// let progress = Progress.standardError()
/// let rows = try await progress.run {
///     progress.step(1, of: 4, "sse: 10000 connections to a `bench serve` process")
///     progress.detail("done: 412 B per connection")
///     …
/// }
/// ```
final class Progress: Sendable {
    /// How progress is shown.
    enum Style: Sendable, Hashable {
        /// One line rewritten in place (`\r`, then erase to the end of the line), cut to `columns`.
        case rewriting(columns: Int)
        /// A line per step (unless `steps` is false: many short steps) and one per detail.
        case lines(steps: Bool)
    }

    private struct State {
        var step = ""
        var detail = ""
        /// What the rewriting line shows now; empty when nothing is drawn.
        var shown = ""
    }

    let style: Style
    private let write: @Sendable (String) -> Void
    private let state = Mutex(State())

    init(style: Style, write: @escaping @Sendable (String) -> Void) {
        (self.style, self.write) = (style, write)
    }

    /// Progress on stderr: rewriting when stderr is a terminal, status lines otherwise;
    /// `logsSteps: false` keeps steps off the status lines (many short steps would flood a log).
    static func standardError(logsSteps: Bool = true) -> Progress {
        let style: Style = isatty(STDERR_FILENO) == 1 ? .rewriting(columns: terminalColumns) : .lines(steps: logsSteps)
        return Progress(style: style) { text in FileHandle.standardError.write(Data(text.utf8)) }
    }

    /// Step `index` (from 1) of `total` begins: `label` says what it does.
    func step(_ index: Int, of total: Int, _ label: String) {
        let line = "[\(index)/\(total)] \(label)"
        switch style {
        case .rewriting:
            state.withLock { state in
                (state.step, state.detail) = (line, "")
                redraw(&state)
            }
        case .lines(let logged):
            if logged { write(line + "\n") }
        }
    }

    /// What the running step is doing now, or what it found.
    func detail(_ text: String) {
        switch style {
        case .rewriting:
            state.withLock { state in
                state.detail = text
                redraw(&state)
            }
        case .lines:
            write("    " + text + "\n")
        }
    }

    /// A line to keep (a warning, a result): printed above the rewriting line.
    func note(_ text: String) {
        state.withLock { state in
            let shown = state.shown
            clear(&state)
            write(text + "\n")
            if !shown.isEmpty { redraw(&state) }
        }
    }

    /// Runs `work`, then clears the line, whether `work` returns or throws.
    func run<T>(_ work: () async throws -> T) async rethrows -> T {
        defer { finish() }
        return try await work()
    }

    /// The work is done: the rewriting line is cleared.
    func finish() {
        state.withLock { state in
            clear(&state)
            (state.step, state.detail) = ("", "")
        }
    }

    private func redraw(_ state: inout State) {
        guard case .rewriting(let columns) = style else { return }
        // A line wider than the terminal wraps, and `\r` would return to its last part only: the
        // step's label gives way to the detail, then the detail is cut too.
        var line = state.step
        if !state.detail.isEmpty {
            let room = max(columns - 1 - state.detail.count - 3, 12)
            line = Self.cut(state.step, to: room) + " · " + state.detail
        }
        line = Self.cut(line, to: columns - 1)
        guard line != state.shown else { return }
        state.shown = line
        write("\r\u{1B}[K" + line)
    }

    /// `text`, or its first `width - 1` characters and `…`.
    private static func cut(_ text: String, to width: Int) -> String {
        text.count <= width ? text : String(text.prefix(max(width - 1, 0))) + "…"
    }

    private func clear(_ state: inout State) {
        guard !state.shown.isEmpty else { return }
        state.shown = ""
        write("\r\u{1B}[K")
    }

    /// stderr's width in columns; 100 when it cannot be read.
    private static var terminalColumns: Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 100 }
        return Int(size.ws_col)
    }
}
