import NSAPI
import NetSockWire
import Testing

/// Every truncation and every lie a length field can tell, for each format; then
/// seeded garbage and mutations through the whole dissection path.
@Suite struct HostileWireInputTests {
    static let ethernetHeader = hex("020000000001 020000000002 0800")
    static let udpFrame = ethernetHeader + InternetFormatTests.udpPacket

    @Test func everyTruncationIsRefusedAsTruncated() {
        let packet = InternetFormatTests.udpPacket
        for length in 0..<packet.count {
            #expect(outcome(Array(packet[..<length])) { try IPv4Packet(checking: $0) }.failureReason == .truncated, "IPv4 cut to \(length)")
        }
        let datagram = Array(packet[20...])
        for length in 0..<datagram.count {
            #expect(outcome(Array(datagram[..<length])) { try UDPDatagram(checking: $0) }.failureReason == .truncated, "UDP cut to \(length)")
        }
        let arp = Array(LinkFormatTests.arpRequestFrame[14...])
        for length in 0..<arp.count {
            #expect(outcome(Array(arp[..<length])) { try ARPPacket(checking: $0) }.failureReason == .truncated, "ARP cut to \(length)")
        }
        for length in 0..<EthernetFrame.headerLength {
            #expect(outcome(Array(Self.udpFrame[..<length])) { try EthernetFrame(checking: $0) }.failureReason == .truncated)
        }
        let echo = InternetFormatTests.echoRequest
        for length in 0..<ICMPv4Packet.headerLength {
            #expect(outcome(Array(echo[..<length])) { try ICMPv4Packet(checking: $0) }.failureReason == .truncated)
        }
        for length in ICMPv4Packet.headerLength..<echo.count {
            // Long enough for the view; the checksum over the cut message fails.
            #expect(outcome(Array(echo[..<length])) { try ICMPv4Repr(ICMPv4Packet(checking: $0)) }.successValue == nil)
        }
        let offer = DHCPv4Tests.offer
        for length in 0..<offer.count {
            let result = DHCPv4Tests.parse(Array(offer[..<length]))
            if length < DHCPv4Packet.minimumLength {
                #expect(result.failureReason == .truncated, "DHCP cut to \(length)")
            } else if let repr = result.successValue {
                // Cut on an option boundary: what was read is what was sent.
                #expect(repr.transactionID == 0xDEAD_BEEF && repr.messageType == .offer)
            }
        }
    }

    @Test func everyIPv4TotalLengthAndHeaderLengthIsJudgedByTheRule() {
        let packet = InternetFormatTests.udpPacket
        for total in 0...0xFFFF {
            var bytes = packet
            bytes[2] = UInt8(total >> 8)
            bytes[3] = UInt8(total & 0xFF)
            let result = outcome(bytes) { try IPv4Packet(checking: $0).payload.count }
            if total < 20 {
                #expect(result.failureReason == .malformed("total length \(total) under header length 20"))
            } else if total > packet.count {
                #expect(result.failureReason == .truncated)
            } else {
                #expect(result.successValue == total - 20)
            }
        }
        for headerWords in 0..<16 {
            var bytes = packet
            bytes[0] = 0x40 | UInt8(headerWords)
            let result = outcome(bytes) { try IPv4Packet(checking: $0).headerLength }
            if headerWords < 5 {
                #expect(result.failureReason == .malformed("header length \(headerWords * 4)"))
            } else if headerWords * 4 > packet.count {
                #expect(result.failureReason == .truncated)
            } else {
                #expect(result.successValue == headerWords * 4)
            }
        }
        for version in [0, 6, 15] {
            var bytes = packet
            bytes[0] = UInt8(version << 4) | 5
            #expect(outcome(bytes) { try IPv4Packet(checking: $0) }.failureReason == .malformed("version \(version)"))
        }
    }

    @Test func aFragmentReachingPast65535IsRefused() {
        var bytes = InternetFormatTests.udpPacket
        // Offset 8191 units = 65,528 bytes, plus 13 payload bytes.
        bytes[6] = 0x1F
        bytes[7] = 0xFF
        #expect(outcome(bytes) { try IPv4Packet(checking: $0) }.failureReason == .malformed("fragment ends past 65535"))
        bytes[7] = 0xFE  // 65,520 + 13 fits
        #expect(outcome(bytes) { try IPv4Packet(checking: $0).fragmentOffset }.successValue == 65_520)
    }

    @Test func everyUDPLengthIsJudgedByTheRule() {
        let datagram = Array(InternetFormatTests.udpPacket[20...])
        for length in 0...0xFFFF {
            var bytes = datagram
            bytes[4] = UInt8(length >> 8)
            bytes[5] = UInt8(length & 0xFF)
            let result = outcome(bytes) { try UDPDatagram(checking: $0).payload.count }
            if length < 8 {
                #expect(result.failureReason == .malformed("length \(length)"))
            } else if length > datagram.count {
                #expect(result.failureReason == .truncated)
            } else {
                #expect(result.successValue == length - 8)
            }
        }
    }

    @Test func everyDHCPOptionLengthLieIsSurvived() {
        // Option length bytes in the OFFER's options area, found by walking it.
        var offsets: [Int] = []
        var index = 240
        let offer = DHCPv4Tests.offer
        while offer[index] != 255 {
            offsets.append(index + 1)
            index += 2 + Int(offer[index + 1])
        }
        #expect(offsets.count == 7)
        for offset in offsets {
            for length in 0...255 {
                var bytes = offer
                bytes[offset] = UInt8(length)
                // Whatever the lie, the answer is a value or an error, never a trap.
                _ = DHCPv4Tests.parse(bytes)
                _ = DHCPv4Tests.parse(Array(bytes[..<(offset + 1)]))
            }
        }
        // A maximal area of one-byte options and pads reads in one pass.
        var area: [UInt8] = [53, 1, 2]
        for index in 0..<20_000 {
            area += [UInt8(60 + index % 100), 0, 0]
        }
        let crowded = DHCPv4Tests.offer(options: area + [255])
        #expect(DHCPv4Tests.parse(crowded).successValue != nil)
    }

    @Test func seededGarbageAndMutationsNeverTrap() {
        var random = WireRandom(seed: 0x5EED)
        for _ in 0..<20_000 {
            let frame = random.bytes(random.below(1600))
            #expect(!FrameDescription.describe(frame).isEmpty)
        }
        var frames = [Self.udpFrame, LinkFormatTests.arpRequestFrame, Self.ethernetHeader + hex("4500 001c 0001 0000 4001 0000 c0000201 c0000202") + InternetFormatTests.echoRequest]
        var dhcp = UDPRepr(sourcePort: 67, destinationPort: 68).bytes(payload: DHCPv4Tests.offer, source: ip("192.0.2.1"), destination: ip("192.0.2.50"))
        let dhcpIP = IPv4Repr(source: ip("192.0.2.1"), destination: ip("192.0.2.50"), protocol: .udp, payloadLength: dhcp.count)
        dhcp = Self.ethernetHeader + dhcpIP.bytes + dhcp
        frames.append(dhcp)
        #expect(FrameDescription.describe(dhcp).hasSuffix("DHCP offer xid 0xdeadbeef chaddr 02:00:00:00:00:01 yiaddr 192.0.2.50 lease 120"))
        for _ in 0..<20_000 {
            var frame = frames[random.below(frames.count)]
            for _ in 0...random.below(4) {
                frame[random.below(frame.count)] = random.byte()
            }
            if random.below(4) == 0 { frame.removeLast(random.below(frame.count)) }
            #expect(!FrameDescription.describe(frame).isEmpty)
        }
    }

    @Test func dissectionNamesWhatItSees() {
        #expect(FrameDescription.describe(LinkFormatTests.arpRequestFrame) == "02:00:00:00:00:02 > ff:ff:ff:ff:ff:ff ARP who-has 192.0.2.1 tell 192.0.2.2")
        #expect(FrameDescription.describe(Self.udpFrame) == "02:00:00:00:00:02 > 02:00:00:00:00:01 IPv4 192.0.2.1 > 192.0.2.2 ttl 64 id 4660 UDP 5000 > 7, 5 bytes")
        #expect(FrameDescription.describe(Array(Self.udpFrame.prefix(20))) == "02:00:00:00:00:02 > 02:00:00:00:00:01 IPv4 truncated")
        #expect(FrameDescription.describe([1, 2, 3]) == "Ethernet truncated")
    }
}
