import BenchCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A child process started with `posix_spawn`, with no signal blocked and every signal's
/// disposition at its default.
///
/// Foundation's `Process` passes on the signal mask of the thread that starts it, and Swift's
/// concurrency runs tasks on threads that block every signal: a `redis-server` started from a
/// task that way never sees SIGTERM. Spawning directly lets it start with an empty mask, as from
/// a shell. Its standard input, output and error are `/dev/null`.
struct ChildProcess: Sendable {
    /// The process ID; valid until ``hasExited()`` returned `true`.
    let pid: pid_t

    /// Starts `executable` (a path) with `arguments` and this process's environment.
    static func spawn(_ executable: String, arguments: [String]) throws -> ChildProcess {
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else {
            throw BenchError.runFailed("cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Sends `signal` to the process.
    func send(_ signal: Int32) {
        _ = kill(pid, signal)
    }

    /// Whether the process has exited; the first time it has, this reaps it.
    func hasExited() -> Bool {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        // -1: not our child any more (already reaped).
        return result == pid || result == -1
    }
}
