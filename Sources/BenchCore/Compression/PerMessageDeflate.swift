/// WebSocket's permessage-deflate extension (RFC 7692): the `Sec-WebSocket-Extensions` grammar
/// (RFC 6455 §9.1), the negotiation of its four parameters (RFC 7692 §5, §7.1) and what the two
/// ends agreed on. No sockets: the channel handler and the codec
/// (``PerMessageDeflateCompressor``, ``PerMessageDeflateDecompressor``) use what this decides.
///
/// ```swift
/// // Server: Chromium offers, the policy turns context takeover off.
/// let agreement = PerMessageDeflate.negotiate(offers: ["permessage-deflate; client_max_window_bits"], policy: policy)
/// agreement?.responseValue  // "permessage-deflate; server_no_context_takeover; client_no_context_takeover"
/// // Client: checks the 101's field against what it offered; throws when the response is invalid.
/// let agreed = try PerMessageDeflate.accept(response: ["permessage-deflate"], offered: ["permessage-deflate; client_max_window_bits"])
/// ```
public enum PerMessageDeflate {
    /// The extension's registered name.
    public static let name = "permessage-deflate"
    /// The header field both ends negotiate in.
    public static let headerName = "Sec-WebSocket-Extensions"
    /// What a client offers when its header profile does not offer already: Chromium's offer
    /// (any window for the client's compressor, and everything else left to the server).
    public static let minimalOffer = "permessage-deflate; client_max_window_bits"
    /// The window sizes RFC 7692 §7.1.2 allows, in bits.
    public static let windowBits = 8...15

    /// Why a client fails the connection over the server's `Sec-WebSocket-Extensions` (RFC 6455
    /// §4.1, RFC 7692 §5), or why a server declines an offer.
    public struct NegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
        /// One sentence.
        public var description: String

        public init(_ description: String) { self.description = description }
    }

    /// One `permessage-deflate` offer (or response) with its parameters read and checked.
    public struct Parameters: Sendable, Hashable {
        /// `client_max_window_bits` in an offer: absent, present without a value, or with one.
        public enum ClientWindow: Sendable, Hashable {
            case absent
            case anySize
            case bits(Int)
        }

        public var serverNoContextTakeover = false
        public var clientNoContextTakeover = false
        /// `server_max_window_bits`; `nil` when absent.
        public var serverMaxWindowBits: Int?
        public var clientMaxWindowBits = ClientWindow.absent

        public init() {}

        /// Reads an element's parameters (RFC 7692 §7.1): each of the four at most once,
        /// `*_no_context_takeover` without a value, `server_max_window_bits` with a value of 8 to
        /// 15, `client_max_window_bits` with such a value or (in an offer only) without one.
        /// Anything else is an error naming the parameter.
        public init(_ element: WebSocketExtensionHeader.Element, isResponse: Bool) throws(NegotiationError) {
            var seen: Set<String> = []
            for parameter in element.parameters {
                guard seen.insert(parameter.name).inserted else { throw NegotiationError("\(parameter.name) appears twice") }
                switch parameter.name {
                case "server_no_context_takeover", "client_no_context_takeover":
                    if let value = parameter.value { throw NegotiationError("\(parameter.name) takes no value (got \(value))") }
                    if parameter.name == "server_no_context_takeover" {
                        serverNoContextTakeover = true
                    } else {
                        clientNoContextTakeover = true
                    }
                case "server_max_window_bits":
                    serverMaxWindowBits = try Self.windowBits(parameter)
                case "client_max_window_bits":
                    if parameter.value == nil && !isResponse {
                        clientMaxWindowBits = .anySize
                    } else {
                        clientMaxWindowBits = .bits(try Self.windowBits(parameter))
                    }
                default:
                    throw NegotiationError("\(parameter.name) is not a permessage-deflate parameter")
                }
            }
        }

        /// RFC 7692 §7.1.2.1: a decimal integer from 8 to 15 without leading zeros.
        private static func windowBits(_ parameter: WebSocketExtensionHeader.Parameter) throws(NegotiationError) -> Int {
            guard let value = parameter.value, let bits = Int(value), PerMessageDeflate.windowBits.contains(bits), String(bits) == value
            else {
                throw NegotiationError("\(parameter.name) must be 8 to 15 (got \(parameter.value.map { "'\($0)'" } ?? "no value"))")
            }
            return bits
        }

        /// The element as sent: `permessage-deflate; server_no_context_takeover; …`.
        public var headerValue: String {
            var value = PerMessageDeflate.name
            if serverNoContextTakeover { value += "; server_no_context_takeover" }
            if clientNoContextTakeover { value += "; client_no_context_takeover" }
            if let serverMaxWindowBits { value += "; server_max_window_bits=\(serverMaxWindowBits)" }
            switch clientMaxWindowBits {
            case .absent: break
            case .anySize: value += "; client_max_window_bits"
            case .bits(let bits): value += "; client_max_window_bits=\(bits)"
            }
            return value
        }
    }

    /// What one direction of a connection does: its LZ77 window and whether the window carries
    /// over from one message to the next.
    public struct Direction: Sendable, Hashable {
        public var windowBits: Int
        public var contextTakeover: Bool

        public init(windowBits: Int, contextTakeover: Bool) {
            self.windowBits = windowBits
            self.contextTakeover = contextTakeover
        }
    }

    /// What the two ends agreed on: the server's response parameters.
    public struct Agreement: Sendable, Hashable {
        /// The response's parameters (`clientMaxWindowBits` is `.absent` or `.bits`).
        public var parameters: Parameters

        public init(_ parameters: Parameters) { self.parameters = parameters }

        /// The `Sec-WebSocket-Extensions` value of the 101 response.
        public var responseValue: String { parameters.headerValue }

        /// What the server's messages use (RFC 7692 §7.1.1.1, §7.1.2.1): 15 bits unless
        /// `server_max_window_bits` says less.
        public var server: Direction {
            Direction(windowBits: parameters.serverMaxWindowBits ?? 15, contextTakeover: !parameters.serverNoContextTakeover)
        }

        /// What the client's messages use (§7.1.1.2, §7.1.2.2).
        public var client: Direction {
            let bits: Int
            if case .bits(let value) = parameters.clientMaxWindowBits { bits = value } else { bits = 15 }
            return Direction(windowBits: bits, contextTakeover: !parameters.clientNoContextTakeover)
        }

        /// The direction this end sends in.
        public func sending(asServer: Bool) -> Direction { asServer ? server : client }

        /// The direction this end receives in.
        public func receiving(asServer: Bool) -> Direction { asServer ? client : server }
    }

    // MARK: - Server

    /// The server's answer to a request's `Sec-WebSocket-Extensions` field values under
    /// `policy`: the agreement for the first acceptable permessage-deflate offer, or `nil` (no
    /// extension in the 101) when the policy is off or no offer is acceptable.
    ///
    /// An offer is declined (RFC 7692 §7.1) when it does not parse (RFC 6455 §9.1's grammar),
    /// has an unknown or repeated parameter, a value where none belongs, or a window outside 8 to
    /// 15. The response has `server_no_context_takeover` when the client asked for it or the
    /// policy turns context takeover off, `client_no_context_takeover` when the policy turns it
    /// off or the client offered it, `server_max_window_bits` when the client asked for one or
    /// the policy's window is under 15 (the smaller of the two), and `client_max_window_bits`
    /// only when the client offered it and the policy's window is under 15 (no more than the
    /// client's own value).
    public static func negotiate(offers fieldValues: [String], policy: CompressionSettings) -> Agreement? {
        guard policy.enabled else { return nil }
        for case .success(let element) in WebSocketExtensionHeader.parse(fieldValues) where element.name == name {
            guard let offer = try? Parameters(element, isResponse: false) else { continue }
            return respond(to: offer, policy: policy)
        }
        return nil
    }

    /// The response to one valid offer.
    static func respond(to offer: Parameters, policy: CompressionSettings) -> Agreement {
        var response = Parameters()
        response.serverNoContextTakeover = offer.serverNoContextTakeover || !policy.webSocketContextTakeover
        response.clientNoContextTakeover = offer.clientNoContextTakeover || !policy.webSocketContextTakeover
        let window = policy.webSocketMaxWindowBits
        switch (offer.serverMaxWindowBits, window < 15) {
        case (let asked?, _): response.serverMaxWindowBits = min(asked, window)
        case (nil, true): response.serverMaxWindowBits = window
        case (nil, false): break
        }
        switch offer.clientMaxWindowBits {
        case .absent: break
        case .anySize: if window < 15 { response.clientMaxWindowBits = .bits(window) }
        case .bits(let bits): if window < bits { response.clientMaxWindowBits = .bits(window) }
        }
        return Agreement(response)
    }

    // MARK: - Client

    /// Checks the 101's `Sec-WebSocket-Extensions` values against the client's `offered` ones:
    /// `nil` when the server answered without an extension; the agreement when it accepted one
    /// of the permessage-deflate offers. Throws (the client then fails the connection, RFC 6455
    /// §4.1 and RFC 7692 §5) when the field does not parse, names more than one extension or one
    /// the client did not offer, or its parameters are invalid or do not answer any offer
    /// (RFC 7692 §7.1.1 and §7.1.2).
    public static func accept(response fieldValues: [String], offered: [String]) throws(NegotiationError) -> Agreement? {
        var elements: [WebSocketExtensionHeader.Element] = []
        for result in WebSocketExtensionHeader.parse(fieldValues) {
            switch result {
            case .success(let element): elements.append(element)
            case .failure(let error): throw NegotiationError("the server's \(headerName) does not parse: \(error)")
            }
        }
        guard let element = elements.first else { return nil }
        guard elements.count == 1 else { throw NegotiationError("the server accepted \(elements.count) extensions; the client uses one") }
        let offers = WebSocketExtensionHeader.parse(offered).compactMap { try? $0.get() }.filter { $0.name == element.name }
        guard element.name == name, !offers.isEmpty else {
            throw NegotiationError("the server accepted \(element.name), which the client did not offer")
        }
        let response: Parameters
        do {
            response = try Parameters(element, isResponse: true)
        } catch {
            throw NegotiationError("the server's \(name) response is invalid: \(error)")
        }
        for offer in offers {
            guard let offer = try? Parameters(offer, isResponse: false) else { continue }
            if answers(response, offer) { return Agreement(response) }
        }
        throw NegotiationError("the server's '\(response.headerValue)' answers none of the client's offers")
    }

    /// Whether `response` is a valid acceptance of `offer`: a requested
    /// `server_no_context_takeover` is confirmed, `server_max_window_bits` does not exceed the
    /// offer's, and `client_max_window_bits` comes only in answer to the offer's, no larger.
    static func answers(_ response: Parameters, _ offer: Parameters) -> Bool {
        if offer.serverNoContextTakeover && !response.serverNoContextTakeover { return false }
        if let asked = offer.serverMaxWindowBits {
            guard let answered = response.serverMaxWindowBits, answered <= asked else { return false }
        }
        if case .bits(let answered) = response.clientMaxWindowBits {
            switch offer.clientMaxWindowBits {
            case .absent: return false
            case .anySize: break
            case .bits(let offered): if answered > offered { return false }
            }
        }
        return true
    }
}

/// The `Sec-WebSocket-Extensions` grammar of RFC 6455 §9.1:
///
/// ```
/// extension-list = 1#extension
/// extension = extension-token *( ";" extension-param )
/// extension-param = token [ "=" (token | quoted-string) ]
/// ```
///
/// with optional whitespace around the separators, empty list elements ignored (RFC 9110 §5.6.1)
/// and a quoted value unescaped, which must then be a token.
public enum WebSocketExtensionHeader {
    /// One extension with its parameters, in the order given.
    public struct Element: Sendable, Hashable {
        public var name: String
        public var parameters: [Parameter]

        public init(name: String, parameters: [Parameter] = []) {
            self.name = name
            self.parameters = parameters
        }
    }

    /// One parameter: `name` or `name=value`.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String?

        public init(_ name: String, _ value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// Why an element does not parse.
    public struct SyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    /// Every element of every field value, in order; each parses on its own, so one malformed
    /// offer does not hide the next.
    public static func parse(_ fieldValues: [String]) -> [Result<Element, SyntaxError>] {
        fieldValues.flatMap(splitList).map(element)
    }

    /// A field value split at the commas outside quoted strings, empty elements dropped.
    static func splitList(_ value: String) -> [Substring] {
        var elements: [Substring] = []
        var start = value.startIndex
        var index = value.startIndex
        var quoted = false
        var escaped = false
        while index < value.endIndex {
            let character = value[index]
            if escaped {
                escaped = false
            } else if quoted && character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            } else if !quoted && character == "," {
                elements.append(value[start..<index])
                start = value.index(after: index)
            }
            index = value.index(after: index)
        }
        elements.append(value[start...])
        return elements.filter { !$0.allSatisfy(\.isOWS) }
    }

    /// One element: a token, then `; param` or `; param=value` pairs.
    static func element(_ text: Substring) -> Result<Element, SyntaxError> {
        var scanner = Scanner(text)
        scanner.skipWhitespace()
        guard let name = scanner.token() else {
            return .failure(SyntaxError(description: "'\(text)' does not start with an extension name"))
        }
        var element = Element(name: name)
        while true {
            scanner.skipWhitespace()
            if scanner.isAtEnd { return .success(element) }
            guard scanner.take(";") else {
                return .failure(SyntaxError(description: "expected ';' after '\(scanner.consumed)' in '\(text)'"))
            }
            scanner.skipWhitespace()
            guard let parameter = scanner.token() else {
                return .failure(SyntaxError(description: "expected a parameter name after ';' in '\(text)'"))
            }
            scanner.skipWhitespace()
            guard scanner.take("=") else {
                element.parameters.append(Parameter(parameter))
                continue
            }
            scanner.skipWhitespace()
            if let value = scanner.token() {
                element.parameters.append(Parameter(parameter, value))
            } else if let value = scanner.quotedString() {
                // RFC 6455 §9.1: the unescaped value of a quoted string must be a token.
                guard !value.isEmpty, value.allSatisfy(\.isTokenCharacter) else {
                    return .failure(SyntaxError(description: "the quoted value of \(parameter) is not a token in '\(text)'"))
                }
                element.parameters.append(Parameter(parameter, value))
            } else {
                return .failure(SyntaxError(description: "expected a value after '\(parameter)=' in '\(text)'"))
            }
        }
    }

    /// Reads tokens, separators and quoted strings from the front of a string.
    struct Scanner {
        let text: Substring
        var index: Substring.Index

        init(_ text: Substring) {
            self.text = text
            index = text.startIndex
        }

        var isAtEnd: Bool { index == text.endIndex }
        var consumed: Substring { text[..<index] }

        mutating func skipWhitespace() {
            while index < text.endIndex, text[index].isOWS { index = text.index(after: index) }
        }

        mutating func take(_ character: Character) -> Bool {
            guard index < text.endIndex, text[index] == character else { return false }
            index = text.index(after: index)
            return true
        }

        /// RFC 9110 §5.6.2: `1*tchar`.
        mutating func token() -> String? {
            let start = index
            while index < text.endIndex, text[index].isTokenCharacter { index = text.index(after: index) }
            return start == index ? nil : String(text[start..<index])
        }

        /// RFC 9110 §5.6.4: `DQUOTE *( qdtext / quoted-pair ) DQUOTE`, unescaped.
        mutating func quotedString() -> String? {
            let start = index
            guard take("\"") else { return nil }
            var value = ""
            while index < text.endIndex {
                let character = text[index]
                index = text.index(after: index)
                switch character {
                case "\"": return value
                case "\\":
                    guard index < text.endIndex else { break }
                    value.append(text[index])
                    index = text.index(after: index)
                default: value.append(character)
                }
            }
            index = start
            return nil
        }
    }
}

extension Character {
    /// RFC 9110 §5.6.2 `tchar`.
    fileprivate var isTokenCharacter: Bool {
        guard let ascii = asciiValue, ascii > 0x20, ascii < 0x7F else { return false }
        return !"\"(),/:;<=>?@[\\]{}".contains(self)
    }

    /// RFC 9110 §5.6.3 optional whitespace: space or horizontal tab.
    fileprivate var isOWS: Bool { self == " " || self == "\t" }
}
