import NSAPI
import NetSockWire
import Testing

/// Cutting one large TCP frame into wire segments, as a device with TSO does.
@Suite struct TCPSegmentationTests {
    let source = ip("192.0.2.1")
    let destination = ip("192.0.2.2")

    /// A frame carrying `payload` in one TCP packet with a partial checksum, as our
    /// stack hands it to a device.
    func largeFrame(_ payload: [UInt8], flags: TCPFlags = [.psh, .fin, .cwr], identification: UInt16 = 0xFFFE) -> [UInt8] {
        var tcp = TCPRepr(sourcePort: 80, destinationPort: 4000, sequenceNumber: 0xFFFF_FF00, acknowledgmentNumber: 7, flags: flags, window: 512)
        tcp.timestamps = TCPTimestamps(value: 1, echo: 2)
        let header = tcp.headerLength
        var segment = [UInt8](repeating: 0, count: header + payload.count)
        segment.withUnsafeMutableBytes { buffer in
            UnsafeMutableRawBufferPointer(rebasing: buffer[header...]).copyBytes(from: payload)
            tcp.emit(into: buffer, payloadLength: payload.count, source: self.source, destination: self.destination, partialChecksum: true)
        }
        let ipHeader = IPv4Repr(
            source: self.source, destination: self.destination, protocol: .tcp, payloadLength: segment.count, identification: identification,
            dontFragment: true)
        let ethernet = EthernetRepr(source: MACAddress(2, 0, 0, 0, 0, 1), destination: MACAddress(2, 0, 0, 0, 0, 2), etherType: .ipv4)
        return ethernet.bytes + ipHeader.bytes + segment
    }

    func split(_ frame: [UInt8], segmentSize: Int) -> (ok: Bool, segments: [[UInt8]]) {
        var segments: [[UInt8]] = []
        let ok = frame.withUnsafeBytes { TCPSegmentation.split($0, transportStart: 34, segmentSize: segmentSize) { segments.append([UInt8]($0)) } }
        return (ok, segments)
    }

    @Test("segments carry the payload in order, with their own sequence numbers, lengths, IDs and valid checksums", arguments: [1, 536, 1436, 1448, 9000])
    func cutsAsADeviceWould(_ size: Int) throws {
        let payload = (0..<40_001).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let (ok, segments) = self.split(self.largeFrame(payload), segmentSize: size)
        #expect(ok)
        #expect(segments.count == (payload.count + size - 1) / size)
        var joined: [UInt8] = []
        for (index, frame) in segments.enumerated() {
            try frame.withUnsafeBytes { bytes in
                let ip = try IPv4Packet(checking: UnsafeRawBufferPointer(rebasing: bytes[14...]))
                #expect(ip.checksumIsValid)
                #expect(ip.identification == 0xFFFE &+ UInt16(index))
                let tcp = try TCPSegment(checking: ip.payload)
                #expect(tcp.checksumIsValid(source: self.source, destination: self.destination))
                #expect(tcp.sequenceNumber == 0xFFFF_FF00 &+ UInt32(index * size))
                let last = index == segments.count - 1
                #expect(tcp.flags.contains(.psh) == last && tcp.flags.contains(.fin) == last)
                #expect(tcp.flags.contains(.cwr) == (index == 0))
                #expect(tcp.flags.contains(.ack))
                #expect(tcp.payload.count <= size)
                joined.append(contentsOf: tcp.payload)
            }
        }
        #expect(joined == payload)
    }

    @Test("a segment size of 0, or a packet within it, gives one segment with its checksum finished")
    func oneSegment() throws {
        for size in [0, 100_000] {
            let (ok, segments) = self.split(self.largeFrame([1, 2, 3], flags: .psh), segmentSize: size)
            #expect(ok && segments.count == 1)
            try segments[0].withUnsafeBytes { bytes in
                let ip = try IPv4Packet(checking: UnsafeRawBufferPointer(rebasing: bytes[14...]))
                #expect(try TCPSegment(checking: ip.payload).checksumIsValid(source: self.source, destination: self.destination))
            }
        }
    }

    @Test("truncated, fragmented, non-TCP or misdescribed frames are refused without a segment")
    func refusesWhatItCannotCut() throws {
        let frame = self.largeFrame(Array(repeating: 9, count: 3000))
        for length in 0..<(14 + 20 + 32) {
            let (ok, segments) = self.split(Array(frame.prefix(length)), segmentSize: 1000)
            #expect(!ok && segments.isEmpty, "length \(length)")
        }
        // The IP length claims more than the frame has.
        let (cutOK, _) = self.split(Array(frame.dropLast()), segmentSize: 1000)
        #expect(!cutOK)
        var fragment = frame
        fragment[14 + 6] |= 0x20
        #expect(!self.split(fragment, segmentSize: 1000).ok)
        var udp = frame
        udp[14 + 9] = IPProtocol.udp.rawValue
        #expect(!self.split(udp, segmentSize: 1000).ok)
        // A header length that runs past the packet's end.
        let tiny = self.largeFrame([])
        var longHeader = tiny
        longHeader[34 + 12] = 0xF0
        #expect(!self.split(longHeader, segmentSize: 1000).ok)
        var shortHeader = frame
        shortHeader[34 + 12] = 0x40  // 16 bytes: below the minimum
        #expect(!self.split(shortHeader, segmentSize: 1000).ok)
        var wrongStart = frame
        wrongStart[14] = 0x46  // IP options claimed: the TCP header is not where the caller said
        #expect(!wrongStart.withUnsafeBytes { TCPSegmentation.split($0, transportStart: 34, segmentSize: 1000) { _ in } })
    }
}
