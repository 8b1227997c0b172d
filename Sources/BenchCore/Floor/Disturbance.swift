import Foundation

/// When a run was disturbed: its floor moved, its CPU was stolen, or more tasks wanted to run
/// than the machine has CPUs. A disturbed run's latencies measure the machine as much as the
/// transport; reports say so with the figures, and `--strict` makes `bench` exit 1.
public enum Disturbance {
    /// The floor moved when the burst after the run's last delivery and the burst before its
    /// first publish differ at p50 by more than this factor either way.
    public static let floorMovement = 1.5
    /// CPU was stolen when more than this share of the machine's CPU time over the run went to
    /// the hypervisor's other guests.
    public static let stealShare = 0.02

    /// One sentence with the figures for each way the run was disturbed; empty when it was not.
    /// The third way: the tasks runnable besides the sampling thread, on average over the run,
    /// outnumbered the CPUs.
    public static func reasons(floor: InstrumentFloor?, load: MachineLoad?) -> [String] {
        var reasons: [String] = []
        if let floor, floor.movement > floorMovement {
            reasons.append(
                String(
                    format: "the floor moved from %.1f µs before the clients started to %.1f µs after they stopped (×%.2f, above ×%.1f)",
                    Double(floor.startP50Nanoseconds) / 1e3, Double(floor.endP50Nanoseconds) / 1e3, floor.movement, floorMovement))
        }
        if let load {
            if load.stealShare > stealShare {
                reasons.append(
                    String(
                        format: "%.1f %% of the CPU time was stolen (%.2f s over %d CPUs; more than %.0f %%)",
                        load.stealShare * 100, load.stealSeconds, load.cores, stealShare * 100))
            }
            if load.runnableMean > Double(load.cores) {
                reasons.append(
                    String(
                        format: "%.1f tasks were runnable on average (at most %d, %d samples) on %d CPUs",
                        load.runnableMean, load.runnableMax, load.runnableSamples, load.cores))
            }
        }
        return reasons
    }
}
