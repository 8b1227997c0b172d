import BenchCore
import Foundation
import NIOCore
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Debian's nginx in front of the server nodes, started with a generated configuration
/// (``NginxConfiguration``) in a temporary directory of its own and stopped with ``stop()``.
///
/// nginx cannot report a port it was given as 0, so ``start(nodes:sticky:host:executable:extraDirectives:readyWithin:)``
/// picks two free loopback ports (binds port 0 and closes) and waits until nginx accepts on both.
///
/// ```swift
/// let balancer = try await NginxBalancer.start(nodes: [.init(httpPort: a.port), .init(httpPort: b.port)], sticky: false)
/// defer { balancer.stop() }
/// // clients connect to balancer.httpPort (HTTP/1.1, WebSocket) or balancer.http2Port (h2c, gRPC)
/// let served = try balancer.requestsByNode()   // [2, 2]
/// ```
public final class NginxBalancer: Sendable {
    /// What nginx runs: the nodes, the listeners' ports, the directory.
    public let configuration: NginxConfiguration
    /// The nginx master process's id.
    public let processIdentifier: Int32
    /// The master process; `nil` once stopped.
    private let process: Mutex<Process?>

    /// The HTTP/1.1 listener's port (plain HTTP and WebSocket upgrades).
    public var httpPort: Int { configuration.httpPort }
    /// The h2c listener's port (HTTP/2 with prior knowledge: gRPC and the HTTP/2 variants).
    public var http2Port: Int { configuration.http2Port }
    /// The configuration file's text, as nginx read it.
    public var configurationText: String { configuration.text }

    private init(configuration: NginxConfiguration, process: sending Process) {
        self.configuration = configuration
        self.processIdentifier = process.processIdentifier
        self.process = Mutex(process)
    }

    deinit { stop() }

    /// Writes the configuration into a new temporary directory, has nginx check it (`nginx -t`),
    /// starts nginx and waits until both listeners accept connections.
    ///
    /// - Parameters:
    ///   - nodes: the server nodes, in order.
    ///   - sticky: hash the `tb_session` cookie (each client to one node) instead of round robin.
    ///   - executable: nginx's path; by default the first `nginx` on `PATH` or in `/usr/sbin`.
    ///   - extraDirectives: directives appended to the `http` block (tests, experiments).
    ///   - readyWithin: how long nginx may take to listen.
    /// - Throws: ``BenchError/usage(_:)`` when nginx is not installed or refuses the
    ///   configuration (with nginx's own error lines); ``BenchError/runFailed(_:cause:)`` when it
    ///   stops or does not listen in time.
    public static func start(
        nodes: [NginxConfiguration.Node], sticky: Bool, host: String = "127.0.0.1", executable: String? = nil,
        extraDirectives: [String] = [], readyWithin: Duration = .seconds(10)
    ) async throws -> NginxBalancer {
        let nginx = try installedNginx(executable)
        let ports = try await freePorts(2, host: host)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-nginx-\(UUID().uuidString)").path
        let configuration = NginxConfiguration(
            nodes: nodes, sticky: sticky, host: host, httpPort: ports[0], http2Port: ports[1], directory: directory,
            runsAsRoot: geteuid() == 0, workerConnections: min(OpenFileLimit.current.soft, 262_144), extraDirectives: extraDirectives)
        let arguments = ["-p", directory, "-c", configuration.file, "-e", configuration.errorLog]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try configuration.text.write(toFile: configuration.file, atomically: true, encoding: .utf8)
            let check = try run(nginx, arguments: ["-t"] + arguments)
            guard check.status == 0 else {
                throw BenchError.usage("nginx refused the balancer's generated configuration: \(errorLines(check.output))")
            }
            let process = try launch(nginx, arguments: arguments, stderr: directory + "/stderr.log")
            let balancer = NginxBalancer(configuration: configuration, process: process)
            try await balancer.waitUntilListening(within: readyWithin)
            return balancer
        } catch {
            try? FileManager.default.removeItem(atPath: directory)
            throw error
        }
    }

    /// The access log so far: a request appears once it has ended.
    public func accessLog() throws -> NginxAccessLog {
        NginxAccessLog(text: try String(contentsOfFile: configuration.accessLog, encoding: .utf8))
    }

    /// How many ended requests each node served, by index in ``NginxConfiguration/nodes``.
    public func requestsByNode() throws -> [Int] { try accessLog().requestsByNode(configuration) }

    /// Stops nginx and removes its directory: SIGTERM (nginx's fast shutdown closes every
    /// connection), then, after 5 s, SIGKILL for the master and its workers. Safe to call twice.
    public func stop() {
        process.withLock { process in
            guard let running = process else { return }
            process = nil
            let workers = Self.children(of: running.processIdentifier)
            kill(running.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(5)
            while running.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
            // A master killed outright leaves its workers running: they go too.
            if running.isRunning {
                kill(running.processIdentifier, SIGKILL)
                for worker in workers { kill(worker, SIGKILL) }
                running.waitUntilExit()
            }
        }
        try? FileManager.default.removeItem(atPath: configuration.directory)
    }

    /// Polls both listeners until each accepts a connection; throws with nginx's own words when
    /// it ends first, or when `limit` passes.
    private func waitUntilListening(within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        let ports = [httpPort, http2Port]
        var waiting = ports
        while !waiting.isEmpty {
            guard process.withLock({ $0?.isRunning ?? false }) else {
                let stderr = (try? String(contentsOfFile: configuration.directory + "/stderr.log", encoding: .utf8)) ?? ""
                let log = (try? String(contentsOfFile: configuration.errorLog, encoding: .utf8)) ?? ""
                throw BenchError.runFailed("nginx stopped before listening: \(Self.errorLines(stderr + log))")
            }
            var still: [Int] = []
            for port in waiting where !(await Self.accepts(host: configuration.host, port: port)) { still.append(port) }
            waiting = still
            guard !waiting.isEmpty else { return }
            guard ContinuousClock.now < deadline else {
                stop()
                throw BenchError.runFailed(
                    "nginx did not listen on \(configuration.host) port \(waiting.map(String.init).joined(separator: ", ")) within \(limit)"
                )
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// `executable` when it can run; without one, the first `nginx` on `PATH`, then in the sbin
    /// folders a user's `PATH` may lack.
    static func installedNginx(_ executable: String? = nil) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":").map(String.init) ?? []
        let candidates = executable.map { [$0] } ?? (path + ["/usr/sbin", "/usr/local/sbin", "/sbin"]).map { $0 + "/nginx" }
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw BenchError.usage("--balancer nginx needs nginx, which is not installed: install Debian's nginx (`apt-get install nginx`)")
    }

    /// nginx's error lines (`nginx: [emerg] …`, `… [alert] …`) in `output`, joined; all of it
    /// when none is marked.
    static func errorLines(_ output: String) -> String {
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let marked = lines.filter { line in ["[emerg]", "[alert]", "[crit]", "[error]"].contains { line.contains($0) } }
        return (marked.isEmpty ? lines : marked).joined(separator: "; ")
    }

    /// Runs `executable` to its end; its exit status and what it wrote (stdout and stderr).
    private static func run(_ executable: String, arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Starts `executable` with its standard error in the file `stderr`.
    private static func launch(_ executable: String, arguments: [String], stderr: String) throws -> Process {
        guard FileManager.default.createFile(atPath: stderr, contents: nil) else {
            throw BenchError.runFailed("cannot create \(stderr) for nginx")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try process.run()
        return process
    }

    /// `count` distinct ports free on `host` now: each bound to port 0 and closed.
    static func freePorts(_ count: Int, host: String) async throws -> [Int] {
        var channels: [any Channel] = []
        func closeAll() async { for channel in channels { try? await channel.close() } }
        do {
            for _ in 0..<count {
                channels.append(try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: host, port: 0).get())
            }
        } catch {
            await closeAll()
            throw BenchError.runFailed("cannot find a free port on \(host) for nginx", cause: error)
        }
        let ports = channels.compactMap { $0.localAddress?.port }
        await closeAll()
        return ports
    }

    /// Whether a TCP connection to `host:port` is accepted.
    private static func accepts(host: String, port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(500)).connect(host: host, port: port).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    /// The child processes of `pid` (nginx's workers), from `/proc`; empty where it cannot tell.
    private static func children(of pid: Int32) -> [Int32] {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
