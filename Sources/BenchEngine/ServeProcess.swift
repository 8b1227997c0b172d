import BenchCore
import BenchTLS
import BenchTransports
import Foundation

/// `bench serve` as a child process, idle (its first event would come after a day), with its
/// ports read from the endpoint lines it prints: what ``MemoryProbe`` and ``Scale`` measure, so
/// the server's memory and CPU time are its alone.
///
/// With TLS, the process serves every endpoint (control included) over TLS with a certificate
/// of its own making, which it writes to a file (`--cert-out`); the clients trust that one.
struct ServeProcess {
    let process: Process
    /// The port of each `NAME URL` line `bench serve` printed, by name: each transport's
    /// (`sse`, `grpc`, …), `browser` and `control`.
    let ports: [String: Int]
    /// What clients need to speak TLS to the process; `nil` when it serves cleartext.
    let clientTLS: ClientTLS?

    /// How opening the clients' connections went: its time, and the server's CPU time over it.
    struct Opening: Sendable {
        /// From the first client's start to the last client ready.
        var seconds: Double
        /// The server's CPU time from before the first connection until the last connection's
        /// first writes have settled.
        var userCPUSeconds: Double
        var systemCPUSeconds: Double
    }
    /// The token its `token` line printed (`--auth jwt`), which the clients present.
    let bearerToken: String?

    /// The port of the control API (`POST /control/publish`).
    var controlPort: Int { ports["control"]! }

    /// Runs `client`'s clients of `scenario` against this server until `body` returns: waits
    /// until every client is connected and the last connections' first writes have settled,
    /// calls `body` with the clients' progress, then stops the clients and returns `body`'s
    /// value with their recorders and how opening their connections went.
    func withClients<T: Sendable>(
        _ scenario: Scenario, client: any TransportClient, readyWithin: Duration = .seconds(60), _ body: ([ClientProgress]) async throws -> T
    ) async throws -> (value: T, recorders: [DeliveryRecorder], opening: Opening) {
        let name = client.kind.rawValue
        // The endpoint line of a transport is named after it.
        guard let port = ports[name] else { throw BenchError.runFailed("`bench serve` printed no endpoint for \(name)") }
        return try await Self.withClients(
            scenario, client: client, port: port, tls: clientTLS, bearerToken: bearerToken, cpuSeconds: cpuSeconds, readyWithin: readyWithin, body)
    }

    /// Runs `client`'s clients of `scenario` against the server at `port` on loopback (one
    /// process, or nginx in front of nodes) until `body` returns, as the method above does;
    /// `cpuSeconds` reads the server side's CPU time (the nodes' summed) for ``Opening``.
    static func withClients<T: Sendable>(
        _ scenario: Scenario, client: any TransportClient, port: Int, tls clientTLS: ClientTLS?, bearerToken: String?,
        cpuSeconds: () throws -> (user: Double, system: Double), readyWithin: Duration, _ body: ([ClientProgress]) async throws -> T
    ) async throws -> (value: T, recorders: [DeliveryRecorder], opening: Opening) {
        let clients = scenario.clients
        let name = client.kind.rawValue
        let progresses = (0..<clients).map { _ in ClientProgress() }
        let cpuBefore = try cpuSeconds()
        let start = ContinuousClock.now
        return try await withThrowingTaskGroup(of: DeliveryRecorder.self) { group in
            for index in 0..<clients {
                let target = ClientTarget(
                    host: "127.0.0.1", port: port, clientIndex: index, scenario: scenario, tls: clientTLS, bearerToken: bearerToken)
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
                throw BenchError.runFailed("only \(progresses.filter(\.isReady).count) of \(clients) \(name) clients connected within \(readyWithin)")
            }
            let connectSeconds = (ContinuousClock.now - start).seconds
            // Let the last connections' first writes settle before measuring.
            try await Task.sleep(for: .milliseconds(500))
            let cpuAfter = try cpuSeconds()
            let opening = Opening(
                seconds: connectSeconds, userCPUSeconds: cpuAfter.user - cpuBefore.user, systemCPUSeconds: cpuAfter.system - cpuBefore.system)
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
            return (value, recorders, opening)
        }
    }

    /// Starts `bench serve` with `extra` arguments, and with `tls` when it is enabled, and reads
    /// its endpoint lines (and with TLS the certificate it wrote).
    static func start(arguments extra: [String] = [], tls: TLSSettings = .off) throws -> ServeProcess {
        guard FileManager.default.fileExists(atPath: "/proc/self/status") else {
            throw BenchError.usage("memory measurements read /proc/PID/status and need Linux")
        }
        let certificate = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-serve-\(UUID().uuidString).pem")
        let process = Process()
        process.executableURL = try benchExecutable()
        process.arguments = ["serve", "--rate", "0.00001", "--idle-timeout", "0", "--slow-client-timeout", "0", "--max-connections", "100000"] + extra
            + (tls.enabled ? tls.serveArguments + ["--cert-out", certificate.path] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The control line comes last, then with TLS the certificate's, once the file is written.
        let last = tls.enabled ? "\ncertificate " : "\ncontrol "
        var text = ""
        let reader = output.fileHandleForReading
        while !(text.contains(last) && text.hasSuffix("\n")) {
            let data = reader.availableData
            guard !data.isEmpty else { process.terminate(); throw BenchError.runFailed("`bench serve` ended before printing its endpoints") }
            text += String(decoding: data, as: UTF8.self)
        }
        var ports: [String: Int] = [:]
        var token: String?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else { continue }
            if parts[0] == "token" { token = String(parts[1]) }
            if let port = URL(string: String(parts[1]))?.port { ports[String(parts[0])] = port }
        }
        guard ports["control"] != nil else {
            process.terminate()
            throw BenchError.runFailed("cannot read the ports from `bench serve`'s endpoint lines:\n\(text)")
        }
        guard tls.enabled else { return ServeProcess(process: process, ports: ports, clientTLS: nil, bearerToken: token) }
        defer { try? FileManager.default.removeItem(at: certificate) }
        do {
            let pem = try String(contentsOf: certificate, encoding: .utf8)
            return ServeProcess(process: process, ports: ports, clientTLS: try ClientTLS(settings: tls, trusting: pem), bearerToken: token)
        } catch {
            process.terminate()
            throw BenchError.runFailed("cannot read the certificate `bench serve --tls` wrote to \(certificate.path)", cause: error)
        }
    }

    /// The process's resident set size, VmRSS in /proc/PID/status.
    func residentBytes() throws -> Int { try status("VmRSS") }

    /// The sockets the process holds open: its `/proc/PID/fd` entries that are sockets
    /// (listeners and connections alike).
    func socketCount() throws -> Int {
        let directory = "/proc/\(process.processIdentifier)/fd"
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw BenchError.runFailed("cannot list \(directory)")
        }
        return entries.count { entry in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: directory + "/" + entry))?.hasPrefix("socket:") == true
        }
    }

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
