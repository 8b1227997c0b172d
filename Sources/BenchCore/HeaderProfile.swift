/// The heads a run's requests and responses carry besides what the protocol stack must add:
/// one request head and one response head for each kind of request.
///
/// `minimal` is the smallest head the protocols allow (what a non-browser client sends),
/// `browser` the heads a current Chromium sends, recorded by `scripts/capture-browser-profile.sh`,
/// and a typical production server's answers; `browser-cookies` adds a `Cookie` header to every
/// request head. A profile file (``parse(_:file:)``) holds a user's own heads.
///
/// ```swift
/// let profile = try HeaderProfile.named("browser-cookies", cookieBytes: 1000)
/// profile.request(.shortPoll)   // [User-Agent: …, Accept: …, …, Cookie: …]
/// ```
public struct HeaderProfile: Codable, Sendable, Hashable {
    /// The kinds of request a profile has heads for.
    public enum Kind: String, CaseIterable, Codable, Sendable {
        case shortPoll = "short-poll"
        case longPoll = "long-poll"
        case eventSource = "event-source"
        /// A page's `fetch` of a long streamed response (HTTP streaming's NDJSON).
        case fetchStream = "fetch-stream"
        case webSocket = "websocket"
        case grpc
    }

    /// One header line, name and value as sent.
    public struct Field: Codable, Sendable, Hashable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        /// `Name: value\r\n`: the bytes the field takes in an HTTP/1.1 head (RFC 9112 §5).
        public var wireBytes: Int { name.utf8.count + 2 + value.utf8.count + 2 }
    }

    /// The request head and the response head of one kind of request.
    public struct Heads: Codable, Sendable, Hashable {
        public var request: [Field] = []
        public var response: [Field] = []

        public init(request: [Field] = [], response: [Field] = []) {
            self.request = request
            self.response = response
        }
    }

    /// What reports call it: `minimal`, `browser`, `browser-cookies` or the file's path.
    public var name: String
    /// The heads by ``Kind`` raw value.
    public var heads: [String: Heads]
    /// The size of the `Cookie` value every request head carries; 0 for none.
    public var cookieBytes: Int

    public init(name: String, heads: [Kind: Heads], cookieBytes: Int = 0) {
        self.name = name
        self.heads = Dictionary(uniqueKeysWithValues: heads.map { ($0.key.rawValue, $0.value) })
        self.cookieBytes = cookieBytes
    }

    /// The fields a request of `kind` carries, in order, before what the stack adds.
    public func request(_ kind: Kind) -> [Field] { heads[kind.rawValue]?.request ?? [] }

    /// The fields a response to a request of `kind` carries, in order, besides what the stack adds.
    public func response(_ kind: Kind) -> [Field] { heads[kind.rawValue]?.response ?? [] }

    /// The name, the cookie, and the bytes the profile's fields add to a poll each way, for reports.
    public var summary: String {
        let up = request(.shortPoll).reduce(0) { $0 + $1.wireBytes }
        let down = response(.shortPoll).reduce(0) { $0 + $1.wireBytes }
        let cookie = cookieBytes > 0 ? ", a \(cookieBytes)-byte Cookie on every request head" : ""
        return "\(name)\(cookie) (a poll's profile fields: \(up) B up, \(down) B down)"
    }

    /// The profiles `--headers` knows by name.
    public static let builtInNames = ["minimal", "browser", "browser-cookies"]

    /// The `Cookie` size `browser-cookies` uses when `--cookie-bytes` is not given: the average
    /// `Cookie` size a site should stay under by Google's PageSpeed rules; HTTP Archive measures a
    /// median cookie of 36 bytes, and a site sends several (see `Profiles/browser.profile`).
    public static let defaultCookieBytes = 400

    /// Today's heads: `User-Agent` and `Accept` on requests, `Cache-Control` on responses.
    public static let minimal = builtIn("minimal")

    /// The heads of a current Chromium and a typical production server.
    public static let browser = builtIn("browser")

    private static func builtIn(_ name: String) -> HeaderProfile {
        do {
            return try parse(String(decoding: ProfileData.text(name), as: UTF8.self), file: "\(name).profile", name: name)
        } catch {
            fatalError("the built-in profile \(name) does not parse: \(error.message)")
        }
    }

    /// The profile `--headers VALUE` names: a built-in name or a profile file's path; with
    /// `cookieBytes`, a `Cookie` of that size is added to every request head (`browser-cookies`
    /// without it uses ``defaultCookieBytes``).
    public static func named(_ value: String, cookieBytes: Int? = nil, maxHeadBytes: Int = 16 * 1024) throws(BenchError) -> HeaderProfile {
        var profile: HeaderProfile
        switch value {
        case "minimal": profile = .minimal
        case "browser", "browser-cookies": profile = .browser
        default: profile = try load(file: value, maxHeadBytes: maxHeadBytes)
        }
        let cookie = cookieBytes ?? (value == "browser-cookies" ? defaultCookieBytes : 0)
        guard cookie >= 0 else { throw .usage("--cookie-bytes must not be negative (got \(cookie))") }
        profile.name = value
        try profile.addCookie(bytes: cookie, maxHeadBytes: maxHeadBytes)
        return profile
    }

    /// Adds `Cookie: VALUE` of `bytes` value bytes at the end of every request head (a
    /// browser sends the same cookies with each request to the origin).
    mutating func addCookie(bytes: Int, maxHeadBytes: Int) throws(BenchError) {
        guard bytes > 0 else { return }
        let field = Field("Cookie", Self.cookieValue(bytes: bytes))
        for kind in Kind.allCases {
            var kindHeads = heads[kind.rawValue] ?? Heads()
            kindHeads.request.append(kind == .grpc ? Field("cookie", field.value) : field)
            let total = kindHeads.request.reduce(0) { $0 + $1.wireBytes }
            guard total <= maxHeadBytes else {
                throw .usage("--cookie-bytes \(bytes) makes the \(kind.rawValue) request head \(total) bytes, over the server's \(maxHeadBytes)-byte limit")
            }
            heads[kind.rawValue] = kindHeads
        }
        cookieBytes = bytes
    }

    /// A cookie value of exactly `bytes` bytes: `name=value` pairs joined by `; `, as a
    /// site's session, preference and analytics cookies are.
    static func cookieValue(bytes: Int) -> String {
        var value = ""
        var index = 0
        while value.utf8.count < bytes {
            value += (value.isEmpty ? "" : "; ") + "c\(index)=0123456789abcdefghijklmnopqrstuvwxyz"
            index += 1
        }
        var cut = Array(value.utf8.prefix(bytes))
        // A value must not end in whitespace or a bare separator.
        if let last = cut.last, [UInt8(ascii: " "), UInt8(ascii: ";"), UInt8(ascii: "=")].contains(last) { cut[cut.count - 1] = UInt8(ascii: "x") }
        return String(decoding: cut, as: UTF8.self)
    }
}
