public import NSAPI

/// A checked view of an ARP packet (RFC 826) for IPv4 over Ethernet, the only pairing
/// this stack resolves: any other hardware or protocol type is refused at the view.
public struct ARPPacket {
    public static let length = 28

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= 8 else { throw .truncated }
        guard bytes.u16(at: 0) == 1 else { throw .malformed("hardware type \(bytes.u16(at: 0))") }
        guard bytes.u16(at: 2) == EtherType.ipv4.rawValue else { throw .malformed("protocol type 0x\(String(bytes.u16(at: 2), radix: 16))") }
        guard bytes[4] == 6, bytes[5] == 4 else { throw .malformed("address lengths \(bytes[4])/\(bytes[5])") }
        guard bytes.count >= Self.length else { throw .truncated }
        self.bytes = bytes
    }

    public var operation: UInt16 { self.bytes.u16(at: 6) }
    public var senderHardwareAddress: MACAddress { MACAddress.load(from: self.bytes, at: 8) }
    public var senderProtocolAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 14)) }
    public var targetHardwareAddress: MACAddress { MACAddress.load(from: self.bytes, at: 18) }
    public var targetProtocolAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 24)) }
}

/// What an ARP packet asks or tells.
public struct ARPRepr: Hashable, Sendable {
    public enum Operation: UInt16, Sendable {
        case request = 1
        case reply = 2
    }

    public var operation: Operation
    public var senderHardwareAddress: MACAddress
    public var senderProtocolAddress: IPv4Address
    public var targetHardwareAddress: MACAddress
    public var targetProtocolAddress: IPv4Address

    public init(
        operation: Operation,
        senderHardwareAddress: MACAddress, senderProtocolAddress: IPv4Address,
        targetHardwareAddress: MACAddress, targetProtocolAddress: IPv4Address
    ) {
        self.operation = operation
        self.senderHardwareAddress = senderHardwareAddress
        self.senderProtocolAddress = senderProtocolAddress
        self.targetHardwareAddress = targetHardwareAddress
        self.targetProtocolAddress = targetProtocolAddress
    }

    public init(_ packet: ARPPacket) throws(WireError) {
        guard let operation = Operation(rawValue: packet.operation) else { throw .malformed("operation \(packet.operation)") }
        self.init(
            operation: operation,
            senderHardwareAddress: packet.senderHardwareAddress, senderProtocolAddress: packet.senderProtocolAddress,
            targetHardwareAddress: packet.targetHardwareAddress, targetProtocolAddress: packet.targetProtocolAddress)
    }

    /// A request; `senderProtocolAddress == targetProtocolAddress` makes it gratuitous,
    /// and an unspecified sender makes it an RFC 5227 probe.
    public static func request(from mac: MACAddress, _ address: IPv4Address, for target: IPv4Address) -> ARPRepr {
        ARPRepr(
            operation: .request, senderHardwareAddress: mac, senderProtocolAddress: address,
            targetHardwareAddress: .zero, targetProtocolAddress: target)
    }

    /// The reply this request asks for, from the owner of the target address.
    public func reply(from mac: MACAddress) -> ARPRepr {
        ARPRepr(
            operation: .reply, senderHardwareAddress: mac, senderProtocolAddress: self.targetProtocolAddress,
            targetHardwareAddress: self.senderHardwareAddress, targetProtocolAddress: self.senderProtocolAddress)
    }

    public static var length: Int { ARPPacket.length }

    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= Self.length)
        buffer.setU16(1, at: 0)
        buffer.setU16(EtherType.ipv4.rawValue, at: 2)
        buffer[4] = 6
        buffer[5] = 4
        buffer.setU16(self.operation.rawValue, at: 6)
        self.senderHardwareAddress.store(into: buffer, at: 8)
        buffer.setU32(self.senderProtocolAddress.value, at: 14)
        self.targetHardwareAddress.store(into: buffer, at: 18)
        buffer.setU32(self.targetProtocolAddress.value, at: 24)
    }

    public var bytes: [UInt8] { emitted(Self.length) { self.emit(into: $0) } }
}
