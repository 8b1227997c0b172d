import BenchCore

/// The results as `bench` prints them: seven columns that fit a 100-column terminal.
///
/// Each row names its transport, variant, HTTP version and encoding, then its deliveries,
/// requests, wire bytes per delivered event, overhead and two latency percentiles; the header's
/// second line gives each column's unit. The full table, with every count, is `report.md`'s
/// (``MarkdownReport/table(_:)``).
///
/// ```
///                                              Delivered             Wire B  Overhead    p50    p99
/// Transport, variant                          / expected  Requests  / event       (%)   (ms)   (ms)
/// -----------------------------------------  -----------  --------  -------  --------  -----  -----
/// Short polling keep-alive, HTTP/1.1, json   1000 / 1000       119    212.6      13.0  249.4  492.8
/// SSE event-stream, HTTP/1.1, json           1000 / 1000        10    208.3      11.2  0.910  2.068
/// ```
public enum TerminalTable {
    /// The widest line the table takes, in characters: names are cut short (`…`) to stay inside it.
    public static let width = 100

    /// The shortest a cut name becomes.
    static let shortestName = 16

    /// The table for `results`, header first, one line per row, without a final newline.
    public static func render(_ results: [RunResult]) -> String {
        let header = [
            ["", "Transport, variant"], ["Delivered", "/ expected"], ["", "Requests"], ["Wire B", "/ event"],
            ["Overhead", "(%)"], ["p50", "(ms)"], ["p99", "(ms)"],
        ]
        let rows = results.map { result in
            // A host's share of a multi-host run: the bytes are the whole run's, the deliveries its own.
            let perEvent = { (text: String) in result.isHostShare ? "–" : text }
            return [
                // A scale-out row's deployment goes first, so a cut-short name still tells the rows apart.
                (result.scaleOut.map { "[\($0.settings.shortLabel)] " } ?? "")
                    + "\(result.displayName) \(result.variantLabel(layers: false))" + (result.compressionOn ? ", compressed" : ""),
                "\(result.eventsDelivered) / \(result.deliveriesExpected)",
                "\(result.requests)",
                perEvent(Format.decimal(result.bytesPerDeliveredEvent, places: 1)),
                perEvent(Format.percent(result.overheadRatio)),
                Format.milliseconds(result.latencyP50Nanoseconds),
                Format.milliseconds(result.latencyP99Nanoseconds),
            ]
        }
        var widths = header.indices.map { column in
            (header[column] + rows.map { $0[column] }).map(\.count).max() ?? 0
        }
        // Numbers keep their width; the names give way.
        let total = widths.reduce(0, +) + 2 * (widths.count - 1)
        if total > width { widths[0] = max(shortestName, widths[0] - (total - width)) }

        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let text = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column == 0 ? text + padding : padding + text
            }.joined(separator: "  ")
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header.map { $0[0] }), line(header.map { $0[1] }), rule] + rows.map(line) + tlsNote(results)).joined(separator: "\n")
    }

    /// Which rows ran over TLS, in a line under the table (a row's name has no room for it).
    static func tlsNote(_ results: [RunResult]) -> [String] {
        let rows = results.filter(\.isTLS)
        guard !rows.isEmpty else { return [] }
        let labels = Set(rows.map { $0.tls ?? "TLS" }).sorted().joined(separator: "; ")
        return ["Over TLS (\(labels)): " + (rows.count == results.count ? "every row" : "\(rows.count) of \(results.count) rows") + "."]
    }
}
