public import NSAPI

/// A 48-bit IEEE 802 MAC address, kept in the low bits of a `UInt64` so that it is
/// one machine word to hash and compare.
public struct MACAddress: Hashable, Sendable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value & 0xFFFF_FFFF_FFFF }

    public init(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, _ e: UInt8, _ f: UInt8) {
        self.init([a, b, c, d, e, f].reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// Exactly six bytes, or nil.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 6 else { return nil }
        self.init(bytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
    }

    /// `02:00:5e:10:00:01` or `02-00-5E-10-00-01`.
    public init?(parsing text: some StringProtocol) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let pieces = parts.count == 6 ? parts : text.split(separator: "-", omittingEmptySubsequences: false)
        guard pieces.count == 6 else { return nil }
        var value: UInt64 = 0
        for piece in pieces {
            guard (1...2).contains(piece.count), let byte = UInt8(piece, radix: 16) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        self.init(value)
    }

    public static let broadcast = MACAddress(0xFFFF_FFFF_FFFF)
    public static let zero = MACAddress(0)

    public var bytes: [UInt8] { (0..<6).map { UInt8(truncatingIfNeeded: self.value >> (40 - 8 * $0)) } }

    /// The I/G bit: group (multicast or broadcast) rather than one station.
    public var isGroup: Bool { self.value >> 40 & 0x01 != 0 }
    public var isBroadcast: Bool { self == .broadcast }
    public var isUnicast: Bool { !self.isGroup }
    /// The U/L bit: assigned locally rather than from a vendor's OUI.
    public var isLocallyAdministered: Bool { self.value >> 40 & 0x02 != 0 }

    /// The group address an IPv4 multicast group maps to (RFC 1112 §6.4).
    public init(multicast group: IPv4Address) {
        self.init(0x0100_5E00_0000 | UInt64(group.value & 0x007F_FFFF))
    }

    /// A locally administered unicast address from a seed, for links the user gave no MAC.
    public init(locallyAdministeredFrom seed: UInt64) {
        self.init((seed & 0xFCFF_FFFF_FFFF) | 0x0200_0000_0000)
    }

    public var description: String {
        self.bytes.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }.joined(separator: ":")
    }

    func store(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        for index in 0..<6 { buffer[offset + index] = UInt8(truncatingIfNeeded: self.value >> (40 - 8 * index)) }
    }

    static func load(from buffer: UnsafeRawBufferPointer, at offset: Int) -> MACAddress {
        MACAddress(UInt64(buffer.u16(at: offset)) << 32 | UInt64(buffer.u32(at: offset + 2)))
    }
}

/// The type field of an Ethernet II frame.
public struct EtherType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let ipv4 = EtherType(rawValue: 0x0800)
    public static let arp = EtherType(rawValue: 0x0806)
    public static let ipv6 = EtherType(rawValue: 0x86DD)

    public var description: String {
        switch self {
        case .ipv4: "IPv4"
        case .arp: "ARP"
        case .ipv6: "IPv6"
        default: "0x" + String(self.rawValue, radix: 16)
        }
    }
}

/// A checked view of an Ethernet II frame (no preamble, no FCS; what TAP and packet
/// sockets give). 802.3 length frames and VLAN tags are not Ethernet II: a type field
/// below 0x0600 is refused, a tagged frame is reported with its tag type and left to
/// the caller to drop.
public struct EthernetFrame {
    public static let headerLength = 14
    /// The least an Ethernet II type field can be; below it the field is an 802.3 length.
    public static let minimumEtherType: UInt16 = 0x0600

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        guard bytes.u16(at: 12) >= Self.minimumEtherType else { throw .malformed("802.3 length frame") }
        self.bytes = bytes
    }

    public var destination: MACAddress { MACAddress.load(from: self.bytes, at: 0) }
    public var source: MACAddress { MACAddress.load(from: self.bytes, at: 6) }
    public var etherType: EtherType { EtherType(rawValue: self.bytes.u16(at: 12)) }
    /// Everything after the header, including any padding up to the 60-byte minimum.
    public var payload: UnsafeRawBufferPointer { self.bytes.bytes(at: Self.headerLength, count: self.bytes.count - Self.headerLength) }
}

/// What an Ethernet II header says.
public struct EthernetRepr: Hashable, Sendable {
    public var source: MACAddress
    public var destination: MACAddress
    public var etherType: EtherType

    public init(source: MACAddress, destination: MACAddress, etherType: EtherType) {
        self.source = source
        self.destination = destination
        self.etherType = etherType
    }

    public init(_ frame: EthernetFrame) {
        self.init(source: frame.source, destination: frame.destination, etherType: frame.etherType)
    }

    public static var headerLength: Int { EthernetFrame.headerLength }

    /// Writes the 14-byte header at the start of `buffer`.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= Self.headerLength)
        self.destination.store(into: buffer, at: 0)
        self.source.store(into: buffer, at: 6)
        buffer.setU16(self.etherType.rawValue, at: 12)
    }

    public var bytes: [UInt8] { emitted(Self.headerLength) { self.emit(into: $0) } }
}
