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
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        {
            return kib * 1024
        }
        var usage = rusage()
        getrusage(selfUsage, &usage)
        #if canImport(Darwin)
        return Int(usage.ru_maxrss)  // bytes on Darwin
        #else
        return Int(usage.ru_maxrss) * 1024
        #endif
    }
}
