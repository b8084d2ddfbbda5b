import NSAPI
import NetSockWire
import Testing

/// IGMPv2 messages against bytes computed independently (Python's struct module and an
/// RFC 1071 sum), and hostile input.
@Suite struct IGMPTests {
    static let report = hex("1600f8faef010203")
    static let generalQuery = hex("1164ee9b00000000")
    static let leave = hex("1700f7faef010203")

    func parse(_ bytes: [UInt8]) -> Result<IGMPRepr, WireError> {
        outcome(bytes) { try IGMPRepr(IGMPPacket(checking: $0)) }
    }

    @Test func v2MessagesParseAndEmitByteForByte() throws {
        let cases: [([UInt8], IGMPRepr)] = [
            (Self.report, .membershipReport(group: ip("239.1.2.3"), version: .v2)),
            (Self.generalQuery, .membershipQuery(maximumResponseTime: 100, group: .any)),
            (Self.leave, .leaveGroup(group: ip("239.1.2.3"))),
        ]
        for (bytes, repr) in cases {
            #expect(try self.parse(bytes).get() == repr)
            #expect(repr.bytes == bytes)
        }
    }

    @Test func aV1QueryKeepsItsZeroAndLongerV3QueriesReadAsV2() throws {
        var v1 = hex("1100000000000000")
        let sum = v1.withUnsafeBytes { InternetChecksum.of($0) }
        v1[2] = UInt8(sum >> 8)
        v1[3] = UInt8(truncatingIfNeeded: sum)
        #expect(try self.parse(v1).get() == .membershipQuery(maximumResponseTime: 0, group: .any))
        // An IGMPv3 query is 12 bytes or more; its checksum covers them all.
        var v3 = hex("1132000000000000" + "02 7d 0000")
        let v3sum = v3.withUnsafeBytes { InternetChecksum.of($0) }
        v3[2] = UInt8(v3sum >> 8)
        v3[3] = UInt8(truncatingIfNeeded: v3sum)
        #expect(try self.parse(v3).get() == .membershipQuery(maximumResponseTime: 0x32, group: .any))
    }

    @Test func truncationsBadChecksumsAndUnknownTypesAreRefused() {
        for length in 0..<8 { #expect(throws: WireError.truncated) { try self.parse(Array(Self.report.prefix(length))).get() } }
        var bad = Self.report
        bad[7] ^= 1
        #expect((try? self.parse(bad).get()) == nil)
        #expect((try? self.parse(hex("2200ddff00000000")).get()) == nil, "an IGMPv3 report is not for a v2 host")
        var random = WireRandom(seed: 5)
        for _ in 0..<5000 { _ = self.parse(random.bytes(random.below(24))) }
    }
}
