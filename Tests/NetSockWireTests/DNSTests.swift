import NSAPI
import NetSockWire
import Testing

@Suite struct DNSTests {
    /// A response as dnsmasq sends it: the answer name compressed to the question (0xC00C).
    static let golden: [UInt8] = [
        0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00, 0x00, 0x01, 0x00, 0x01,
        0xC0, 0x0C, 0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3C, 0x00, 0x06, 0x03, 0x77, 0x77, 0x77, 0xC0, 0x0C,
        0x03, 0x77, 0x77, 0x77, 0xC0, 0x0C, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x2C, 0x00, 0x04, 0xC0, 0x00, 0x02, 0x0A,
    ]

    @Test func parsesACompressedResponseWithACNAMEChain() throws {
        let message = try DNS.parse(Self.golden)
        #expect(message.id == 0x1234)
        #expect(message.isResponse)
        #expect(message.responseCode == DNS.ResponseCode.noError)
        #expect(message.questions == [DNS.Question(name: "example.com", type: DNS.RecordType.a)])
        #expect(message.answers.count == 2)
        #expect(message.answers[0].data == .canonicalName("www.example.com"))
        let addresses = message.addresses(for: "Example.COM.", type: DNS.RecordType.a)
        #expect(addresses.map(\.0) == [IPAddress(parsing: "192.0.2.10")!])
        #expect(message.minimumTTL(for: "example.com", type: DNS.RecordType.a) == 300)
    }

    @Test func queryHasTheRFC1035Layout() throws {
        let query = try DNS.query(id: 0xBEEF, name: "a.example.org.", type: DNS.RecordType.aaaa)
        #expect(query == [0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0x61, 7] + Array("example".utf8) + [3] + Array("org".utf8) + [0, 0, 28, 0, 1])
        let parsed = try DNS.parse(query)
        #expect(!parsed.isResponse && parsed.recursionDesired)
        #expect(parsed.questions.first?.name == "a.example.org")
    }

    @Test func encodeAndParseRoundTrip() throws {
        let message = DNS.Message(
            id: 7, isResponse: true, isTruncated: false, recursionDesired: true, responseCode: 0,
            questions: [DNS.Question(name: "h.test", type: DNS.RecordType.aaaa)],
            answers: [.init(name: "h.test", type: DNS.RecordType.aaaa, recordClass: 1, ttl: 5, data: .address(IPAddress(parsing: "2001:db8::1")!))])
        #expect(try DNS.parse(DNS.encode(message)) == message)
    }

    @Test(arguments: ["", ".", "a..b", String(repeating: "a", count: 64) + ".com", String(repeating: "abcdefg.", count: 40)])
    func namesThatCannotBeEncodedAreRefused(name: String) {
        #expect(throws: WireError.self) { try DNS.query(id: 1, name: name, type: 1) }
    }

    @Test func everyTruncationIsAnErrorNotATrap() {
        for length in 0..<Self.golden.count {
            #expect(throws: WireError.self, "length \(length)") { try DNS.parse(Array(Self.golden.prefix(length))) }
        }
    }

    @Test func compressionLoopsAreRefused() {
        // The question name points at itself.
        let selfLoop: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x0C, 0, 1, 0, 1]
        #expect(throws: WireError.self) { try DNS.parse(selfLoop) }
        // Forward pointer.
        let forward: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 0x10, 0, 1, 0, 1, 0]
        #expect(throws: WireError.self) { try DNS.parse(forward) }
        // Two labels pointing at each other through earlier offsets cannot exist: pointers only go back.
        let reserved: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 1, 0, 1]
        #expect(throws: WireError.self) { try DNS.parse(reserved) }
    }

    @Test func oversizeNamesAndBadRecordLengthsAreRefused() {
        var long: [UInt8] = [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { long += [63] + [UInt8](repeating: 0x61, count: 63) }
        long += [0, 0, 1, 0, 1]
        #expect(throws: WireError.self) { try DNS.parse(long) }
        var badA = Array(Self.golden.prefix(29))
        badA[7] = 1
        badA += [0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 1, 0, 3, 1, 2, 3]
        #expect(throws: WireError.self) { try DNS.parse(badA) }
    }

    @Test func randomGarbageNeverTraps() {
        var state: UInt64 = 0x9E37_79B9
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let count = Int(state >> 56)
            for _ in 0..<count {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                bytes.append(UInt8(truncatingIfNeeded: state >> 33))
            }
            _ = try? DNS.parse(bytes)
        }
    }
}

/// Found by the fuzzer: a label holding a dot parsed into a name that encodes (and
/// compares) as another name; and the 255-octet bound counted without the terminator.
@Suite struct DNSNameBoundaryTests {
    static func message(question name: [UInt8]) -> [UInt8] {
        [0, 1, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0] + name + [0, 1, 0, 1]
    }

    @Test func aLabelHoldingADotIsRefused() throws {
        let dotted: [UInt8] = [3, UInt8(ascii: "a"), UInt8(ascii: "."), UInt8(ascii: "b"), 0]
        #expect(throws: WireError.self) { try DNS.parse(Self.message(question: dotted)) }
        let plain: [UInt8] = [1, UInt8(ascii: "a"), 1, UInt8(ascii: "b"), 0]
        #expect(try DNS.parse(Self.message(question: plain)).questions.first?.name == "a.b")
    }

    @Test func namesAreAtMost255OctetsWithTheTerminator() throws {
        // 63 + 63 + 63 + 61 octet labels: 4 length bytes + 250 + terminator = 255.
        let labels = [63, 63, 63, 61].flatMap { [UInt8($0)] + [UInt8](repeating: UInt8(ascii: "x"), count: $0) }
        let longest = try DNS.parse(Self.message(question: labels + [0]))
        #expect(try DNS.parse(DNS.encode(longest)) == longest, "the longest name round-trips")
        let tooLong = [63, 63, 63, 62].flatMap { [UInt8($0)] + [UInt8](repeating: UInt8(ascii: "x"), count: $0) }
        #expect(throws: WireError.self) { try DNS.parse(Self.message(question: tooLong + [0])) }
    }
}

extension DNSNameBoundaryTests {
    /// Found by the fuzzer: a label that starts with a combining mark (U+06E1 here) fused
    /// with the dot before it into one Character, so encoding split the name in the
    /// wrong places and wrote a label holding a dot.
    @Test func labelsStartingWithACombiningMarkKeepTheirBoundaries() throws {
        let name = "a.\u{06E1}b.c"
        let wire = try DNS.encodeName(name)
        #expect(wire == [1, 0x61, 3, 0xDB, 0xA1, 0x62, 1, 0x63, 0])
        let parsed = try DNS.parse(Self.message(question: wire))
        #expect(parsed.questions.first?.name == name)
        #expect(try DNS.parse(DNS.encode(parsed)) == parsed)
    }
}
