import NIOCore

/// Decodes base64 text (RFC 4648 §4) fed in pieces that may split a quad, where padding may end
/// any quad, not only the last: gRPC-Web's text format base64-encodes each write on its own,
/// so a body is a run of padded units (PROTOCOL-WEB.md: "the entire response body is not
/// necessarily a valid base64-encoded entity").
///
/// Each quad of four characters decodes to 3 bytes, or to 2 (`xxx=`) or 1 (`xx==`).
struct Base64QuadDecoder: Sendable {
    /// Characters of an unfinished quad, carried to the next piece.
    private var pending: [UInt8] = []

    /// Why text did not decode.
    struct InvalidBase64: Error {}

    /// Whether the text so far ended on a quad's boundary.
    var isAtQuadBoundary: Bool { pending.isEmpty }

    /// Decodes `text`, appending the bytes of every quad it completes to `output`.
    mutating func decode(_ text: ByteBuffer, into output: inout ByteBuffer) throws(InvalidBase64) {
        for character in text.readableBytesView {
            pending.append(character)
            guard pending.count == 4 else { continue }
            defer { pending.removeAll(keepingCapacity: true) }
            guard let a = Self.value(pending[0]), let b = Self.value(pending[1]) else { throw InvalidBase64() }
            let (c, d) = (Self.value(pending[2]), Self.value(pending[3]))
            let pad = UInt8(ascii: "=")
            switch (c, d) {
            case (let c?, let d?):
                output.writeInteger(a << 2 | b >> 4)
                output.writeInteger((b & 0x0F) << 4 | c >> 2)
                output.writeInteger((c & 0x03) << 6 | d)
            case (let c?, nil) where pending[3] == pad:
                output.writeInteger(a << 2 | b >> 4)
                output.writeInteger((b & 0x0F) << 4 | c >> 2)
            case (nil, nil) where pending[2] == pad && pending[3] == pad:
                output.writeInteger(a << 2 | b >> 4)
            default:
                throw InvalidBase64()
            }
        }
    }

    /// The 6-bit value of a base64 character, `nil` for anything else (padding included).
    private static func value(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
