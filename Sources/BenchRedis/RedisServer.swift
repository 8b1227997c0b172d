import BenchCore
import Foundation
import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A `redis-server` process of its own, on a free loopback port, without persistence.
///
/// It writes its configuration (`bind 127.0.0.1`, the port, `save ""`, `appendonly no`,
/// `daemonize no`, its log file) into a fresh temporary directory, which is also Redis's working
/// directory, and returns once Redis answers `PING` with `PONG`.
///
/// ```swift
/// let redis = try await RedisServer.start()
/// defer { Task { await redis.stop() } }   // or stop it yourself, also on failure
/// let endpoint = redis.endpoint           // redis://127.0.0.1:PORT
/// ```
///
/// ``kill()`` ends it the hard way (Redis dying mid-run); ``restart()`` starts it again on the
/// same port.
public actor RedisServer {
    /// The loopback port it listens on, the same across restarts.
    public nonisolated let port: Int
    /// Where it listens.
    public nonisolated var endpoint: RedisEndpoint { RedisEndpoint(host: "127.0.0.1", port: port) }
    /// `redis://127.0.0.1:PORT`.
    public nonisolated var url: String { endpoint.url }

    private let executable: URL
    private nonisolated let directory: URL
    /// Redis's log file, in its directory.
    nonisolated var logFile: URL { directory.appendingPathComponent("redis.log") }
    private let readyWithin: Duration
    /// The running `redis-server`; `nil` once it has exited.
    private var process: ChildProcess?

    private init(executable: URL, directory: URL, port: Int, readyWithin: Duration) {
        self.executable = executable
        self.directory = directory
        self.port = port
        self.readyWithin = readyWithin
    }

    /// Starts `executable` (looked up in `PATH` unless it is a path) and waits until it answers.
    ///
    /// - Throws: ``BenchError/usage(_:)`` when there is no such program;
    ///   ``BenchError/runFailed(_:cause:)`` with the last line of Redis's log when it does not
    ///   answer `PING` within `readyWithin`.
    public static func start(executable: String = "redis-server", readyWithin: Duration = .seconds(10)) async throws -> RedisServer {
        guard let program = find(executable) else {
            throw BenchError.usage("cannot find `\(executable)`; install Debian's redis-server package (apt-get install redis-server)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("transportbench-redis-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let server = RedisServer(executable: program, directory: directory, port: try freeLoopbackPort(), readyWithin: readyWithin)
        do {
            try await server.launch()
        } catch {
            await server.stop()
            throw error
        }
        return server
    }

    /// The process ID of the running `redis-server`, for reading its CPU time and memory.
    public var processIdentifier: Int32? {
        process?.pid
    }

    /// Ends Redis with SIGTERM (SIGKILL if it has not exited after 5 s) and removes its directory.
    public func stop() async {
        await end(signal: SIGTERM)
        try? FileManager.default.removeItem(at: directory)
    }

    /// Ends Redis with SIGKILL at once, as if it crashed; its directory stays for ``restart()``
    /// or ``stop()``.
    public func kill() async {
        await end(signal: SIGKILL)
    }

    /// Ends Redis (if it runs) and starts it again on the same port, empty.
    public func restart() async throws {
        await end(signal: SIGTERM)
        try await launch()
    }

    /// Writes the configuration, starts the process and waits until it answers `PING`.
    private func launch() async throws {
        let configuration = directory.appendingPathComponent("redis.conf")
        let log = logFile
        try Self.configuration(port: port, directory: directory, log: log).write(to: configuration, atomically: true, encoding: .utf8)
        let process = try ChildProcess.spawn(executable.path, arguments: [configuration.path])
        self.process = process
        let deadline = ContinuousClock.now + readyWithin
        var exited = false
        while ContinuousClock.now < deadline, !exited {
            if await answersPing() { return }
            try await Task.sleep(for: .milliseconds(50))
            exited = process.hasExited()
        }
        if exited { self.process = nil }
        let what = exited ? "exited" : "did not answer PING within \(readyWithin)"
        let lastLine = (try? String(contentsOf: log, encoding: .utf8))?.split(separator: "\n").last.map { ": \($0)" } ?? ""
        await end(signal: SIGKILL)
        throw BenchError.runFailed("redis-server on 127.0.0.1:\(port) \(what)\(lastLine)")
    }

    private func answersPing() async -> Bool {
        guard let connection = try? await RedisConnection.connect(to: endpoint, timeout: .milliseconds(500)) else { return false }
        let reply = try? await connection.send("PING")
        await connection.close()
        return reply?.string == "PONG"
    }

    /// Sends `signal` and waits for the process to exit, with SIGKILL after 5 s.
    private func end(signal: Int32) async {
        guard let process else { return }
        self.process = nil
        process.send(signal)
        let deadline = ContinuousClock.now + .seconds(5)
        var killed = signal == SIGKILL
        while !process.hasExited() {
            if !killed, ContinuousClock.now >= deadline {
                process.send(SIGKILL)
                killed = true
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The configuration file: loopback only, no persistence, everything in `directory`.
    static func configuration(port: Int, directory: URL, log: URL) -> String {
        """
        bind 127.0.0.1
        port \(port)
        daemonize no
        save ""
        appendonly no
        dir "\(directory.path)"
        logfile "\(log.path)"

        """
    }

    /// `name` itself when it is a path, else the first executable `name` in `PATH` (or /usr/bin,
    /// /usr/sbin, where Debian puts it).
    private static func find(_ name: String) -> URL? {
        let fileManager = FileManager.default
        if name.contains("/") { return fileManager.isExecutableFile(atPath: name) ? URL(fileURLWithPath: name) : nil }
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
        return (path + ["/usr/bin", "/usr/sbin"]).lazy.map { URL(fileURLWithPath: $0).appendingPathComponent(name) }
            .first { fileManager.isExecutableFile(atPath: $0.path) }
    }

    /// A port no one listens on now: the one the kernel picks for a socket bound to port 0.
    static func freeLoopbackPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw BenchError.runFailed("cannot open a socket to find a free port") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let found = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard found else { throw BenchError.runFailed("cannot bind a socket to 127.0.0.1 to find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
