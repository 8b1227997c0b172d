import Synchronization
import Testing

@testable import BenchCLI

/// Progress on stderr: one rewriting line on a terminal, status lines elsewhere.
@Suite("Progress on stderr")
struct CommandLineProgressTests {
    /// What the progress wrote, in order.
    final class Output: Sendable {
        private let written = Mutex("")
        var text: String { written.withLock { $0 } }
        func append(_ text: String) { written.withLock { $0 += text } }
    }

    /// Return to the line's start and erase it.
    static let clear = "\r\u{1B}[K"

    @Test("on a terminal one line rewrites itself with the step of how many and its detail, cut to fit, and is cleared at the end")
    func rewriting() {
        let output = Output()
        let progress = Progress(style: .rewriting(columns: 40), write: output.append)
        progress.step(1, of: 3, "sse")
        progress.detail("running")
        progress.detail("running")
        progress.note("warning: kept")
        progress.step(2, of: 3, "a very long label that does not fit in forty columns")
        progress.detail("done")
        progress.finish()
        let clear = Self.clear
        #expect(
            output.text
                == clear + "[1/3] sse" + clear + "[1/3] sse · running" + clear + "warning: kept\n" + clear + "[1/3] sse · running"
                + clear + "[2/3] a very long label that does not …"
                + clear + "[2/3] a very long label that do… · done" + clear)
    }

    @Test("elsewhere each step and each detail is a status line, and nothing is erased")
    func lines() {
        let output = Output()
        let progress = Progress(style: .lines(steps: true), write: output.append)
        progress.step(1, of: 2, "sse")
        progress.detail("done: 412 B per connection")
        progress.note("warning: kept")
        progress.finish()
        #expect(output.text == "[1/2] sse\n    done: 412 B per connection\nwarning: kept\n")

        let quiet = Output()
        let many = Progress(style: .lines(steps: false), write: quiet.append)
        many.step(1, of: 40, "round 1 of 10: raw TCP")
        many.finish()
        #expect(quiet.text.isEmpty, "many short steps stay off a log")
    }
}
