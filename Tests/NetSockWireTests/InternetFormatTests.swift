import NSAPI
import NetSockWire
import Testing

@Suite struct InternetFormatTests {
    /// The header from the IPv4 checksum example in common use: 192.168.0.1 > 192.168.0.199, UDP, DF.
    static let textbookHeader = hex("4500 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7")
    /// Computed independently (Python's struct module and a word-by-word RFC 1071 sum):
    /// 192.0.2.1:5000 > 192.0.2.2:7 "hello", id 0x1234, TTL 64.
    static let udpPacket = hex("45000021123400004011e494c0000201c0000202" + "13880007000d246f68656c6c6f")
    /// An echo request, id 0x0102, sequence 3, data "abcdefgh", computed the same way.
    static let echoRequest = hex("08006565010200036162636465666768")

    @Test func theTextbookHeaderEmitsByteForByte() throws {
        let repr = IPv4Repr(
            source: ip("192.168.0.1"), destination: ip("192.168.0.199"), protocol: .udp, payloadLength: 0x73 - 20,
            timeToLive: 64, dontFragment: true)
        #expect(repr.bytes == Self.textbookHeader)
        let parsed = try (Self.textbookHeader + [UInt8](repeating: 0, count: 0x73 - 20)).withUnsafeBytes { buffer throws(WireError) in
            try IPv4Repr(IPv4Packet(checking: buffer))
        }
        #expect(parsed == repr)
    }

    @Test func aUDPPacketParsesAndEmitsByteForByte() throws {
        try Self.udpPacket.withUnsafeBytes { buffer in
            let packet = try IPv4Packet(checking: buffer)
            let ipRepr = try IPv4Repr(packet)
            #expect(ipRepr.source == ip("192.0.2.1") && ipRepr.destination == ip("192.0.2.2"))
            #expect(ipRepr.identification == 0x1234 && ipRepr.protocol == .udp && !packet.isFragment)
            let datagram = try UDPDatagram(checking: packet.payload)
            let udpRepr = try UDPRepr(datagram, source: ipRepr.source, destination: ipRepr.destination)
            #expect(udpRepr == UDPRepr(sourcePort: 5000, destinationPort: 7))
            #expect(Array(datagram.payload) == Array("hello".utf8))
            #expect(ipRepr.bytes + udpRepr.bytes(payload: Array("hello".utf8), source: ipRepr.source, destination: ipRepr.destination) == Self.udpPacket)
        }
    }

    @Test func aUDPChecksumIsCheckedAgainstThePseudoHeader() {
        let datagram = Array(Self.udpPacket[20...])
        #expect(outcome(datagram) { try UDPRepr(UDPDatagram(checking: $0), source: ip("192.0.2.1"), destination: ip("192.0.2.2")) }.successValue != nil)
        // The same bytes between other addresses fail: the pseudo-header is covered.
        #expect(outcome(datagram) { try UDPRepr(UDPDatagram(checking: $0), source: ip("192.0.2.9"), destination: ip("192.0.2.2")) }.failureReason == .malformed("UDP checksum"))
        // Zero means the sender computed none.
        var unchecked = datagram
        unchecked[6] = 0
        unchecked[7] = 0
        #expect(outcome(unchecked) { try UDPRepr(UDPDatagram(checking: $0), source: ip("192.0.2.9"), destination: ip("192.0.2.2")) }.successValue != nil)
    }

    @Test func aComputedZeroUDPChecksumIsSentAsAllOnes() {
        let repr = UDPRepr(sourcePort: 1, destinationPort: 2)
        let (source, destination) = (ip("192.0.2.1"), ip("192.0.2.2"))
        // Payload words equal to the checksum of a zero payload bring the sum to zero.
        let first = repr.bytes(payload: [0, 0], source: source, destination: destination)
        let bytes = repr.bytes(payload: [first[6], first[7]], source: source, destination: destination)
        #expect(bytes[6] == 0xFF && bytes[7] == 0xFF)
        #expect(outcome(bytes) { try UDPRepr(UDPDatagram(checking: $0), source: source, destination: destination) }.successValue == repr)
    }

    @Test func anEchoRequestParsesAndEmitsByteForByte() {
        let repr = ICMPv4Repr.echoRequest(identifier: 0x0102, sequenceNumber: 3, data: Array("abcdefgh".utf8))
        #expect(repr.bytes == Self.echoRequest)
        #expect(outcome(Self.echoRequest) { try ICMPv4Repr(ICMPv4Packet(checking: $0)) }.successValue == repr)
        var corrupt = Self.echoRequest
        corrupt[9] ^= 0x01
        #expect(outcome(corrupt) { try ICMPv4Repr(ICMPv4Packet(checking: $0)) }.failureReason == .malformed("ICMP checksum"))
    }

    @Test func icmpErrorsCarryTheInvokingPacket() {
        let invoking = Array(Self.udpPacket[..<28])
        for repr in [
            ICMPv4Repr.destinationUnreachable(.port, invoking: invoking), .timeExceeded(.reassembly, invoking: invoking),
            .echoReply(identifier: 7, sequenceNumber: 0xFFFF, data: []), .other(type: 13, code: 0),
        ] {
            #expect(outcome(repr.bytes) { try ICMPv4Repr(ICMPv4Packet(checking: $0)) }.successValue == repr)
        }
        #expect(ICMPv4Repr.destinationUnreachable(.port, invoking: invoking).bytes.prefix(2) == [3, 3])
    }

    @Test func fragmentFieldsRoundTrip() {
        var random = WireRandom(seed: 791)
        for _ in 0..<1000 {
            let payloadLength = random.below(1480)
            let repr = IPv4Repr(
                source: IPv4Address(UInt32(truncatingIfNeeded: random.next())), destination: IPv4Address(UInt32(truncatingIfNeeded: random.next())),
                protocol: IPProtocol(rawValue: random.byte()), payloadLength: payloadLength, timeToLive: random.byte(),
                typeOfService: random.byte(), identification: UInt16(truncatingIfNeeded: random.next()),
                dontFragment: random.below(2) == 0, moreFragments: random.below(2) == 0, fragmentOffset: random.below((65_535 - payloadLength) / 8 + 1) * 8)
            let packet = repr.bytes + random.bytes(payloadLength)
            #expect(outcome(packet) { try IPv4Repr(IPv4Packet(checking: $0)) }.successValue == repr)
        }
    }

    @Test func optionsAreSkippedAndPaddingIsCut() throws {
        // IHL 6: one 4-byte option (NOP NOP NOP EOL) before the payload, then Ethernet padding.
        var header = hex("4600 001c 0001 0000 4011 0000 c0000201 c0000202 01010100")
        let checksum = InternetChecksum.of(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        let bytes = header + [1, 2, 3, 4] + [UInt8](repeating: 0xEE, count: 10)
        try bytes.withUnsafeBytes { buffer in
            let packet = try IPv4Packet(checking: buffer)
            #expect(packet.headerLength == 24 && packet.options.count == 4)
            #expect(Array(packet.payload) == [1, 2, 3, 4])
            #expect(try IPv4Repr(packet).payloadLength == 4)
        }
    }

    @Test func aCorruptHeaderChecksumIsRefused() {
        var bytes = Self.udpPacket
        bytes[8] = 63  // TTL changed, checksum not
        #expect(outcome(bytes) { try IPv4Repr(IPv4Packet(checking: $0)) }.failureReason == .malformed("header checksum"))
    }
}
