/// What else the machine did during a run, from `/proc/stat` (``ProcStat``): CPU time a
/// hypervisor stole, and how many tasks were runnable against how many CPUs.
public struct MachineLoad: Codable, Sendable, Hashable {
    /// CPUs the kernel schedules on (`cpuN` lines of /proc/stat).
    public var cores: Int
    /// Stolen CPU time over the run, in seconds summed over every CPU, and as a share of all
    /// the machine's CPU time over the run (0 to 1).
    public var stealSeconds: Double
    public var stealShare: Double
    /// Runnable tasks besides the thread that read them (`procs_running` − 1), sampled every
    /// ``sampleIntervalSeconds`` during the run: their mean and largest value, and how many
    /// samples there were. This process's own busy threads count too.
    public var runnableMean: Double
    public var runnableMax: Int
    public var runnableSamples: Int
    public var sampleIntervalSeconds: Double

    public init(
        cores: Int, stealSeconds: Double, stealShare: Double, runnableMean: Double, runnableMax: Int, runnableSamples: Int, sampleIntervalSeconds: Double
    ) {
        self.cores = cores
        self.stealSeconds = stealSeconds
        self.stealShare = stealShare
        self.runnableMean = runnableMean
        self.runnableMax = runnableMax
        self.runnableSamples = runnableSamples
        self.sampleIntervalSeconds = sampleIntervalSeconds
    }

    /// The load between two readings, with `procsRunning` the `procs_running` figures sampled
    /// between them and `ticksPerSecond` the kernel's `USER_HZ`.
    public init(from start: ProcStat, to end: ProcStat, procsRunning: [Int], ticksPerSecond: Double, sampleIntervalSeconds: Double) {
        let others = procsRunning.map { max(0, $0 - 1) }
        self.init(
            cores: end.cores,
            stealSeconds: Double(end.stealTicks &- start.stealTicks) / ticksPerSecond,
            stealShare: end.stealShare(since: start),
            runnableMean: others.isEmpty ? 0 : Double(others.reduce(0, +)) / Double(others.count),
            runnableMax: others.max() ?? 0,
            runnableSamples: others.count,
            sampleIntervalSeconds: sampleIntervalSeconds)
    }
}
