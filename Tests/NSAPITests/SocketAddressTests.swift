import NSAPI
import Testing

@Suite struct IPv4AddressTests {
    @Test(arguments: [
        ("0.0.0.0", 0x0000_0000 as UInt32), ("127.0.0.1", 0x7F00_0001), ("192.0.2.1", 0xC000_0201),
        ("255.255.255.255", 0xFFFF_FFFF), ("10.0.0.10", 0x0A00_000A),
    ])
    func parsesDottedQuads(text: String, value: UInt32) {
        let address = IPv4Address(parsing: text)
        #expect(address?.value == value)
        #expect(address?.description == text)
    }

    @Test(arguments: [
        "", ".", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.256", "01.2.3.4", "1.2.3.04", "1..2.3",
        "1.2.3.4.", ".1.2.3.4", " 1.2.3.4", "1.2.3.4 ", "+1.2.3.4", "-1.2.3.4", "1.2.3.4/24", "0x1.2.3.4",
        "1.2.3.a", "1234.1.1.1", "999999999999999999999.1.1.1", "1.2.3.4\u{0}", "１.2.3.4", "localhost",
    ])
    func refusesAnythingElse(text: String) {
        #expect(IPv4Address(parsing: text) == nil, "\(text.debugDescription)")
    }

    @Test func bytesRoundTrip() {
        let address = IPv4Address(192, 0, 2, 1)
        #expect(address.bytes == [192, 0, 2, 1])
        #expect(IPv4Address(bytes: address.bytes) == address)
        #expect(IPv4Address(bytes: [1, 2, 3]) == nil)
    }
}

@Suite struct IPv6AddressTests {
    /// RFC 4291 §2.2 forms on the left, RFC 5952 canonical text on the right.
    @Test(arguments: [
        ("2001:DB8:0:0:8:800:200C:417A", "2001:db8::8:800:200c:417a"),
        ("2001:db8:0000:0000:0008:0800:200c:417a", "2001:db8::8:800:200c:417a"),
        ("FF01:0:0:0:0:0:0:101", "ff01::101"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("0:0:0:0:0:0:0:0", "::"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::1", "2001:db8::1"),
        ("0:0:0:0:0:0:13.1.68.3", "::d01:4403"),
        ("::13.1.68.3", "::d01:4403"),
        ("0:0:0:0:0:FFFF:129.144.52.38", "::ffff:129.144.52.38"),
        ("::FFFF:129.144.52.38", "::ffff:129.144.52.38"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),  // RFC 5952 §4.2.3: first of equal runs.
        ("2001:0:0:1:0:0:0:1", "2001:0:0:1::1"),  // §4.2.3: the longest run.
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),  // §4.2.2: one zero group stays.
        ("fe80::1:2:3:4", "fe80::1:2:3:4"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("1::5:6:1.2.3.4", "1::5:6:102:304"),
        ("ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"),
        ("0001:0002:0003:0004:0005:0006:0007:0008", "1:2:3:4:5:6:7:8"),
    ])
    func parsesEveryRFC4291FormAndPrintsRFC5952(text: String, canonical: String) {
        let address = IPv6Address(parsing: text)
        #expect(address?.description == canonical, "\(text)")
        #expect(IPv6Address(parsing: canonical) == address, "canonical text parses back: \(canonical)")
    }

    @Test(arguments: [
        "", ":", ":::", "1:::2", "::1::", "1::2::3", ":1::", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "12345::", "1:2:3:4:5:6:7:",
        ":1:2:3:4:5:6:7", "g::1", "fe80::1%eth0", "::1.2.3", "::1.2.3.4.5", "::256.1.1.1", "1.2.3.4::",
        "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3.4:5", "2001:db8::0:1:1:1:1:1", "[::1]", " ::1", "::1 ", "::ffff:01.2.3.4", "2001:db8::/32",
        "0x1::", "::-1", String(repeating: "1:", count: 5000) + "1", String(repeating: ":", count: 10000),
    ])
    func refusesHostileAndMalformedText(text: String) {
        #expect(IPv6Address(parsing: text) == nil, "\(text.prefix(40).debugDescription)")
    }

    @Test func bytesAndGroupsRoundTrip() {
        let address = IPv6Address(parsing: "2001:db8::8:800:200c:417a")!
        #expect(IPv6Address(bytes: address.bytes) == address)
        #expect(IPv6Address(groups: address.groups) == address)
        #expect(address.bytes.prefix(4) == [0x20, 0x01, 0x0d, 0xb8])
        #expect(IPv6Address(parsing: "fe80::1")!.isLinkLocal)
        #expect(IPv6Address(parsing: "ff02::1")!.isMulticast)
        #expect(IPv6Address(parsing: "::ffff:10.0.0.1")!.mappedIPv4 == IPv4Address(10, 0, 0, 1))
    }
}

@Suite struct SocketAddressTests {
    @Test func parsesV4ThenV6AndNeverResolvesNames() {
        #expect(SocketAddress(parsing: "192.0.2.1")?.version == .ipv4)
        #expect(SocketAddress(parsing: "2001:db8::1")?.version == .ipv6)
        #expect(SocketAddress(parsing: "localhost") == nil)
        #expect(SocketAddress(parsing: "") == nil)
    }

    @Test func falseAddressesAreEqualWhateverThePort() {
        let unspec = SocketAddress(nil, port: 7)
        let zero4 = SocketAddress(parsing: "0.0.0.0", port: 80)!
        let zero6 = SocketAddress(parsing: "::", port: 9)!
        #expect(!unspec.isTruthy && !zero4.isTruthy && !zero6.isTruthy)
        #expect(unspec == zero4)
        #expect(zero4 == zero6)
        #expect(Set([unspec, zero4, zero6]).count == 1)
    }

    @Test func trueAddressesCompareVersionBytesAndPort() {
        let a = SocketAddress(parsing: "192.0.2.1", port: 7)!
        #expect(a.isTruthy)
        #expect(a == SocketAddress(parsing: "192.0.2.1", port: 7)!)
        #expect(a != SocketAddress(parsing: "192.0.2.1", port: 8)!)
        #expect(a != SocketAddress(parsing: "192.0.2.2", port: 7)!)
        #expect(a != SocketAddress(parsing: "::ffff:192.0.2.1", port: 7)!)
        #expect(a != SocketAddress(nil, port: 7))
    }

    @Test func textForms() {
        #expect(SocketAddress(parsing: "2001:DB8::1", port: 80)!.description == "[2001:db8::1]:80")
        #expect(SocketAddress(parsing: "192.0.2.1", port: 80)!.description == "192.0.2.1:80")
        #expect(SocketAddress(nil, port: 80).ipText == nil)
        #expect(SocketAddress(parsing: "0:0::1")!.ipText == "::1")
    }

    @Test(arguments: [
        ("127.0.0.1:5353", "127.0.0.1", 5353 as UInt16), ("[::1]:5353", "::1", 5353), ("192.0.2.53", "192.0.2.53", 53),
        ("2001:db8::53", "2001:db8::53", 53), ("[2001:db8::53]", "2001:db8::53", 53),
    ])
    func parsesEndpoints(text: String, ip: String, port: UInt16) {
        let endpoint = SocketAddress(parsingEndpoint: text, defaultPort: 53)
        #expect(endpoint?.ipText == ip)
        #expect(endpoint?.port == port)
    }

    @Test(arguments: [
        "", ":53", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:5x", "[::1", "[::1]x",
        "[::1]:", "[127.0.0.1]:53", "::1:53:", "host:53", "[]:53", "127.0.0.1:99999999999999999999",
    ])
    func refusesBadEndpoints(text: String) {
        #expect(SocketAddress(parsingEndpoint: text, defaultPort: 53) == nil, "\(text)")
    }
}
