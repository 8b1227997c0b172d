#if canImport(Glibc)
import Glibc
private let openFiles = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#elseif canImport(Darwin)
import Darwin
private let openFiles = RLIMIT_NOFILE
#endif
import BenchCore

/// The process's limit on open file descriptors (`RLIMIT_NOFILE`), which every socket counts
/// against: an in-process run holds two per connection (the client's end and the server's).
public enum OpenFileLimit {
    /// The soft and hard limits now.
    public static var current: (soft: Int, hard: Int) {
        var limit = rlimit()
        getrlimit(openFiles, &limit)
        return (clamp(limit.rlim_cur), clamp(limit.rlim_max))
    }

    private static func clamp(_ value: rlim_t) -> Int { value > rlim_t(Int.max) ? Int.max : Int(value) }

    /// Makes room for `needed` descriptors: raises the soft limit (up to the hard one), and the
    /// hard one too when the process may (root, or CAP_SYS_RESOURCE). Throws a usage error that
    /// says what to change when it cannot.
    public static func ensure(_ needed: Int, for purpose: String) throws(BenchError) {
        let (soft, hard) = current
        guard soft < needed else { return }
        var limit = rlimit(rlim_cur: rlim_t(needed), rlim_max: rlim_t(Swift.max(hard, needed)))
        if setrlimit(openFiles, &limit) == 0 { return }
        throw .usage(
            "\(purpose) needs \(needed) open files but the limit is \(soft) (hard \(hard)) "
                + "and this process may not raise it: run `ulimit -n \(needed)` in the shell first (as root, or after raising the hard limit "
                + "with `prlimit` or in /etc/security/limits.conf), or use fewer --clients"
        )
    }
}
