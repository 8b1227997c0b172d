import BenchCore

/// The names reports give a row's transport: the one place that turns a transport's
/// command-line name (`sse`) into the name a reader sees (`SSE`).
enum ReportNames {
    /// The display name of `result`'s transport, as the run recorded it (its name in documents
    /// written before display names were recorded).
    static func transport(_ result: RunResult) -> String { result.displayName }

    /// The display name of a `bench scale` row's transport.
    static func transport(_ row: ScaleRow) -> String { row.transportName ?? row.transport }
}
