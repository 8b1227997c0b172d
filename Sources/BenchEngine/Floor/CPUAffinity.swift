#if canImport(Glibc)
import Glibc
#endif

/// Which CPUs this process may run on, and pinning the calling thread to one of them (Linux's
/// `sched_getaffinity` and `sched_setaffinity`; elsewhere nothing is pinned).
enum CPUAffinity {
    /// The CPUs the calling thread may run on, in order; empty where that cannot be read.
    static func allowed() -> [Int] {
        #if canImport(Glibc)
        var set = cpu_set_t()
        guard let getAffinity = call("sched_getaffinity"), getAffinity(0, MemoryLayout<cpu_set_t>.size, &set) == 0 else { return [] }
        return withUnsafeBytes(of: &set) { bytes in
            (0..<bytes.count * 8).filter { bytes[$0 / 8] & (1 << ($0 % 8)) != 0 }
        }
        #else
        return []
        #endif
    }

    /// Keeps the calling thread on `cpu` from now on; false where that is not possible.
    @discardableResult
    static func pin(to cpu: Int) -> Bool {
        #if canImport(Glibc)
        var set = cpu_set_t()
        guard cpu >= 0, cpu < MemoryLayout<cpu_set_t>.size * 8, let setAffinity = call("sched_setaffinity") else { return false }
        withUnsafeMutableBytes(of: &set) { $0[cpu / 8] |= UInt8(1 << (cpu % 8)) }
        return setAffinity(0, MemoryLayout<cpu_set_t>.size, &set) == 0
        #else
        return false
        #endif
    }

    #if canImport(Glibc)
    /// `int sched_…affinity(pid_t pid, size_t size, cpu_set_t *set)`; pid 0 is the calling thread.
    private typealias AffinityCall = @convention(c) (pid_t, Int, UnsafeMutableRawPointer?) -> Int32

    /// The C library's function `name`, looked up at run time: Glibc's Swift module leaves the
    /// GNU extensions out (they need `_GNU_SOURCE`), and the affinity calls are among them.
    private static func call(_ name: String) -> AffinityCall? {
        guard let program = dlopen(nil, RTLD_NOW), let symbol = dlsym(program, name) else { return nil }
        return unsafeBitCast(symbol, to: AffinityCall.self)
    }
    #endif
}
