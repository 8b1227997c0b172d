import BenchCore

/// The names reports give a row's transport: the one place that turns a transport's
/// command-line name (`sse`) into the name a reader sees (`SSE`).
enum ReportNames {
    /// The display name of `result`'s transport.
    static func transport(_ result: RunResult) -> String {
        transport(named: result.transport)
    }

    /// The display name of the transport whose command-line name is `name`; `name` itself when
    /// no transport has it.
    static func transport(named name: String) -> String {
        TransportKind(rawValue: name)?.displayName ?? name
    }
}
