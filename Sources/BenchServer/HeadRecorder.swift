import Foundation
import NIOHTTP1
import Synchronization

/// Writes every HTTP/1.1 request head the server decodes to a file, as it arrived: the request
/// line, then each header with its name's case and in its order, then a blank line
/// (`bench serve --record-heads FILE`, which `scripts/capture-browser-profile.sh` uses to record a
/// browser's heads).
public final class HeadRecorder: Sendable, Hashable {
    private let handle: Mutex<FileHandle>

    /// Creates (or empties) `path`.
    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        self.handle = Mutex(handle)
    }

    /// Appends one head.
    public func record(_ head: HTTPRequestHead) {
        var text = "\(head.method.rawValue) \(head.uri) HTTP/\(head.version.major).\(head.version.minor)\r\n"
        for (name, value) in head.headers { text += "\(name): \(value)\r\n" }
        text += "\r\n"
        handle.withLock { $0.write(Data(text.utf8)) }
    }

    public static func == (lhs: HeadRecorder, rhs: HeadRecorder) -> Bool { lhs === rhs }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(self)) }
}
