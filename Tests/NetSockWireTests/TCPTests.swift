import NSAPI
import NetSockWire
import Testing

/// TCP headers and options against bytes computed independently (Python's struct
/// module and an RFC 1071 sum over the pseudo-header), and hostile input.
@Suite struct TCPTests {
    static let a = ip("192.0.2.1")
    static let b = ip("192.0.2.2")
    /// A Linux-style SYN: MSS 1460, SACK-permitted, timestamps 1/0, window scale 7.
    static let syn = hex("9c4000500102030400000000a002faf028740000020405b40402080a000000010000000001030307")
    /// ACK+PSH with timestamps and "hello".
    static let data = hex("9c400050010203050a0b0c0d801801f64a6500000101080a000000020000abcd68656c6c6f")
    /// An ACK with timestamps and one SACK block.
    static let sack = hex("00509c400a0b0c0d01020305b01001f5501000000101080a0000abce000000020101050a0102030a0102030f")

    func parse(_ bytes: [UInt8], source: IPv4Address = a, destination: IPv4Address = b) -> Result<TCPRepr, WireError> {
        outcome(bytes) { try TCPRepr(TCPSegment(checking: $0), source: source, destination: destination) }
    }

    @Test func aSYNParsesAndEmitsByteForByte() throws {
        var expected = TCPRepr(sourcePort: 40000, destinationPort: 80, sequenceNumber: 0x0102_0304, flags: .syn, window: 64240)
        expected.maximumSegmentSize = 1460
        expected.sackPermitted = true
        expected.timestamps = TCPTimestamps(value: 1, echo: 0)
        expected.windowScale = 7
        #expect(try self.parse(Self.syn).get() == expected)
        #expect(expected.bytes(payload: [], source: Self.a, destination: Self.b) == Self.syn)
        #expect(expected.headerLength == 40)
    }

    @Test func dataAndSACKSegmentsParseAndEmitByteForByte() throws {
        var data = TCPRepr(sourcePort: 40000, destinationPort: 80, sequenceNumber: 0x0102_0305, acknowledgmentNumber: 0x0A0B_0C0D, flags: .psh, window: 502)
        data.timestamps = TCPTimestamps(value: 2, echo: 0xABCD)
        #expect(try self.parse(Self.data).get() == data)
        #expect(data.bytes(payload: Array("hello".utf8), source: Self.a, destination: Self.b) == Self.data)
        let view = try Self.data.withUnsafeBytes { try Array(TCPSegment(checking: $0).payload) }
        #expect(view == Array("hello".utf8))

        var sack = TCPRepr(sourcePort: 80, destinationPort: 40000, sequenceNumber: 0x0A0B_0C0D, acknowledgmentNumber: 0x0102_0305, window: 501)
        sack.timestamps = TCPTimestamps(value: 0xABCE, echo: 2)
        sack.sackBlocks = [SACKBlock(left: 0x0102_030A, right: 0x0102_030F)]
        #expect(try self.parse(Self.sack, source: Self.b, destination: Self.a).get() == sack)
        #expect(sack.bytes(payload: [], source: Self.b, destination: Self.a) == Self.sack)
    }

    @Test func sackBlocksAreLimitedToWhatFits() {
        var repr = TCPRepr(sourcePort: 1, destinationPort: 2, sequenceNumber: 3, acknowledgmentNumber: 4, window: 5)
        repr.sackBlocks = (0..<6).map { SACKBlock(left: UInt32($0 * 100), right: UInt32($0 * 100 + 50)) }
        #expect(repr.emittedSACKBlocks.count == 4 && repr.headerLength == 20 + 4 + 32)
        repr.timestamps = TCPTimestamps(value: 1, echo: 2)
        #expect(repr.emittedSACKBlocks.count == 3 && repr.headerLength == 60)
        let bytes = repr.bytes(payload: [], source: Self.a, destination: Self.b)
        #expect((try? self.parse(bytes).get().sackBlocks) == Array(repr.sackBlocks.prefix(3)))
    }

    @Test func unknownOptionsAreSkippedAndIllegalLengthsRefused() throws {
        // NOP, an unknown kind 30 of length 4, EOL then garbage after it.
        var segment = Array(Self.syn.prefix(20))
        segment[12] = 0x80  // data offset 8: 12 bytes of options
        segment += [1, 30, 4, 0xAA, 0xBB, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        let options = try segment.withUnsafeBytes { try TCPOption.parse(TCPSegment(checking: $0).options) }
        #expect(options == [.unknown(kind: 30)])
        for bad: [UInt8] in [[2, 3, 5], [2, 0], [30, 1], [30, 9, 0, 0], [5, 6, 0, 0, 0, 0], [8, 9, 0, 0, 0, 0, 0, 0, 0], [3], [4, 3, 0]] {
            let result = bad.withUnsafeBytes { bytes in Result { () throws(WireError) in try TCPOption.parse(bytes) } }
            #expect((try? result.get()) == nil, "\(bad)")
        }
    }

    @Test func everyTruncationAndDataOffsetIsHandled() {
        for length in 0..<Self.syn.count {
            let result = self.parse(Array(Self.syn.prefix(length)))
            #expect((try? result.get()) == nil, "length \(length)")
        }
        for offset in 0...15 {
            var segment = Self.syn
            segment[12] = UInt8(offset << 4)
            // Only the true offset gives a valid segment; the checksum fails any other.
            let result = self.parse(segment)
            if offset == 10 { #expect((try? result.get()) != nil) } else { #expect((try? result.get()) == nil, "offset \(offset)") }
        }
        var corrupted = Self.data
        corrupted[corrupted.count - 1] ^= 1
        #expect((try? self.parse(corrupted).get()) == nil, "bad checksum")
    }

    @Test func everyOptionLengthLieIsRefusedOrSkippedWithoutTrapping() {
        // With the checksum made right again after each lie, only the option parser decides.
        for position in 20..<Self.syn.count {
            for value in 0...255 {
                var segment = Self.syn
                segment[position] = UInt8(value)
                segment[16] = 0
                segment[17] = 0
                var sum = InternetChecksum()
                sum.addPseudoHeader(source: Self.a, destination: Self.b, protocol: 6, length: segment.count)
                sum.add(segment)
                segment[16] = UInt8(sum.value >> 8)
                segment[17] = UInt8(truncatingIfNeeded: sum.value)
                _ = self.parse(segment)
            }
        }
        var random = WireRandom(seed: 11)
        for _ in 0..<20_000 {
            var bytes = random.bytes(20 + random.below(60))
            bytes[12] = UInt8(5 + random.below(11)) << 4
            _ = bytes.withUnsafeBytes { try? TCPOption.parse(TCPSegment(checking: $0).options) }
        }
    }

    @Test func aSYNFrameIsDescribedAsTcpdumpWould() {
        let ip = IPv4Repr(source: Self.a, destination: Self.b, protocol: .tcp, payloadLength: Self.syn.count, identification: 1)
        let frame = EthernetRepr(source: MACAddress(2, 0, 0, 0, 0, 1), destination: MACAddress(2, 0, 0, 0, 0, 2), etherType: .ipv4).bytes + ip.bytes + Self.syn
        #expect(FrameDescription.describe(frame).hasSuffix("TCP 40000 > 80 [S] seq 16909060 win 64240 [mss 1460, sackOK, TS val 1 ecr 0, wscale 7], 0 bytes"))
    }
}
