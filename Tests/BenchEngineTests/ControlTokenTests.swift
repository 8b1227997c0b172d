import Testing

@testable import BenchEngine

@Suite("Control token")
struct ControlTokenTests {
    @Test("a generated token is 32 random bytes in hex, new each time")
    func generated() {
        let (first, second) = (ControlToken.generate().value, ControlToken.generate().value)
        #expect(first.count == 64)
        #expect(first.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(first != second)
    }

    @Test("only the token itself passes, in any case of the scheme; a missing, other or longer one is refused")
    func comparison() {
        let token = ControlToken("c0ffee")
        #expect(token.refusal(for: ["Bearer c0ffee"]) == nil)
        #expect(token.refusal(for: ["bearer c0ffee"]) == nil)
        #expect(token.refusal(for: []) == .missingToken)
        #expect(token.refusal(for: ["Bearer c0ffef"]) == .invalidToken("not the control token"))
        #expect(token.refusal(for: ["Bearer c0ffee0"]) == .invalidToken("not the control token"))
        #expect(token.refusal(for: ["Bearer c0ffe"]) == .invalidToken("not the control token"))
        #expect(ControlToken.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!ControlToken.constantTimeEqual([], [0]))
        // A length that differs by a multiple of 256 must not look equal.
        #expect(!ControlToken.constantTimeEqual([], [UInt8](repeating: 0, count: 256)))
    }
}
