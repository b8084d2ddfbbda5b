import NSAPI
import NetSockWire
import Testing

@Suite struct LinkFormatTests {
    /// A broadcast ARP request, laid out by hand from RFC 826: 192.0.2.2 asks for 192.0.2.1.
    static let arpRequestFrame = hex(
        "ffffffffffff 020000000002 0806"
            + "0001 0800 06 04 0001 020000000002 c0000202 000000000000 c0000201")

    @Test func macAddressesParsePrintAndClassify() {
        let mac = MACAddress(parsing: "02:00:5E:10:00:01")!
        #expect(mac.description == "02:00:5e:10:00:01")
        #expect(MACAddress(parsing: "02-00-5e-10-00-01") == mac)
        #expect(mac.bytes == [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01])
        #expect(MACAddress(bytes: mac.bytes) == mac)
        #expect(mac.isLocallyAdministered && mac.isUnicast)
        #expect(MACAddress.broadcast.isGroup && MACAddress.broadcast.isBroadcast)
        #expect(MACAddress(multicast: ip("224.0.0.251")).description == "01:00:5e:00:00:fb")
        #expect(MACAddress(multicast: ip("239.255.255.250")).description == "01:00:5e:7f:ff:fa")
        let generated = MACAddress(locallyAdministeredFrom: .max)
        #expect(generated.isLocallyAdministered && generated.isUnicast)
        for bad in ["", "02:00:5e:10:00", "02:00:5e:10:00:01:02", "02:00:5e:10:00:0g", "002:00:5e:10:00:01", "02:00:5e:10::01", "02:00-5e:10:00:01"] {
            #expect(MACAddress(parsing: bad) == nil, "\(bad)")
        }
        #expect(MACAddress(bytes: [1, 2, 3]) == nil)
    }

    @Test func anARPRequestParsesAndEmitsByteForByte() throws {
        try Self.arpRequestFrame.withUnsafeBytes { buffer in
            let frame = try EthernetFrame(checking: buffer)
            #expect(frame.destination == .broadcast)
            #expect(frame.source == MACAddress(parsing: "02:00:00:00:00:02"))
            #expect(frame.etherType == .arp)
            let arp = try ARPRepr(ARPPacket(checking: frame.payload))
            #expect(arp == .request(from: MACAddress(parsing: "02:00:00:00:00:02")!, ip("192.0.2.2"), for: ip("192.0.2.1")))
            #expect(EthernetRepr(frame).bytes + arp.bytes == Self.arpRequestFrame)
        }
    }

    @Test func aReplyAnswersTheRequestItCameFrom() {
        let asker = MACAddress(parsing: "02:00:00:00:00:02")!
        let owner = MACAddress(parsing: "02:00:00:00:00:01")!
        let reply = ARPRepr.request(from: asker, ip("192.0.2.2"), for: ip("192.0.2.1")).reply(from: owner)
        #expect(reply.operation == .reply)
        #expect(reply.senderHardwareAddress == owner && reply.senderProtocolAddress == ip("192.0.2.1"))
        #expect(reply.targetHardwareAddress == asker && reply.targetProtocolAddress == ip("192.0.2.2"))
    }

    @Test func ethernetPaddingStaysInThePayloadAndOldFramesAreRefused() throws {
        let padded = Self.arpRequestFrame + [UInt8](repeating: 0, count: 18)
        try padded.withUnsafeBytes { buffer in
            let frame = try EthernetFrame(checking: buffer)
            #expect(frame.payload.count == 46)
            #expect(try ARPRepr(ARPPacket(checking: frame.payload)).targetProtocolAddress == ip("192.0.2.1"))
        }
        var lengthFrame = Self.arpRequestFrame
        lengthFrame[12] = 0x05
        lengthFrame[13] = 0xDC  // 1500: an 802.3 length, not a type
        #expect(outcome(lengthFrame) { try EthernetFrame(checking: $0) }.failureReason == .malformed("802.3 length frame"))
    }

    @Test func arpForOtherHardwareOrProtocolsIsRefused() {
        let arp = Array(Self.arpRequestFrame[14...])
        for (offset, value) in [(1, UInt8(6)), (2, 0x86), (4, 8), (5, 16)] {
            var bytes = arp
            bytes[offset] = value
            #expect(outcome(bytes) { try ARPPacket(checking: $0) }.failureReason != nil, "byte \(offset) = \(value)")
        }
        var operation = arp
        operation[7] = 3  // RARP request
        #expect(outcome(operation) { try ARPRepr(ARPPacket(checking: $0)) }.failureReason == .malformed("operation 3"))
    }

    @Test func randomARPRoundTrips() {
        var random = WireRandom(seed: 826)
        for _ in 0..<500 {
            let repr = ARPRepr(
                operation: random.below(2) == 0 ? .request : .reply,
                senderHardwareAddress: MACAddress(random.next()), senderProtocolAddress: IPv4Address(UInt32(truncatingIfNeeded: random.next())),
                targetHardwareAddress: MACAddress(random.next()), targetProtocolAddress: IPv4Address(UInt32(truncatingIfNeeded: random.next())))
            #expect(outcome(repr.bytes) { try ARPRepr(ARPPacket(checking: $0)) }.successValue == repr)
        }
    }
}

extension Result where Failure == WireError {
    var failureReason: WireError.Reason? {
        if case .failure(let error) = self { return error.reason }
        return nil
    }

    var successValue: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
