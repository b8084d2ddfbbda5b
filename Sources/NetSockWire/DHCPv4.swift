public import NSAPI

/// A checked view of a DHCPv4 message (RFC 2131 §2, options RFC 2132): the BOOTP fixed
/// part, the magic cookie, and the options area. Only Ethernet client addresses are
/// understood, the only kind this stack has.
public struct DHCPv4Packet {
    /// The BOOTP fields before the magic cookie.
    public static let fixedLength = 236
    public static let magicCookie: UInt32 = 0x6382_5363
    public static let minimumLength = fixedLength + 4

    public let bytes: UnsafeRawBufferPointer

    public init(checking bytes: UnsafeRawBufferPointer) throws(WireError) {
        guard bytes.count >= Self.minimumLength else { throw .truncated }
        guard bytes.u32(at: Self.fixedLength) == Self.magicCookie else { throw .malformed("no DHCP magic cookie") }
        self.bytes = bytes
    }

    public var operation: UInt8 { self.bytes[0] }
    public var hardwareType: UInt8 { self.bytes[1] }
    public var hardwareAddressLength: UInt8 { self.bytes[2] }
    public var hops: UInt8 { self.bytes[3] }
    public var transactionID: UInt32 { self.bytes.u32(at: 4) }
    public var secondsElapsed: UInt16 { self.bytes.u16(at: 8) }
    public var flags: UInt16 { self.bytes.u16(at: 10) }
    public var clientAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 12)) }
    public var yourAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 16)) }
    public var serverAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 20)) }
    public var relayAgentAddress: IPv4Address { IPv4Address(self.bytes.u32(at: 24)) }
    public var clientHardwareAddress: MACAddress { MACAddress.load(from: self.bytes, at: 28) }
    public var serverNameField: UnsafeRawBufferPointer { self.bytes.bytes(at: 44, count: 64) }
    public var fileField: UnsafeRawBufferPointer { self.bytes.bytes(at: 108, count: 128) }
    public var optionsField: UnsafeRawBufferPointer { self.bytes.bytes(at: Self.minimumLength, count: self.bytes.count - Self.minimumLength) }

    /// Every option, with the `file` and `sname` fields read as options when option 52
    /// says they are overloaded, in the order RFC 2131 §4.1 gives. Repeated instances of
    /// a code are joined (RFC 3396). A missing END is tolerated, as servers omit it;
    /// an option running past its area is not.
    public func options() throws(WireError) -> DHCPv4Options {
        var options = DHCPv4Options()
        try options.read(self.optionsField)
        let overload = options[DHCPv4Options.Code.overload]
        if let overload {
            guard overload.count == 1, (1...3).contains(overload[0]) else { throw .malformed("option overload value") }
            options.remove(DHCPv4Options.Code.overload)
            if overload[0] & 1 != 0 { try options.read(self.fileField) }
            if overload[0] & 2 != 0 { try options.read(self.serverNameField) }
        }
        return options
    }
}

/// Options by code, each instance's value joined in arrival order.
public struct DHCPv4Options: Sendable, Equatable {
    public enum Code {
        public static let pad: UInt8 = 0
        public static let subnetMask: UInt8 = 1
        public static let router: UInt8 = 3
        public static let domainNameServer: UInt8 = 6
        public static let hostName: UInt8 = 12
        public static let interfaceMTU: UInt8 = 26
        public static let requestedAddress: UInt8 = 50
        public static let leaseTime: UInt8 = 51
        public static let overload: UInt8 = 52
        public static let messageType: UInt8 = 53
        public static let serverIdentifier: UInt8 = 54
        public static let parameterRequestList: UInt8 = 55
        public static let message: UInt8 = 56
        public static let maximumMessageSize: UInt8 = 57
        public static let renewalTime: UInt8 = 58
        public static let rebindingTime: UInt8 = 59
        public static let clientIdentifier: UInt8 = 61
        public static let end: UInt8 = 255
    }

    private var values: [UInt8: [UInt8]] = [:]
    /// Codes in first-seen order, so emitting is deterministic.
    public private(set) var codes: [UInt8] = []

    public init() {}

    public subscript(code: UInt8) -> [UInt8]? {
        get { self.values[code] }
        set {
            if let newValue {
                if self.values.updateValue(newValue, forKey: code) == nil { self.codes.append(code) }
            } else {
                self.remove(code)
            }
        }
    }

    public mutating func remove(_ code: UInt8) {
        if self.values.removeValue(forKey: code) != nil { self.codes.removeAll { $0 == code } }
    }

    /// One pass over an options area; never recurses, never looks back.
    mutating func read(_ area: UnsafeRawBufferPointer) throws(WireError) {
        var index = 0
        while index < area.count {
            let code = area[index]
            if code == Code.end { return }
            if code == Code.pad {
                index += 1
                continue
            }
            guard index + 1 < area.count else { throw .truncated }
            let length = Int(area[index + 1])
            guard index + 2 + length <= area.count else { throw .truncated }
            let value = area[(index + 2)..<(index + 2 + length)]
            if self.values[code] == nil { self.codes.append(code) }
            self.values[code, default: []].append(contentsOf: value)
            index += 2 + length
        }
    }

    /// Each option as code, length, value; values over 255 bytes split into instances
    /// (RFC 3396); then END.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        for code in self.codes {
            guard let value = self.values[code] else { continue }
            var start = 0
            repeat {
                let piece = value[start..<min(value.count, start + 255)]
                bytes.append(code)
                bytes.append(UInt8(piece.count))
                bytes.append(contentsOf: piece)
                start += 255
            } while start < value.count
        }
        bytes.append(Code.end)
        return bytes
    }
}

/// What a DHCPv4 message says, in the fields a client and its tests use.
public struct DHCPv4Repr: Hashable, Sendable {
    public enum MessageType: UInt8, Sendable, CaseIterable {
        case discover = 1, offer, request, decline, ack, nak, release, inform

        /// BOOTREQUEST (1) from clients, BOOTREPLY (2) from servers.
        public var operation: UInt8 {
            switch self {
            case .offer, .ack, .nak: 2
            default: 1
            }
        }
    }

    public var messageType: MessageType
    public var transactionID: UInt32
    public var secondsElapsed: UInt16 = 0
    /// The BROADCAST flag: asks the server to broadcast its reply.
    public var broadcast: Bool = false
    public var clientHardwareAddress: MACAddress
    /// `ciaddr`: set only when the client already holds the address (renew, rebind, release).
    public var clientAddress: IPv4Address = .any
    /// `yiaddr`: the address offered or acknowledged.
    public var yourAddress: IPv4Address = .any
    public var serverAddress: IPv4Address = .any
    public var relayAgentAddress: IPv4Address = .any

    public var requestedAddress: IPv4Address?
    public var serverIdentifier: IPv4Address?
    public var subnetMask: IPv4Address?
    public var routers: [IPv4Address] = []
    public var dnsServers: [IPv4Address] = []
    public var leaseTime: UInt32?
    public var renewalTime: UInt32?
    public var rebindingTime: UInt32?
    public var interfaceMTU: UInt16?
    public var clientIdentifier: [UInt8]?
    public var hostName: String?
    public var parameterRequestList: [UInt8]?
    public var maximumMessageSize: UInt16?
    /// Option 56: why a server sent NAK, or a client DECLINE.
    public var message: String?

    public init(messageType: MessageType, transactionID: UInt32, clientHardwareAddress: MACAddress) {
        self.messageType = messageType
        self.transactionID = transactionID
        self.clientHardwareAddress = clientHardwareAddress
    }

    public init(_ packet: DHCPv4Packet) throws(WireError) {
        guard packet.hardwareType == 1, packet.hardwareAddressLength == 6 else {
            throw .malformed("hardware type \(packet.hardwareType) length \(packet.hardwareAddressLength)")
        }
        let options = try packet.options()
        guard let type = options[DHCPv4Options.Code.messageType] else { throw .malformed("no message type") }
        guard type.count == 1, let messageType = MessageType(rawValue: type[0]) else { throw .malformed("message type \(type)") }
        guard packet.operation == messageType.operation else { throw .malformed("op \(packet.operation) with \(messageType)") }
        self.init(messageType: messageType, transactionID: packet.transactionID, clientHardwareAddress: packet.clientHardwareAddress)
        self.secondsElapsed = packet.secondsElapsed
        self.broadcast = packet.flags & 0x8000 != 0
        self.clientAddress = packet.clientAddress
        self.yourAddress = packet.yourAddress
        self.serverAddress = packet.serverAddress
        self.relayAgentAddress = packet.relayAgentAddress
        typealias Code = DHCPv4Options.Code
        self.requestedAddress = try Self.address(options, Code.requestedAddress)
        self.serverIdentifier = try Self.address(options, Code.serverIdentifier)
        self.subnetMask = try Self.address(options, Code.subnetMask)
        self.routers = try Self.addresses(options, Code.router)
        self.dnsServers = try Self.addresses(options, Code.domainNameServer)
        self.leaseTime = try Self.u32(options, Code.leaseTime)
        self.renewalTime = try Self.u32(options, Code.renewalTime)
        self.rebindingTime = try Self.u32(options, Code.rebindingTime)
        self.interfaceMTU = try Self.u16(options, Code.interfaceMTU)
        self.maximumMessageSize = try Self.u16(options, Code.maximumMessageSize)
        self.clientIdentifier = options[Code.clientIdentifier]
        self.parameterRequestList = options[Code.parameterRequestList]
        self.hostName = options[Code.hostName].map { String(decoding: $0, as: UTF8.self) }
        self.message = options[Code.message].map { String(decoding: $0, as: UTF8.self) }
    }

    private static func address(_ options: DHCPv4Options, _ code: UInt8) throws(WireError) -> IPv4Address? {
        guard let value = options[code] else { return nil }
        guard value.count == 4, let address = IPv4Address(bytes: value) else { throw .malformed("option \(code) length \(value.count)") }
        return address
    }

    private static func addresses(_ options: DHCPv4Options, _ code: UInt8) throws(WireError) -> [IPv4Address] {
        guard let value = options[code] else { return [] }
        guard value.count % 4 == 0 else { throw .malformed("option \(code) length \(value.count)") }
        return stride(from: 0, to: value.count, by: 4).map { IPv4Address(value[$0], value[$0 + 1], value[$0 + 2], value[$0 + 3]) }
    }

    private static func u32(_ options: DHCPv4Options, _ code: UInt8) throws(WireError) -> UInt32? {
        guard let value = options[code] else { return nil }
        guard value.count == 4 else { throw .malformed("option \(code) length \(value.count)") }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func u16(_ options: DHCPv4Options, _ code: UInt8) throws(WireError) -> UInt16? {
        guard let value = options[code] else { return nil }
        guard value.count == 2 else { throw .malformed("option \(code) length \(value.count)") }
        return UInt16(value[0]) << 8 | UInt16(value[1])
    }

    public var options: DHCPv4Options {
        typealias Code = DHCPv4Options.Code
        var options = DHCPv4Options()
        options[Code.messageType] = [self.messageType.rawValue]
        if let value = self.clientIdentifier { options[Code.clientIdentifier] = value }
        if let value = self.requestedAddress { options[Code.requestedAddress] = value.bytes }
        if let value = self.serverIdentifier { options[Code.serverIdentifier] = value.bytes }
        if let value = self.subnetMask { options[Code.subnetMask] = value.bytes }
        if !self.routers.isEmpty { options[Code.router] = self.routers.flatMap(\.bytes) }
        if !self.dnsServers.isEmpty { options[Code.domainNameServer] = self.dnsServers.flatMap(\.bytes) }
        for (code, value) in [(Code.leaseTime, self.leaseTime), (Code.renewalTime, self.renewalTime), (Code.rebindingTime, self.rebindingTime)] {
            if let value { options[code] = (0..<4).map { UInt8(truncatingIfNeeded: value >> (24 - 8 * $0)) } }
        }
        for (code, value) in [(Code.interfaceMTU, self.interfaceMTU), (Code.maximumMessageSize, self.maximumMessageSize)] {
            if let value { options[code] = [UInt8(value >> 8), UInt8(truncatingIfNeeded: value)] }
        }
        if let value = self.hostName { options[Code.hostName] = Array(value.utf8) }
        if let value = self.parameterRequestList { options[Code.parameterRequestList] = value }
        if let value = self.message { options[Code.message] = Array(value.utf8) }
        return options
    }

    /// BOOTP relays may drop anything shorter (RFC 1542 §2.1).
    public static let minimumEmittedLength = 300

    /// The whole message; DHCP is far from the fast path, so it is built as an array.
    public var bytes: [UInt8] {
        let options = self.options.encoded
        let length = max(Self.minimumEmittedLength, DHCPv4Packet.minimumLength + options.count)
        return emitted(length) { buffer in
            buffer[0] = self.messageType.operation
            buffer[1] = 1
            buffer[2] = 6
            buffer[3] = 0
            buffer.setU32(self.transactionID, at: 4)
            buffer.setU16(self.secondsElapsed, at: 8)
            buffer.setU16(self.broadcast ? 0x8000 : 0, at: 10)
            buffer.setU32(self.clientAddress.value, at: 12)
            buffer.setU32(self.yourAddress.value, at: 16)
            buffer.setU32(self.serverAddress.value, at: 20)
            buffer.setU32(self.relayAgentAddress.value, at: 24)
            self.clientHardwareAddress.store(into: buffer, at: 28)
            buffer.setU32(DHCPv4Packet.magicCookie, at: DHCPv4Packet.fixedLength)
            buffer.setBytes(options, at: DHCPv4Packet.minimumLength)
        }
    }
}
