/// A checked view of an ICMPv4 message (RFC 792): the 8-byte header and its data.
public struct ICMPv4Packet {
    public static let headerLength = 8

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.headerLength else { throw .truncated }
        self.bytes = bytes
    }

    public var type: UInt8 { self.bytes[0] }
    public var code: UInt8 { self.bytes[1] }
    public var checksum: UInt16 { self.bytes.u16(at: 2) }
    /// The echo identifier and sequence number share the header's last four bytes.
    public var identifier: UInt16 { self.bytes.u16(at: 4) }
    public var sequenceNumber: UInt16 { self.bytes.u16(at: 6) }
    public var data: UnsafeRawBufferPointer { self.bytes.bytes(at: Self.headerLength, count: self.bytes.count - Self.headerLength) }

    /// The checksum covers the whole message.
    public var checksumIsValid: Bool {
        var sum = InternetChecksum()
        sum.add(self.bytes)
        return sum.verifies
    }
}

/// The ICMPv4 messages this stack sends and understands. Others parse as `.other`, so
/// the stack can count them instead of failing on them.
public enum ICMPv4Repr: Hashable, Sendable {
    case echoRequest(identifier: UInt16, sequenceNumber: UInt16, data: [UInt8])
    case echoReply(identifier: UInt16, sequenceNumber: UInt16, data: [UInt8])
    /// `invoking` is the offending packet's IP header and at least its first 8 payload
    /// bytes (RFC 792), as received or to be sent.
    case destinationUnreachable(UnreachableCode, invoking: [UInt8])
    case timeExceeded(TimeExceededCode, invoking: [UInt8])
    case other(type: UInt8, code: UInt8)

    public enum MessageType {
        public static let echoReply: UInt8 = 0
        public static let destinationUnreachable: UInt8 = 3
        public static let echoRequest: UInt8 = 8
        public static let timeExceeded: UInt8 = 11
    }

    public struct UnreachableCode: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let network = UnreachableCode(rawValue: 0)
        public static let host = UnreachableCode(rawValue: 1)
        public static let `protocol` = UnreachableCode(rawValue: 2)
        public static let port = UnreachableCode(rawValue: 3)
        public static let fragmentationNeeded = UnreachableCode(rawValue: 4)
    }

    public struct TimeExceededCode: RawRepresentable, Hashable, Sendable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let timeToLive = TimeExceededCode(rawValue: 0)
        public static let reassembly = TimeExceededCode(rawValue: 1)
    }

    /// RFC 1812 §4.3.2.3 asks for as much of the invoking packet as fits in 576 bytes;
    /// a host may send less. Header plus 8 bytes is RFC 792's floor.
    public static let maximumInvokingLength = 576 - IPv4Repr.headerLength - ICMPv4Packet.headerLength

    /// Refuses a message whose checksum does not verify.
    public init(_ packet: ICMPv4Packet) throws(WireError) {
        guard packet.checksumIsValid else { throw .malformed("ICMP checksum") }
        let data = [UInt8](packet.data)
        switch (packet.type, packet.code) {
        case (MessageType.echoRequest, 0):
            self = .echoRequest(identifier: packet.identifier, sequenceNumber: packet.sequenceNumber, data: data)
        case (MessageType.echoReply, 0):
            self = .echoReply(identifier: packet.identifier, sequenceNumber: packet.sequenceNumber, data: data)
        case (MessageType.destinationUnreachable, let code):
            self = .destinationUnreachable(UnreachableCode(rawValue: code), invoking: data)
        case (MessageType.timeExceeded, let code):
            self = .timeExceeded(TimeExceededCode(rawValue: code), invoking: data)
        case (let type, let code):
            self = .other(type: type, code: code)
        }
    }

    public var length: Int {
        switch self {
        case .echoRequest(_, _, let data), .echoReply(_, _, let data): ICMPv4Packet.headerLength + data.count
        case .destinationUnreachable(_, let invoking), .timeExceeded(_, let invoking): ICMPv4Packet.headerLength + invoking.count
        case .other: ICMPv4Packet.headerLength
        }
    }

    /// Writes the message, checksum included, at the start of `buffer`.
    public func emit(into buffer: UnsafeMutableRawBufferPointer) {
        precondition(buffer.count >= self.length)
        let body: [UInt8]
        switch self {
        case .echoRequest(let identifier, let sequence, let data), .echoReply(let identifier, let sequence, let data):
            buffer[0] = if case .echoRequest = self { MessageType.echoRequest } else { MessageType.echoReply }
            buffer[1] = 0
            buffer.setU16(identifier, at: 4)
            buffer.setU16(sequence, at: 6)
            body = data
        case .destinationUnreachable(let code, let invoking):
            buffer[0] = MessageType.destinationUnreachable
            buffer[1] = code.rawValue
            buffer.setU32(0, at: 4)
            body = invoking
        case .timeExceeded(let code, let invoking):
            buffer[0] = MessageType.timeExceeded
            buffer[1] = code.rawValue
            buffer.setU32(0, at: 4)
            body = invoking
        case .other(let type, let code):
            buffer[0] = type
            buffer[1] = code
            buffer.setU32(0, at: 4)
            body = []
        }
        buffer.setU16(0, at: 2)
        buffer.setBytes(body, at: ICMPv4Packet.headerLength)
        buffer.setU16(InternetChecksum.of(UnsafeRawBufferPointer(rebasing: buffer[0..<self.length])), at: 2)
    }

    public var bytes: [UInt8] { emitted(self.length) { self.emit(into: $0) } }
}
