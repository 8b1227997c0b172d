import ArgumentParser
import BenchCore
import Foundation

/// The `bench` command: measures real-time web transports on one loopback server.
///
/// ```
/// bench                                   # the default suite
/// bench run --transport long-polling --clients 100 --output out
/// bench serve                             # endpoints for outside clients
/// ```
public struct Bench: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure what short polling, long polling, SSE, WebSocket and gRPC cost on the wire.",
        discussion: """
            Every byte is counted at the loopback server's sockets; every latency runs from publish to \
            decode on one monotonic clock. Exit status: 0 success, 1 the run completed but lost events \
            or failed a check, 2 bad usage or input.
            """,
        version: "0.1.0",
        subcommands: [SuiteCommand.self, RunCommand.self, ClaimsCommand.self, SweepCommand.self, BaselineCommand.self, ScaleCommand.self, MergeCommand.self, PeerClientCommand.self, PayloadsCommand.self, ServeCommand.self],
        defaultSubcommand: SuiteCommand.self
    )

    public init() {}

    /// Parses `arguments`, runs the command and returns the exit status; errors are printed as
    /// one sentence on stderr, never as a stack trace.
    public static func main(arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as BenchError {
            printError(error.description)
            return error.code == .usage ? 2 : 1
        } catch let failure as RunFailure {
            return failure.status
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return 0
            }
            printError(message(for: error))
            return 2
        }
    }

    static func printError(_ message: String) {
        let line = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        FileHandle.standardError.write(Data("bench: error: \(line)\n".utf8))
    }
}

/// Ends a command with a status after the command has reported why (lost events, failed checks).
struct RunFailure: Error {
    var status: Int32
}
