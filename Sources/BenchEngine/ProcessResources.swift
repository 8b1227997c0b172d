#if canImport(Glibc)
import Glibc
private let selfUsage = __rusage_who_t(RUSAGE_SELF.rawValue)
#elseif canImport(Darwin)
import Darwin
private let selfUsage = RUSAGE_SELF
#endif
import Foundation

/// CPU time and resident memory of this process, for every report. An in-process run holds
/// the server and its clients in one process, so these are both together (reports say so).
struct ProcessResources {
    var userSeconds: Double
    var systemSeconds: Double

    /// CPU time used so far (getrusage).
    static func now() -> ProcessResources {
        var usage = rusage()
        getrusage(selfUsage, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ProcessResources(userSeconds: seconds(usage.ru_utime), systemSeconds: seconds(usage.ru_stime))
    }

    /// Resets the peak resident size to the current one (Linux: `5` into /proc/self/clear_refs),
    /// so the peak read after a run is the run's; false where that is not possible, and the
    /// peak is then the process's since it started.
    static func resetPeakResident() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
    }

    /// The peak resident size in bytes: VmHWM on Linux, ru_maxrss elsewhere.
    static func peakResidentBytes() -> Int {
        if let bytes = ProcessStatus.bytes("VmHWM") { return bytes }
        var usage = rusage()
        getrusage(selfUsage, &usage)
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        return Int(usage.ru_maxrss) * 1024
        #endif
    }
}

/// What Linux's /proc tells of a process (this one, `self`, or another by its id).
public enum ProcessStatus {
    /// A `NAME: N kB` line of /proc/PROCESS/status (VmRSS, VmHWM, …) in bytes; nil where
    /// there is none.
    public static func bytes(_ name: String, process: String = "self") -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return nil }
        return kib * 1024
    }

    /// User and system CPU seconds the process has used, from /proc/PROCESS/stat (fields 14
    /// and 15, in clock ticks); nil where there is none.
    public static func cpuSeconds(process: String = "self") -> (user: Double, system: Double)? {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")  // the command name before it may hold spaces
        else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return (user / ticks, system / ticks)
    }
}
