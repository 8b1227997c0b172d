import BenchCore
import Testing

/// permessage-deflate's negotiation: RFC 6455 §9.1's `Sec-WebSocket-Extensions` grammar, the
/// server's answer to real clients' offers under each policy (RFC 7692 §7.1), declined offers,
/// and the client's check of the answer (RFC 7692 §5).
@Suite("permessage-deflate negotiation (RFC 7692 §5, §7.1)")
struct PerMessageDeflateNegotiationTests {
    typealias Header = WebSocketExtensionHeader

    /// What Chromium, Node's `ws` and Python's `websockets` (15) offer by default.
    static let chromium = "permessage-deflate; client_max_window_bits"
    /// What Firefox offers.
    static let firefox = "permessage-deflate"

    static func policy(contextTakeover: Bool = true, windowBits: Int = 15) -> CompressionSettings {
        CompressionSettings(enabled: true, webSocketContextTakeover: contextTakeover, webSocketMaxWindowBits: windowBits)
    }

    static func response(_ offers: [String], _ policy: CompressionSettings = policy()) -> String? {
        PerMessageDeflate.negotiate(offers: offers, policy: policy)?.responseValue
    }

    @Test("the grammar: offers split at commas outside quotes, parameters with token or quoted values, whitespace and empty elements tolerated")
    func grammar() throws {
        let parsed = Header.parse([#"permessage-deflate ;client_max_window_bits= "10" , , x-webkit-deflate-frame"#, "foo; a=1;b"])
        #expect(try parsed.map { try $0.get() } == [
            Header.Element(name: "permessage-deflate", parameters: [Header.Parameter("client_max_window_bits", "10")]),
            Header.Element(name: "x-webkit-deflate-frame"),
            Header.Element(name: "foo", parameters: [Header.Parameter("a", "1"), Header.Parameter("b")]),
        ])
        // A comma inside a quoted string does not split; a quoted value must still be a token.
        #expect(Header.parse([#"a; p="x,y""#]).count == 1)
        for malformed in ["; a", "a;", "a; =1", "a; p=", "a b", #"a; p="1"#, #"a; p="""#, "a; p=1 2"] {
            #expect((try? Header.parse([malformed]).first?.get()) == nil, "'\(malformed)' parsed")
        }
    }

    @Test("Chromium's offer under each policy: nothing to add by default; no context takeover and a smaller window reflected both ways")
    func chromiumOffer() {
        #expect(Self.response([Self.chromium]) == "permessage-deflate")
        #expect(Self.response([Self.chromium], Self.policy(contextTakeover: false))
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover")
        #expect(Self.response([Self.chromium], Self.policy(windowBits: 10)) == "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10")
        #expect(Self.response([Self.chromium], Self.policy(contextTakeover: false, windowBits: 8))
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=8; client_max_window_bits=8")
        // Off: no extension, whatever the offer.
        #expect(PerMessageDeflate.negotiate(offers: [Self.chromium], policy: .off) == nil)
    }

    @Test("Firefox's bare offer cannot be told a client window; a client's own limits are kept and never raised")
    func otherOffers() {
        #expect(Self.response([Self.firefox], Self.policy(windowBits: 10)) == "permessage-deflate; server_max_window_bits=10")
        let full = "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12; client_max_window_bits=9"
        // The client asked for no server context and a 12-bit server window: granted under the
        // default policy; its 9-bit client window is already under the policy's 10.
        #expect(Self.response([full]) == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=12")
        #expect(Self.response([full], Self.policy(windowBits: 10))
            == "permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10")
        #expect(Self.response(["permessage-deflate; client_max_window_bits=12"], Self.policy(windowBits: 10))
            == "permessage-deflate; server_max_window_bits=10; client_max_window_bits=10")
    }

    @Test("malformed and unsupported offers are declined: the next acceptable one is taken, or none", arguments: [
        "permessage-deflate; foo",  // unknown parameter
        "permessage-deflate; server_no_context_takeover; server_no_context_takeover",  // duplicate
        "permessage-deflate; client_max_window_bits=10; client_max_window_bits",  // duplicate with and without a value
        "permessage-deflate; server_max_window_bits=16",  // window out of range
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=010",  // leading zero
        "permessage-deflate; server_max_window_bits",  // a value is required
        "permessage-deflate; client_max_window_bits=x",
        "permessage-deflate; server_no_context_takeover=1",  // value on a no-value parameter
        #"permessage-deflate; client_no_context_takeover="""#,
        "permessage-deflate; ;",  // does not parse
    ])
    func declined(offer: String) {
        #expect(PerMessageDeflate.negotiate(offers: [offer], policy: Self.policy()) == nil, "accepted '\(offer)'")
        // With an acceptable offer after it (in the same field or the next), that one is accepted.
        #expect(Self.response([offer + ", " + Self.chromium], Self.policy(windowBits: 11)) == "permessage-deflate; server_max_window_bits=11; client_max_window_bits=11")
        #expect(Self.response([offer, Self.firefox]) == "permessage-deflate")
    }

    @Test("other extensions are ignored; a quoted window value counts as the token it holds")
    func otherExtensions() {
        #expect(Self.response(["x-webkit-deflate-frame, permessage-deflate; client_max_window_bits=\"12\""], Self.policy(windowBits: 9))
            == "permessage-deflate; server_max_window_bits=9; client_max_window_bits=9")
        #expect(PerMessageDeflate.negotiate(offers: ["x-webkit-deflate-frame"], policy: Self.policy()) == nil)
    }

    @Test("the agreement's directions: the server's window and context from server_*, the client's from client_*")
    func directions() throws {
        let agreement = try #require(PerMessageDeflate.negotiate(offers: [Self.chromium], policy: Self.policy(contextTakeover: false, windowBits: 10)))
        #expect(agreement.sending(asServer: true) == PerMessageDeflate.Direction(windowBits: 10, contextTakeover: false))
        #expect(agreement.receiving(asServer: false) == agreement.sending(asServer: true))
        let firefox = try #require(PerMessageDeflate.negotiate(offers: [Self.firefox], policy: Self.policy(windowBits: 12)))
        // The client was not told a window, so the server inflates with 15 bits.
        #expect(firefox.receiving(asServer: true) == PerMessageDeflate.Direction(windowBits: 15, contextTakeover: true))
        #expect(firefox.sending(asServer: true) == PerMessageDeflate.Direction(windowBits: 12, contextTakeover: true))
    }

    // MARK: - The client's check of the 101

    @Test("the client accepts what answers its offer, and nothing without the field")
    func clientAccepts() throws {
        #expect(try PerMessageDeflate.accept(response: [], offered: [Self.chromium]) == nil)
        let agreed = try #require(try PerMessageDeflate.accept(
            response: ["permessage-deflate; server_no_context_takeover; client_max_window_bits=10"], offered: [Self.chromium]))
        #expect(agreed.receiving(asServer: false) == PerMessageDeflate.Direction(windowBits: 15, contextTakeover: false))
        #expect(agreed.sending(asServer: false) == PerMessageDeflate.Direction(windowBits: 10, contextTakeover: true))
        // Of two offers, the response may answer the second.
        let two = ["permessage-deflate; server_max_window_bits=10", Self.chromium]
        #expect(try PerMessageDeflate.accept(response: ["permessage-deflate; client_max_window_bits=9"], offered: two) != nil)
        // Every response the server gives to an offer, the client accepts.
        for policy in [Self.policy(), Self.policy(contextTakeover: false), Self.policy(windowBits: 8)] {
            for offer in [Self.chromium, Self.firefox, "permessage-deflate; server_max_window_bits=11; client_no_context_takeover"] {
                let response = try #require(Self.response([offer], policy))
                #expect(try PerMessageDeflate.accept(response: [response], offered: [offer]) != nil, "\(response) to \(offer)")
            }
        }
    }

    @Test("the client fails the connection on a response it did not ask for or that is invalid", arguments: [
        ("permessage-deflate", [] as [String]),  // nothing offered
        ("x-webkit-deflate-frame", [chromium]),  // not offered
        ("permessage-deflate, permessage-deflate", [chromium]),  // two
        ("permessage-deflate; client_max_window_bits=10", [firefox]),  // a client window it did not offer
        ("permessage-deflate; client_max_window_bits", [chromium]),  // a client window without a value
        ("permessage-deflate; client_max_window_bits=12", ["permessage-deflate; client_max_window_bits=11"]),  // larger than offered
        ("permessage-deflate", ["permessage-deflate; server_max_window_bits=12"]),  // the asked server window unanswered
        ("permessage-deflate; server_max_window_bits=13", ["permessage-deflate; server_max_window_bits=12"]),
        ("permessage-deflate", ["permessage-deflate; server_no_context_takeover"]),  // asked, not confirmed
        ("permessage-deflate; mystery", [chromium]),  // unknown parameter
        ("permessage-deflate; server_no_context_takeover; server_no_context_takeover", [chromium]),
        ("permessage-deflate; server_max_window_bits=16", [chromium]),
        ("permessage-deflate;", [chromium]),  // does not parse
    ])
    func clientRefuses(response: String, offered: [String]) {
        #expect(throws: PerMessageDeflate.NegotiationError.self, "accepted '\(response)' for \(offered)") {
            try PerMessageDeflate.accept(response: [response], offered: offered)
        }
    }
}
