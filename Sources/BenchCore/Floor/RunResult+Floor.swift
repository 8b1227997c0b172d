extension RunResult {
    /// Whether the run was disturbed (``Disturbance``): its floor moved, its CPU was stolen or
    /// its runnable load exceeded the cores.
    public var isDisturbed: Bool { disturbed ?? false }

    /// Fills the floor, the latency ratios to it, the row's target, the machine's load and the
    /// disturbance check from what the run's monitor measured; `floor` is `nil` when no probe ran.
    public mutating func recordConditions(floor: InstrumentFloor?, load: MachineLoad?) {
        instrumentFloor = floor
        machineLoad = load
        if let floor, floor.oneWayNanoseconds > 0 {
            let oneWay = Double(floor.oneWayNanoseconds)
            instrumentFloorOneWayNanoseconds = floor.oneWayNanoseconds
            if latencySamples > 0 {
                latencyP50ToFloor = Double(latencyP50Nanoseconds) / oneWay
                latencyP99ToFloor = Double(latencyP99Nanoseconds) / oneWay
                if let target = LatencyTarget.ratio(transport: transport, delivery: delivery, direction: direction, clients: clients) {
                    latencyTargetToFloor = target
                    latencyTargetMet = latencyP50ToFloor! <= target
                }
            }
        }
        let reasons = Disturbance.reasons(floor: floor, load: load)
        disturbances = reasons
        disturbed = !reasons.isEmpty
    }
}
