import BenchCore
import Testing

/// `Accept-Encoding` as RFC 9110 §12.5.3 and §12.4.2 (qvalues) define it.
@Suite("Accept-Encoding")
struct AcceptEncodingTests {
    @Test("whether gzip is accepted", arguments: [
        // A plain offer, a browser's, and curl's --compressed.
        (["gzip"], true), (["gzip, deflate, br, zstd"], true), (["deflate, gzip, br, zstd"], true),
        // Weights: q=0 is "not acceptable"; any other qvalue is.
        (["gzip;q=0"], false), (["gzip; q=0.000"], false), (["gzip;Q=0.001"], true), (["gzip;q=1.000"], true), (["gzip ;q=0.5"], true),
        // `*` stands for every coding not named; a named coding's own weight wins over it.
        (["*"], true), (["*;q=0"], false), (["*, gzip;q=0"], false), (["gzip;q=0, *"], false), (["*;q=0, gzip"], true),
        // Codings other than gzip, and `identity` alone.
        (["identity"], false), (["deflate, br"], false), ([""], false),
        // Case-insensitive; x-gzip is gzip (RFC 9110 §8.4.1.3).
        (["GZip"], true), (["x-gzip"], true), (["x-gzip;q=0"], false),
        // Several field lines are one list; the list rule allows empty elements.
        (["deflate", "gzip"], true), ([" , ,gzip"], true),
        // A coding listed twice keeps its highest weight.
        (["gzip;q=0, gzip;q=0.5"], true),
        // Elements that break the grammar are ignored: qvalues above 1, more than three
        // decimals, a parameter that is not q, a name that is not a token.
        (["gzip;q=1.5"], false), (["gzip;q=1.001"], false), (["gzip;q=0.5555"], false), (["gzip;q="], false),
        (["gzip;level=9"], false), (["gz ip"], false), (["gzip;q=0.5, br"], true),
        // No field at all: production servers send no coding.
        ([], false),
    ] as [([String], Bool)])
    func gzip(fields: [String], accepted: Bool) {
        #expect(AcceptEncoding(fields).acceptsGzip == accepted)
    }

    @Test("identity is acceptable unless identity;q=0, or *;q=0 with no identity entry, excludes it", arguments: [
        ([], true), ([""], true), (["gzip"], true), (["identity;q=0"], false), (["*;q=0"], false),
        (["*;q=0, identity"], true), (["*;q=0.5"], true), (["gzip, identity;q=0"], false),
    ] as [([String], Bool)])
    func identity(fields: [String], accepted: Bool) {
        #expect(AcceptEncoding(fields).accepts("identity") == accepted)
    }

    @Test("weights are read as written")
    func weights() {
        let offer = AcceptEncoding("br;q=1, gzip;q=0.8, *;q=0.1")
        #expect(offer.weight(of: "br") == 1)
        #expect(offer.weight(of: "gzip") == 0.8)
        #expect(offer.weight(of: "zstd") == 0.1)
        #expect(offer.isPresent)
        #expect(!AcceptEncoding([]).isPresent)
    }
}
