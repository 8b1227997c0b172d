import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The machine and build a report's numbers came from.
public struct EnvironmentInfo: Codable, Sendable, Hashable {
    public var cpuModel: String
    public var cores: Int
    public var operatingSystem: String
    public var kernel: String
    public var swiftVersion: String
    /// `git rev-parse HEAD` of the working directory, `unknown` outside a checkout.
    public var gitCommit: String
    /// Whether the checkout had uncommitted changes outside `Results/` (reports do not change what is measured).
    public var gitDirty: Bool
    /// `debug` or `release`.
    public var buildConfiguration: String
    /// ISO 8601, UTC.
    public var date: String

    public init(
        cpuModel: String, cores: Int, operatingSystem: String, kernel: String, swiftVersion: String,
        gitCommit: String, gitDirty: Bool, buildConfiguration: String, date: String
    ) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.operatingSystem = operatingSystem
        self.kernel = kernel
        self.swiftVersion = swiftVersion
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.buildConfiguration = buildConfiguration
        self.date = date
    }

    /// Reads the environment of this process.
    public static func current(now: Date = Date()) -> EnvironmentInfo {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        let commit = run("git", ["rev-parse", "HEAD"]) ?? "unknown"
        let dirty = commit != "unknown" && !(run("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ":(exclude)Results"]) ?? "").isEmpty
        return EnvironmentInfo(
            cpuModel: cpuModel(),
            cores: ProcessInfo.processInfo.activeProcessorCount,
            operatingSystem: operatingSystemName(),
            kernel: kernelRelease(),
            swiftVersion: compilerVersion,
            gitCommit: commit,
            gitDirty: dirty,
            buildConfiguration: buildConfiguration,
            date: formatter.string(from: now)
        )
    }

    private static var buildConfiguration: String {
        #if DEBUG
        "debug"
        #else
        "release"
        #endif
    }

    /// The compiler that built this binary, to the minor version.
    private static var compilerVersion: String {
        #if compiler(>=6.5)
        "6.5 or later"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }

    private static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    private static func operatingSystemName() -> String {
        if let text = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("PRETTY_NAME=") {
                return String(line.dropFirst("PRETTY_NAME=".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        return ProcessInfo.processInfo.operatingSystemVersionString
    }

    private static func kernelRelease() -> String {
        var info = utsname()
        guard uname(&info) == 0 else { return "unknown" }
        let release = withUnsafeBytes(of: &info.release) { Array($0.prefix { $0 != 0 }) }
        let system = withUnsafeBytes(of: &info.sysname) { Array($0.prefix { $0 != 0 }) }
        let machine = withUnsafeBytes(of: &info.machine) { Array($0.prefix { $0 != 0 }) }
        return "\(String(decoding: system, as: UTF8.self)) \(String(decoding: release, as: UTF8.self)) \(String(decoding: machine, as: UTF8.self))"
    }

    /// Runs a command and returns its trimmed standard output, or nil if it failed.
    private static func run(_ command: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
