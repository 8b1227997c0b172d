import Foundation

/// One reading of Linux's `/proc/stat`: the machine's CPU time by kind, its CPUs and the tasks
/// runnable at that moment — what tells a run that something else had the machine.
///
/// ```swift
/// let before = ProcStat.read()
/// // … the run …
/// if let before, let after = ProcStat.read() { print(after.stealTicks - before.stealTicks) }
/// ```
///
/// Times are in clock ticks (`USER_HZ`, 100 a second on Linux) summed over every CPU since boot.
/// The figures are the machine's, not this process's: a neighbour's load counts, which is the
/// point (proc(5)).
public struct ProcStat: Sendable, Hashable {
    /// Every tick of the `cpu` line: user, nice, system, idle, iowait, irq, softirq and steal.
    /// guest and guest_nice are left out: the kernel already counts them in user and nice.
    public var totalTicks: UInt64
    /// Ticks a hypervisor ran something else while a virtual CPU of this machine wanted to run.
    public var stealTicks: UInt64
    /// The `cpuN` lines: CPUs the kernel schedules on.
    public var cores: Int
    /// `procs_running`: tasks (threads) runnable at the moment of reading, the reader included.
    public var procsRunning: Int

    public init(totalTicks: UInt64, stealTicks: UInt64, cores: Int, procsRunning: Int) {
        (self.totalTicks, self.stealTicks, self.cores, self.procsRunning) = (totalTicks, stealTicks, cores, procsRunning)
    }

    /// Reads `text` as `/proc/stat` has it; nil when the `cpu` line or `procs_running` is missing.
    public init?(parsing text: String) {
        var total: UInt64?
        var steal: UInt64 = 0
        var cores = 0
        var running: Int?
        for line in text.split(separator: "\n") where line.hasPrefix("cpu") || line.hasPrefix("procs_running") {
            // Only these lines are split into fields: `intr` alone holds hundreds.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let name = fields.first else { continue }
            if name == "cpu" {
                // user nice system idle iowait irq softirq steal guest guest_nice: older kernels
                // stop earlier, so whatever is there up to steal.
                let ticks = fields.dropFirst().prefix(8).compactMap { UInt64($0) }
                guard ticks.count >= 4 else { return nil }
                total = ticks.reduce(0, +)
                steal = ticks.count >= 8 ? ticks[7] : 0
            } else if name.hasPrefix("cpu"), name.dropFirst(3).allSatisfy(\.isNumber) {
                cores += 1
            } else if name == "procs_running", fields.count > 1 {
                running = Int(fields[1])
            }
        }
        guard let total, let running else { return nil }
        self.init(totalTicks: total, stealTicks: steal, cores: cores, procsRunning: running)
    }

    /// The machine's `/proc/stat` now; nil where there is none (not Linux).
    public static func read() -> ProcStat? {
        (try? String(contentsOfFile: "/proc/stat", encoding: .utf8)).flatMap(ProcStat.init(parsing:))
    }

    /// Stolen ticks between `earlier` and this reading as a share of all ticks between them, from
    /// 0 to 1; 0 when no tick passed.
    public func stealShare(since earlier: ProcStat) -> Double {
        let total = totalTicks &- earlier.totalTicks
        return total == 0 ? 0 : Double(stealTicks &- earlier.stealTicks) / Double(total)
    }
}
