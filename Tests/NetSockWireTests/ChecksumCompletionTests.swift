import NSAPI
import NetSockWire
import Testing

/// Finishing checksums the kernel left to offload, as an AF_PACKET link must.
@Suite struct ChecksumCompletionTests {
    let source = ip("192.0.2.1")
    let destination = ip("192.0.2.2")

    /// An Ethernet frame carrying a UDP datagram with a correct checksum.
    func udpFrame(_ payload: [UInt8], fragment: Bool = false) -> [UInt8] {
        let udp = UDPRepr(sourcePort: 4321, destinationPort: 9000).bytes(payload: payload, source: self.source, destination: self.destination)
        let ip = IPv4Repr(source: self.source, destination: self.destination, protocol: .udp, payloadLength: udp.count, moreFragments: fragment)
        let ethernet = EthernetRepr(source: MACAddress(2, 0, 0, 0, 0, 1), destination: MACAddress(2, 0, 0, 0, 0, 2), etherType: .ipv4)
        return ethernet.bytes + ip.bytes + udp
    }

    @Test func anUnfinishedUDPChecksumIsMadeRight() throws {
        let good = self.udpFrame(Array("from the kernel".utf8))
        for garbage: [UInt16] in [[0x0000], [0x1234], [0xFFFF]] {
            var frame = good
            frame[14 + 20 + 6] = UInt8(garbage[0] >> 8)
            frame[14 + 20 + 7] = UInt8(truncatingIfNeeded: garbage[0])
            #expect(frame.withUnsafeMutableBytes { ChecksumCompletion.complete($0) })
            #expect(frame == good)
        }
    }

    @Test func framesItCannotFinishAreLeftAlone() throws {
        var fragment = self.udpFrame([1, 2, 3], fragment: true)
        let original = fragment
        #expect(!fragment.withUnsafeMutableBytes { ChecksumCompletion.complete($0) })
        #expect(fragment == original)
        let whole = self.udpFrame([1, 2, 3])
        for length in 0..<(14 + 20 + 8) {
            var cut = Array(whole.prefix(length))
            #expect(!cut.withUnsafeMutableBytes { ChecksumCompletion.complete($0) }, "length \(length)")
            #expect(cut == Array(whole.prefix(length)))
        }
        // An ARP frame is not IPv4.
        var arp = ARPRepr.request(from: MACAddress(2, 0, 0, 0, 0, 1), self.source, for: self.destination).bytes
        arp = EthernetRepr(source: MACAddress(2, 0, 0, 0, 0, 1), destination: .broadcast, etherType: .arp).bytes + arp
        #expect(!arp.withUnsafeMutableBytes { ChecksumCompletion.complete($0) })
    }
}
