import NSAPI
import NetSockWire
import Testing

@Suite struct DHCPv4Tests {
    /// An OFFER laid out independently (Python's struct module, RFC 2131 §2 and RFC 2132):
    /// 192.0.2.50 for 02:00:00:00:00:01 from 192.0.2.1, lease 120 s, mask /24, router,
    /// two DNS servers, MTU 1400; padded to 300 bytes.
    static let offer = hex(
        "02010600 deadbeef 0000 0000 00000000 c0000232 c0000201 00000000 020000000001"
            + String(repeating: "00", count: 10 + 64 + 128)
            + "638253633501023604c00002013304000000780104ffffff000304c00002010608c0000201c63364351a020578ff"
            + String(repeating: "00", count: 18))

    static let client = MACAddress(parsing: "02:00:00:00:00:01")!

    static func parse(_ bytes: [UInt8]) -> Result<DHCPv4Repr, WireError> {
        outcome(bytes) { try DHCPv4Repr(DHCPv4Packet(checking: $0)) }
    }

    @Test func anOfferParsesToEveryFieldTheClientUses() throws {
        #expect(Self.offer.count == 300)
        let offer = try #require(Self.parse(Self.offer).successValue)
        #expect(offer.messageType == .offer && offer.transactionID == 0xDEAD_BEEF)
        #expect(offer.clientHardwareAddress == Self.client)
        #expect(offer.yourAddress == ip("192.0.2.50") && offer.serverAddress == ip("192.0.2.1"))
        #expect(offer.serverIdentifier == ip("192.0.2.1"))
        #expect(offer.leaseTime == 120 && offer.renewalTime == nil)
        #expect(offer.subnetMask == ip("255.255.255.0"))
        #expect(offer.routers == [ip("192.0.2.1")])
        #expect(offer.dnsServers == [ip("192.0.2.1"), ip("198.51.100.53")])
        #expect(offer.interfaceMTU == 1400)
        // Emitting orders options its own way; the meaning survives.
        #expect(Self.parse(offer.bytes).successValue == offer)
        #expect(offer.bytes.count == 300)
    }

    @Test func aClientRequestHasTheLayoutServersExpect() throws {
        var request = DHCPv4Repr(messageType: .request, transactionID: 0x0102_0304, clientHardwareAddress: Self.client)
        request.requestedAddress = ip("192.0.2.50")
        request.serverIdentifier = ip("192.0.2.1")
        request.parameterRequestList = [1, 3, 6, 26, 51, 58, 59]
        request.clientIdentifier = [1] + Self.client.bytes
        request.maximumMessageSize = 1500
        request.hostName = "netsock"
        let bytes = request.bytes
        #expect(bytes.count == 300)
        #expect(Array(bytes[0..<4]) == [1, 1, 6, 0])
        #expect(Array(bytes[4..<8]) == [1, 2, 3, 4])
        #expect(Array(bytes[28..<34]) == Self.client.bytes)
        #expect(Array(bytes[236..<240]) == [0x63, 0x82, 0x53, 0x63])
        #expect(Array(bytes[240..<243]) == [53, 1, 3])
        #expect(Self.parse(bytes).successValue == request)
    }

    @Test func everyMessageTypeRoundTripsWithRandomFields() {
        var random = WireRandom(seed: 2131)
        for type in DHCPv4Repr.MessageType.allCases {
            for _ in 0..<50 {
                var repr = DHCPv4Repr(messageType: type, transactionID: UInt32(truncatingIfNeeded: random.next()), clientHardwareAddress: MACAddress(random.next()))
                func address() -> IPv4Address { IPv4Address(UInt32(truncatingIfNeeded: random.next())) }
                repr.secondsElapsed = UInt16(truncatingIfNeeded: random.next())
                repr.broadcast = random.below(2) == 0
                repr.clientAddress = address()
                repr.yourAddress = address()
                if random.below(2) == 0 { repr.leaseTime = UInt32(truncatingIfNeeded: random.next()) }
                if random.below(2) == 0 { repr.rebindingTime = UInt32(truncatingIfNeeded: random.next()) }
                if random.below(2) == 0 { repr.subnetMask = address() }
                repr.routers = (0..<random.below(3)).map { _ in address() }
                // Up to 100 servers: lists over 255 bytes travel as several instances (RFC 3396).
                repr.dnsServers = (0..<random.below(100)).map { _ in address() }
                if random.below(2) == 0 { repr.message = "lease \(random.next())" }
                #expect(Self.parse(repr.bytes).successValue == repr)
            }
        }
    }

    /// The OFFER with its option area replaced.
    static func offer(options: [UInt8], file: [UInt8] = [], serverName: [UInt8] = []) -> [UInt8] {
        var bytes = Array(Self.offer[..<240]) + options
        bytes.replaceSubrange(108..<(108 + file.count), with: file)
        bytes.replaceSubrange(44..<(44 + serverName.count), with: serverName)
        return bytes
    }

    @Test func overloadedFileAndServerNameFieldsAreReadAsOptions() throws {
        let bytes = Self.offer(
            options: [53, 1, 2, 52, 1, 3, 255],
            file: [51, 4, 0, 0, 0x0E, 0x10, 6, 4, 192, 0, 2, 1, 255],
            serverName: [0, 0, 6, 4, 198, 51, 100, 53, 255])
        let offer = try #require(Self.parse(bytes).successValue)
        #expect(offer.leaseTime == 3600)
        // The file field is read before the server-name field, and the pieces join.
        #expect(offer.dnsServers == [ip("192.0.2.1"), ip("198.51.100.53")])
        for bad in [[UInt8](), [0], [4], [1, 1]] {
            let refused = Self.parse(Self.offer(options: [53, 1, 2, 52, UInt8(bad.count)] + bad + [255]))
            #expect(refused.failureReason == .malformed("option overload value"), "\(bad)")
        }
    }

    @Test func aMissingEndIsToleratedButAnOptionPastItsAreaIsNot() {
        #expect(Self.parse(Self.offer(options: [53, 1, 2, 51, 4, 0, 0, 0, 60])).successValue?.leaseTime == 60)
        #expect(Self.parse(Self.offer(options: [53, 1, 2, 51, 4, 0, 0, 0])).failureReason == .truncated)
        #expect(Self.parse(Self.offer(options: [53, 1, 2, 51])).failureReason == .truncated)
        // Past END nothing counts, not even garbage.
        #expect(Self.parse(Self.offer(options: [53, 1, 2, 255, 51, 200])).successValue?.leaseTime == nil)
    }

    @Test func optionsOfTheWrongSizeAreRefused() {
        let cases: [[UInt8]] = [
            [1, 3, 255, 255, 255], [3, 5, 1, 2, 3, 4, 5], [51, 2, 0, 1], [26, 1, 5], [54, 0],
            [53, 2, 2, 2], [53, 1, 9], [53, 1, 0],
        ]
        for options in cases {
            #expect(Self.parse(Self.offer(options: [53, 1, 2] + options + [255])).failureReason != nil, "\(options)")
        }
        #expect(Self.parse(Self.offer(options: [51, 4, 0, 0, 0, 1, 255])).failureReason == .malformed("no message type"))
        // A server's message type in a client's BOOTREQUEST.
        var request = Self.offer
        request[0] = 1
        #expect(Self.parse(request).failureReason == .malformed("op 1 with offer"))
    }
}
