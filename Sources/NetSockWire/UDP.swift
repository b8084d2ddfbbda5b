public import NSAPI

/// A checked view of a UDP datagram (RFC 768), cut to its length field.
public struct UDPDatagram {
    public static let headerLength = 8

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        let length = Int(bytes.u16(at: 4))
        guard length >= Self.headerLength else { throw .malformed("length \(length)") }
        guard length <= bytes.count else { throw .truncated }
        self.bytes = bytes.bytes(at: 0, count: length)
    }

    public var sourcePort: UInt16 { self.bytes.u16(at: 0) }
    public var destinationPort: UInt16 { self.bytes.u16(at: 2) }
    public var length: Int { self.bytes.count }
    public var checksum: UInt16 { self.bytes.u16(at: 6) }
    public var payload: UnsafeRawBufferPointer { self.bytes.bytes(at: Self.headerLength, count: self.length - Self.headerLength) }

    /// A zero checksum means the sender computed none (allowed over IPv4).
    public func checksumIsValid(source: IPv4Address, destination: IPv4Address) -> Bool {
        guard self.checksum != 0 else { return true }
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocol: IPProtocol.udp.rawValue, length: self.length)
        sum.add(self.bytes)
        return sum.verifies
    }
}

/// What a UDP header says; the payload travels beside it, never copied into it.
public struct UDPRepr: Hashable, Sendable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// Refuses a datagram whose checksum does not verify against its IP addresses.
    public init(_ datagram: UDPDatagram, source: IPv4Address, destination: IPv4Address) throws(WireError) {
        guard datagram.checksumIsValid(source: source, destination: destination) else { throw .malformed("UDP checksum") }
        self.init(sourcePort: datagram.sourcePort, destinationPort: datagram.destinationPort)
    }

    public static var headerLength: Int { UDPDatagram.headerLength }

    /// Writes the header for the `payloadLength` bytes that already follow it in
    /// `buffer`, and the checksum over both. A computed zero is sent as all ones
    /// (RFC 768), since zero means "no checksum".
    public func emit(into buffer: UnsafeMutableRawBufferPointer, payloadLength: Int, source: IPv4Address, destination: IPv4Address) {
        let length = Self.headerLength + payloadLength
        precondition(buffer.count >= length && length <= 0xFFFF)
        buffer.setU16(self.sourcePort, at: 0)
        buffer.setU16(self.destinationPort, at: 2)
        buffer.setU16(UInt16(length), at: 4)
        buffer.setU16(0, at: 6)
        var sum = InternetChecksum()
        sum.addPseudoHeader(source: source, destination: destination, protocol: IPProtocol.udp.rawValue, length: length)
        sum.add(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        let checksum = sum.value
        buffer.setU16(checksum == 0 ? 0xFFFF : checksum, at: 6)
    }

    /// Header and payload as one array, for tests and tools.
    public func bytes(payload: [UInt8], source: IPv4Address, destination: IPv4Address) -> [UInt8] {
        emitted(Self.headerLength + payload.count) { buffer in
            buffer.setBytes(payload, at: Self.headerLength)
            self.emit(into: buffer, payloadLength: payload.count, source: source, destination: destination)
        }
    }
}
