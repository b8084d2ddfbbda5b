public import NSAPI

/// The protocol field of an IPv4 header (the IANA protocol numbers).
public struct IPProtocol: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let icmp = IPProtocol(rawValue: 1)
    public static let igmp = IPProtocol(rawValue: 2)
    public static let tcp = IPProtocol(rawValue: 6)
    public static let udp = IPProtocol(rawValue: 17)

    public var description: String {
        switch self {
        case .icmp: "ICMP"
        case .igmp: "IGMP"
        case .tcp: "TCP"
        case .udp: "UDP"
        default: String(self.rawValue)
        }
    }
}

/// A checked view of an IPv4 packet (RFC 791). The view is cut to the header's total
/// length, so Ethernet padding never reaches the payload; options are kept as bytes
/// and skipped, as RFC 1122 §3.2.1.8 allows a host to do for those it does not use.
/// A fragment whose offset and length reach past 65,535 bytes is refused here, so
/// reassembly never has to consider it.
public struct IPv4Packet {
    public static let minimumHeaderLength = 20
    public static let maximumLength = 65_535

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.minimumHeaderLength else { throw .truncated }
        guard bytes[0] >> 4 == 4 else { throw .malformed("version \(bytes[0] >> 4)") }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        guard headerLength >= Self.minimumHeaderLength else { throw .malformed("header length \(headerLength)") }
        guard headerLength <= bytes.count else { throw .truncated }
        let totalLength = Int(bytes.u16(at: 2))
        guard totalLength >= headerLength else { throw .malformed("total length \(totalLength) under header length \(headerLength)") }
        guard totalLength <= bytes.count else { throw .truncated }
        let offset = Int(bytes.u16(at: 6) & 0x1FFF) * 8
        guard offset + totalLength - headerLength <= Self.maximumLength else { throw .malformed("fragment ends past 65535") }
        self.bytes = bytes.bytes(at: 0, count: totalLength)
    }

    public var headerLength: Int { Int(self.bytes[0] & 0x0F) * 4 }
    public var typeOfService: UInt8 { self.bytes[1] }
    public var totalLength: Int { self.bytes.count }
    public var identification: UInt16 { self.bytes.u16(at: 4) }
    public var dontFragment: Bool { self.bytes[6] & 0x40 != 0 }
    public var moreFragments: Bool { self.bytes[6] & 0x20 != 0 }
    /// In bytes (the field counts 8-byte units).
    public var fragmentOffset: Int { Int(self.bytes.u16(at: 6) & 0x1FFF) * 8 }
    public var isFragment: Bool { self.moreFragments || self.fragmentOffset != 0 }
    public var timeToLive: UInt8 { self.bytes[8] }
    public var `protocol`: IPProtocol { IPProtocol(rawValue: self.bytes[9]) }
    public var checksum: UInt16 { self.bytes.u16(at: 10) }
    public var source: IPv4Address { IPv4Address(self.bytes.u32(at: 12)) }
    public var destination: IPv4Address { IPv4Address(self.bytes.u32(at: 16)) }
    public var options: UnsafeRawBufferPointer { self.bytes.bytes(at: 20, count: self.headerLength - 20) }
    public var header: UnsafeRawBufferPointer { self.bytes.bytes(at: 0, count: self.headerLength) }
    public var payload: UnsafeRawBufferPointer { self.bytes.bytes(at: self.headerLength, count: self.totalLength - self.headerLength) }

    public var checksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(self.header)
        return sum.verifies
    }
}

/// What an IPv4 header says, options aside. The fragment fields are part of it because
/// the stack emits fragments itself.
public struct IPv4Repr: Hashable, Sendable {
    public var source: IPv4Address
    public var destination: IPv4Address
    public var `protocol`: IPProtocol
    public var payloadLength: Int
    public var timeToLive: UInt8
    public var typeOfService: UInt8
    public var identification: UInt16
    public var dontFragment: Bool
    public var moreFragments: Bool
    /// In bytes; a multiple of 8.
    public var fragmentOffset: Int

    public init(
        source: IPv4Address, destination: IPv4Address, protocol: IPProtocol, payloadLength: Int,
        timeToLive: UInt8 = 64, typeOfService: UInt8 = 0, identification: UInt16 = 0,
        dontFragment: Bool = false, moreFragments: Bool = false, fragmentOffset: Int = 0
    ) {
        self.source = source
        self.destination = destination
        self.protocol = `protocol`
        self.payloadLength = payloadLength
        self.timeToLive = timeToLive
        self.typeOfService = typeOfService
        self.identification = identification
        self.dontFragment = dontFragment
        self.moreFragments = moreFragments
        self.fragmentOffset = fragmentOffset
    }

    /// Refuses a header whose checksum does not verify.
    public init(_ packet: IPv4Packet) throws(WireError) {
        guard packet.checksumIsValid else { throw .malformed("header checksum") }
        self.init(
            source: packet.source, destination: packet.destination, protocol: packet.protocol,
            payloadLength: packet.totalLength - packet.headerLength, timeToLive: packet.timeToLive,
            typeOfService: packet.typeOfService, identification: packet.identification,
            dontFragment: packet.dontFragment, moreFragments: packet.moreFragments,
            fragmentOffset: packet.fragmentOffset)
    }

    /// Emitted headers carry no options.
    public static let headerLength = IPv4Packet.minimumHeaderLength

    public var totalLength: Int { Self.headerLength + self.payloadLength }

    /// Writes the 20-byte header, checksum included, at the start of `buffer`.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= Self.headerLength && self.totalLength <= IPv4Packet.maximumLength)
        precondition(self.fragmentOffset % 8 == 0 && self.fragmentOffset >> 3 <= 0x1FFF)
        buffer[0] = 0x45
        buffer[1] = self.typeOfService
        buffer.setU16(UInt16(self.totalLength), at: 2)
        buffer.setU16(self.identification, at: 4)
        var flags = UInt16(self.fragmentOffset >> 3)
        if self.dontFragment { flags |= 0x4000 }
        if self.moreFragments { flags |= 0x2000 }
        buffer.setU16(flags, at: 6)
        buffer[8] = self.timeToLive
        buffer[9] = self.protocol.rawValue
        buffer.setU16(0, at: 10)
        buffer.setU32(self.source.value, at: 12)
        buffer.setU32(self.destination.value, at: 16)
        buffer.setU16(InternetChecksum.of(UnsafeRawBufferPointer(rebasing: buffer[0..<Self.headerLength])), at: 10)
    }

    public var bytes: [UInt8] { emitted(Self.headerLength) { self.emit(into: $0) } }
}
