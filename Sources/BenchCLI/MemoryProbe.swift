import BenchCore
import BenchEngine
import BenchReports
import BenchTransports
import Foundation

/// Measures what idle connections cost a server in resident memory: starts `bench serve` in a
/// process of its own (so the clients' memory is not counted), reads its VmRSS, opens the
/// scenario's clients of one transport against it, waits until every client is connected and
/// the server is quiet, and reads VmRSS again. The server publishes nothing meanwhile.
enum MemoryProbe {
    static func measure(_ entry: PlannedRun, position: String) async throws -> IdleMemory {
        let clients = entry.scenario.clients
        Console.status("\(position) \(entry.transport.kind.rawValue): \(clients) idle connections to a `bench serve` process, its resident memory before and after")
        let server = try ServeProcess.start()
        defer { server.stop() }
        try await Task.sleep(for: .milliseconds(300))
        let before = try server.residentBytes()
        return try await server.withClients(entry) { _ in
            let after = try server.residentBytes()
            let memory = IdleMemory(transport: entry.transport.kind.rawValue, connections: clients, residentBytesBefore: before, residentBytesAfter: after)
            Console.status("    done: \(before / 1024) KiB → \(after / 1024) KiB, \(Int(memory.residentBytesPerConnection)) B per connection")
            return memory
        }.value
    }
}

/// `bench serve` as a child process, idle (its first event would come after a day), with its
/// ports read from the endpoint lines it prints.
struct ServeProcess {
    let process: Process
    /// The port of each transport's endpoint, from the endpoint lines.
    let ports: [TransportKind: Int]
    /// The control API's port (the HTTP listener's).
    let port: Int

    /// Runs `entry`'s clients against this server until `body` returns: waits until every
    /// client is connected and the last connections' first writes have settled, calls `body`
    /// with the clients' progress, then stops the clients and returns `body`'s value with their
    /// recorders.
    func withClients<T: Sendable>(
        _ entry: PlannedRun, readyWithin: Duration = .seconds(60), _ body: ([ClientProgress]) async throws -> T
    ) async throws -> (value: T, recorders: [DeliveryRecorder]) {
        let clients = entry.scenario.clients
        let progresses = (0..<clients).map { _ in ClientProgress() }
        guard let port = ports[entry.transport.kind] else {
            throw BenchError.runFailed("`bench serve` printed no endpoint for \(entry.transport.kind.rawValue)")
        }
        let client = entry.transport.makeClient(for: entry.scenario)
        return try await withThrowingTaskGroup(of: DeliveryRecorder.self) { group in
            for index in 0..<clients {
                let target = ClientTarget(host: "127.0.0.1", port: port, clientIndex: index, scenario: entry.scenario)
                let progress = progresses[index]
                group.addTask {
                    var recorder = DeliveryRecorder(progress: progress)
                    await client.run(target, recorder: &recorder)
                    return recorder
                }
            }
            let deadline = ContinuousClock.now + readyWithin
            while !progresses.allSatisfy(\.isReady), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            guard progresses.allSatisfy(\.isReady) else {
                progresses.forEach { $0.requestStop() }
                group.cancelAll()
                throw BenchError.runFailed("only \(progresses.filter(\.isReady).count) of \(clients) \(entry.transport.kind.rawValue) clients connected within \(readyWithin)")
            }
            // Let the last connections' first writes settle before measuring.
            try await Task.sleep(for: .milliseconds(500))
            let value = try await body(progresses)
            progresses.forEach { $0.requestStop() }
            // Stopped clients return once their connection ends; the server is stopped by the
            // caller, so give them a moment and cancel the rest.
            group.addTask {
                try? await Task.sleep(for: .seconds(2))
                throw CancellationError()
            }
            var recorders: [DeliveryRecorder] = []
            while recorders.count < clients {
                do {
                    guard let recorder = try await group.next() else { break }
                    recorders.append(recorder)
                } catch {
                    group.cancelAll()
                }
            }
            group.cancelAll()
            return (value, recorders)
        }
    }

    static func start(arguments extra: [String] = []) throws -> ServeProcess {
        guard FileManager.default.fileExists(atPath: "/proc/self/status") else {
            throw BenchError.usage("memory measurements read /proc/PID/status and need Linux")
        }
        let process = Process()
        process.executableURL = try benchExecutable()
        process.arguments = ["serve", "--rate", "0.00001", "--idle-timeout", "0", "--slow-client-timeout", "0", "--max-connections", "100000"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var text = ""
        let reader = output.fileHandleForReading
        while !(text.contains("\ncontrol ") && text.hasSuffix("\n")) {
            let data = reader.availableData
            guard !data.isEmpty else { process.terminate(); throw BenchError.runFailed("`bench serve` ended before printing its endpoints") }
            text += String(decoding: data, as: UTF8.self)
        }
        // `NAME URL` lines: a transport's endpoint, then `browser` and `control`.
        var ports: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, let port = URL(string: String(parts[1]))?.port { ports[String(parts[0])] = port }
        }
        guard let control = ports.removeValue(forKey: "control") else {
            process.terminate()
            throw BenchError.runFailed("cannot read the ports from `bench serve`'s endpoint lines:\n\(text)")
        }
        return ServeProcess(process: process, ports: Dictionary(uniqueKeysWithValues: ports.map { (TransportKind(rawValue: $0.key), $0.value) }), port: control)
    }

    /// The process's resident set size, VmRSS in /proc/PID/status.
    func residentBytes() throws -> Int { try status("VmRSS") }

    /// The process's peak resident size, VmHWM in /proc/PID/status.
    func peakResidentBytes() throws -> Int { try status("VmHWM") }

    private func status(_ name: String) throws -> Int {
        guard let bytes = ProcessStatus.bytes(name, process: "\(process.processIdentifier)") else {
            throw BenchError.runFailed("cannot read \(name) of process \(process.processIdentifier)")
        }
        return bytes
    }

    /// User and system CPU seconds the process has used, from /proc/PID/stat.
    func cpuSeconds() throws -> (user: Double, system: Double) {
        guard let seconds = ProcessStatus.cpuSeconds(process: "\(process.processIdentifier)") else {
            throw BenchError.runFailed("cannot read CPU times from /proc/\(process.processIdentifier)/stat")
        }
        return seconds
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
    }

    /// This program when it is `bench`; otherwise (a test runner) the `bench` built beside it.
    static func benchExecutable() throws -> URL {
        let me = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        if me.lastPathComponent == "bench" { return me }
        var directory = me.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("bench")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        throw BenchError.usage("cannot find the bench executable next to \(me.path); build it with `swift build --product bench`")
    }
}
