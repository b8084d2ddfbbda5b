import NSAPI
import NetSockWire
import Testing

@Suite struct ChecksumTests {
    /// The straightforward RFC 1071 sum, word by word, to check the 64-bit one against.
    static func reference(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let high = UInt32(bytes[index]) << 8
            let low = index + 1 < bytes.count ? UInt32(bytes[index + 1]) : 0
            sum += high | low
            sum = (sum & 0xFFFF) + (sum >> 16)
            index += 2
        }
        return ~UInt16(sum)
    }

    @Test func matchesTheRFC1071Example() {
        // RFC 1071 §3: the words 0001 f203 f4f5 f6f7 sum to ddf2.
        #expect(InternetChecksum.of(hex("0001 f203 f4f5 f6f7")) == ~0xDDF2)
    }

    @Test func matchesTheReferenceAtEveryLengthAndSplit() {
        var random = WireRandom(seed: 1071)
        for length in 0..<200 {
            let bytes = random.bytes(length)
            #expect(InternetChecksum.of(bytes) == Self.reference(bytes), "length \(length)")
            // Added in two pieces at every split, odd ones included.
            for split in 0...length {
                var sum = InternetChecksum()
                sum.add(Array(bytes[..<split]))
                sum.add(Array(bytes[split...]))
                #expect(sum.value == Self.reference(bytes), "length \(length) split \(split)")
            }
        }
    }

    @Test func allOnesDataDoesNotOverflow() {
        let bytes = [UInt8](repeating: 0xFF, count: 65_535)
        #expect(InternetChecksum.of(bytes) == Self.reference(bytes))
    }

    @Test func dataCarryingItsChecksumVerifies() {
        var bytes = hex("4500 0073 0000 4000 4011 0000 c0a8 0001 c0a8 00c7")
        let checksum = InternetChecksum.of(bytes)
        bytes[10] = UInt8(checksum >> 8)
        bytes[11] = UInt8(checksum & 0xFF)
        var sum = InternetChecksum()
        sum.add(bytes)
        #expect(sum.verifies)
        #expect(checksum == 0xB861)
    }
}
