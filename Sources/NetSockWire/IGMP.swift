public import NSAPI

/// A checked view of an IGMP message (RFC 2236; RFC 3376 queries are longer and read
/// as v2 queries, as a v2 host must).
public struct IGMPPacket {
    public static let length = 8

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.length else { throw .truncated }
        self.bytes = bytes
    }

    public var type: UInt8 { self.bytes[0] }
    /// In tenths of a second; 0 in an IGMPv1 query.
    public var maximumResponseTime: UInt8 { self.bytes[1] }
    public var group: IPv4Address { IPv4Address(self.bytes.u32(at: 4)) }

    public var checksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(self.bytes)
        return sum.verifies
    }
}

/// The IGMP messages of a version 2 host.
public enum IGMPRepr: Hashable, Sendable {
    /// A general query (group 0.0.0.0) or a group-specific one; the time is in tenths of
    /// a second, and 0 in a query from an IGMPv1 router (which a host answers within 10 s,
    /// in version 1).
    case membershipQuery(maximumResponseTime: UInt8, group: IPv4Address)
    case membershipReport(group: IPv4Address, version: Version)
    case leaveGroup(group: IPv4Address)

    public enum Version: Hashable, Sendable {
        case v1, v2
    }

    /// Refuses a bad checksum and types a v2 host does not handle.
    public init(_ packet: IGMPPacket) throws(WireError) {
        guard packet.checksumIsValid else { throw .malformed("IGMP checksum") }
        switch packet.type {
        case 0x11: self = .membershipQuery(maximumResponseTime: packet.maximumResponseTime, group: packet.group)
        case 0x12: self = .membershipReport(group: packet.group, version: .v1)
        case 0x16: self = .membershipReport(group: packet.group, version: .v2)
        case 0x17: self = .leaveGroup(group: packet.group)
        default: throw .malformed("IGMP type \(packet.type)")
        }
    }

    public var group: IPv4Address {
        switch self {
        case .membershipQuery(_, let group), .membershipReport(let group, _), .leaveGroup(let group): group
        }
    }

    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= IGMPPacket.length)
        switch self {
        case .membershipQuery(let time, _):
            buffer[0] = 0x11
            buffer[1] = time
        case .membershipReport(_, let version):
            buffer[0] = version == .v1 ? 0x12 : 0x16
            buffer[1] = 0
        case .leaveGroup:
            buffer[0] = 0x17
            buffer[1] = 0
        }
        buffer.setU16(0, at: 2)
        buffer.setU32(self.group.value, at: 4)
        buffer.setU16(InternetChecksum.of(UnsafeRawBufferPointer(rebasing: buffer[0..<IGMPPacket.length])), at: 2)
    }

    public var bytes: [UInt8] { emitted(IGMPPacket.length) { self.emit(into: $0) } }
}
