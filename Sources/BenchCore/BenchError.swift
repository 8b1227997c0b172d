/// An error a person can read: one sentence saying what is wrong and what to do.
///
/// Modelled on grpc-swift's `RuntimeError`: a ``Code`` that decides the exit status, a message,
/// and an optional underlying cause.
public struct BenchError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; it decides `bench`'s exit status.
    public enum Code: Sendable, Hashable {
        /// Bad usage or bad input: exit status 2.
        case usage
        /// The run could not be carried out (a socket failed, a client never became ready).
        case runFailed
    }

    public var code: Code
    public var message: String
    public var cause: (any Error)?

    public init(code: Code, message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// A usage error: the input is wrong and the user can fix it.
    public static func usage(_ message: String) -> BenchError {
        BenchError(code: .usage, message: message)
    }

    /// A failure while running.
    public static func runFailed(_ message: String, cause: (any Error)? = nil) -> BenchError {
        BenchError(code: .runFailed, message: message, cause: cause)
    }

    public var description: String {
        if let cause { return "\(message) (\(cause))" }
        return message
    }
}
