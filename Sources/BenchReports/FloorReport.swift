import BenchCore
import Foundation

/// Each row against its own run's floor (``InstrumentFloor``): the ratios, the push targets
/// (``LatencyTarget``) and whether they were met, and whether the run was disturbed
/// (``Disturbance``) — as a section of `report.md` and as lines under `bench`'s table.
public enum FloorReport {
    /// `report.md`'s section: heading, table, how to read it and every disturbed run; empty when
    /// no row was watched (documents written before the floor).
    public static func section(_ results: [RunResult]) -> String {
        let watched = results.filter { $0.disturbed != nil }
        guard !watched.isEmpty else { return "" }
        var text = """
            ### Against the in-run floor

            \(table(watched))

            **Floor** is the instrument's one-way floor measured during each row's own run: a \
            \(watched.first?.instrumentFloor?.messageBytes ?? 64)-byte message over raw TCP on loopback (blocking POSIX sockets, a \
            thread at each end kept on two different CPUs\(placement(watched)), one message in flight), stamped on the monotonic clock before the \
            write and timed when the receiver has read it all — one way, measured, not half a round \
            trip. Bursts of it come before the clients start, every half \
            second during the run and after they stopped; its p50 over all of them is the \
            floor (**start → end** are the first and last bursts'). Behind an emulated link the \
            floor is that loopback figure plus the link's one-way delay: the probe does not cross \
            the emulator. **p50 ÷ floor** and **p99 ÷ floor** divide the row's latency by the floor \
            (p50); **Target** is the push target for the row's transport and client count (1 client: \
            WebSocket and SSE 1.5×, long polling and gRPC 2.5×; 10 clients: 3×; none for polling \
            on an interval, echo or upload); a row that misses it does not fail the run. **Probe CPU** \
            is what the probe's two threads and the readings below cost the run. **Steal** is the \
            machine's CPU time a hypervisor gave to others over the run (/proc/stat), **Runnable** \
            the tasks runnable besides the reading thread, sampled every 0.1 s (mean / largest), \
            against the CPUs. A run is **disturbed** when its floor moved by more than \
            ×\(Format.decimal(Disturbance.floorMovement, places: 1)) between start and end, more than \
            \(Format.decimal(Disturbance.stealShare * 100, places: 0)) % of its CPU time was stolen, or its mean runnable \
            load exceeded the CPUs; `--strict` then makes `bench` exit 1.

            """
        if results.contains(where: { $0.target != nil && $0.instrumentFloor == nil }) {
            text += """

                Rows against a server elsewhere (`--target`) have no floor: a one-way probe needs both \
                ends on one clock, and this host's loopback is not the path to that server (its \
                clock is related to this one only within half a control round trip, more than \
                the loopback floor itself). Their load figures are this host's.

                """
        }
        let lines = disturbanceLines(results)
        if !lines.isEmpty { text += "\n" + lines.map { "- **Disturbed**: " + $0 }.joined(separator: "\n") + "\n" }
        return text
    }

    /// One row per watched run.
    public static func table(_ results: [RunResult]) -> String {
        let header = [
            "Transport", "Variant, HTTP, encoding", "Clients", "Floor one-way (µs)", "Floor start → end (µs)", "p50 ÷ floor", "p99 ÷ floor",
            "Target (p50 ÷ floor)", "Probe samples", "Probe CPU (ms)", "Steal (%)", "Runnable (mean / max)", "CPUs", "Disturbed",
        ]
        var rows = [header]
        for result in results {
            let floor = result.instrumentFloor
            let load = result.machineLoad
            rows.append([
                result.displayName, result.variantLabel(), "\(result.clients)",
                floor.map { microseconds($0.oneWayNanoseconds) + ($0.linkNanoseconds > 0 ? " (link \(microseconds($0.linkNanoseconds)))" : "") } ?? "–",
                floor.map { "\(microseconds($0.startP50Nanoseconds)) → \(microseconds($0.endP50Nanoseconds))" } ?? "–",
                ratio(result.latencyP50ToFloor), ratio(result.latencyP99ToFloor), target(result),
                floor.map { "\($0.samples)" } ?? "–", floor.map { Format.decimal($0.cpuSeconds * 1e3, places: 1) } ?? "–",
                load.map { Format.percent($0.stealShare) } ?? "–",
                load.map { "\(Format.decimal($0.runnableMean, places: 1)) / \($0.runnableMax)" } ?? "–", load.map { "\($0.cores)" } ?? "–",
                result.isDisturbed ? "**yes**" : "no",
            ])
        }
        return MarkdownReport.render(rows, rightAligned: Set(2..<header.count - 1))
    }

    /// Lines for the terminal, under the results table: each watched row's floor, ratios and
    /// target, then each disturbed run's reasons; empty when no row was watched.
    public static func terminalLines(_ results: [RunResult]) -> [String] {
        let watched = results.filter { $0.disturbed != nil }
        guard !watched.isEmpty else { return [] }
        let names = watched.map { "\($0.displayName) \($0.variantLabel(layers: false))" + ($0.scaleOut.map { ", " + $0.settings.label } ?? "") }
        let width = min(names.map(\.count).max() ?? 0, 44)
        var lines = ["In-run floor (raw TCP one way, p50) and latency ÷ floor:"]
        for (result, name) in zip(watched, names) {
            let shown = name.count > width ? String(name.prefix(width - 1)) + "…" : name + String(repeating: " ", count: width - name.count)
            guard let floor = result.instrumentFloorOneWayNanoseconds else {
                lines.append("  \(shown)  no floor (server elsewhere)")
                continue
            }
            var line = "  \(shown)  floor \(microseconds(floor)) µs  p50 \(ratio(result.latencyP50ToFloor))  p99 \(ratio(result.latencyP99ToFloor))"
            if result.latencyTargetToFloor != nil { line += "  target \(target(result))" }
            lines.append(line)
        }
        for line in disturbanceLines(results) { lines.append("Disturbed: " + line) }
        return lines
    }

    /// `WebSocket push, HTTP/1.1, json: the floor moved …; …` for each disturbed run.
    public static func disturbanceLines(_ results: [RunResult]) -> [String] {
        results.filter(\.isDisturbed).map { result in
            "\(result.displayName) \(result.variantLabel()), \(result.clients) client\(result.clients == 1 ? "" : "s"): "
                + (result.disturbances ?? []).joined(separator: "; ")
        }
    }

    /// `: sender on CPU 0, receiver on CPU 1` as the first probed row ran, or nothing.
    static func placement(_ results: [RunResult]) -> String {
        results.lazy.compactMap { $0.instrumentFloor?.placement }.first.map { ": " + $0 } ?? ""
    }

    /// `≤ 1.5×: met`, `≤ 3×: **not met**`, or `–` without a target.
    static func target(_ result: RunResult) -> String {
        guard let target = result.latencyTargetToFloor, let met = result.latencyTargetMet else { return "–" }
        return "≤ \(Format.significant(target))×: " + (met ? "met" : "not met")
    }

    static func ratio(_ value: Double?) -> String {
        value.map { Format.decimal($0, places: 2) + "×" } ?? "–"
    }

    static func microseconds(_ nanoseconds: UInt64) -> String {
        Format.decimal(Double(nanoseconds) / 1e3, places: 1)
    }
}
