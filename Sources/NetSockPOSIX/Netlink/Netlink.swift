public import NSAPI

/// rtnetlink (RFC 3549, `rtnetlink(7)`): messages about links, addresses and routes.
///
/// Pure: bytes in, values out, and requests out as bytes. Netlink uses host byte
/// order; every length is checked before a field is read, so hostile or truncated
/// input yields fewer messages, never a trap.
public enum Netlink {
    public enum MessageType {
        public static let noop: UInt16 = 1
        public static let error: UInt16 = 2
        public static let done: UInt16 = 3
        public static let newLink: UInt16 = 16
        public static let deleteLink: UInt16 = 17
        public static let getLink: UInt16 = 18
        public static let newAddress: UInt16 = 20
        public static let deleteAddress: UInt16 = 21
        public static let getAddress: UInt16 = 22
        public static let newRoute: UInt16 = 24
        public static let deleteRoute: UInt16 = 25
        public static let getRoute: UInt16 = 26
    }

    public enum Flag {
        public static let request: UInt16 = 0x1
        public static let multi: UInt16 = 0x2
        public static let acknowledge: UInt16 = 0x4
        public static let dump: UInt16 = 0x300
        public static let replace: UInt16 = 0x100
        public static let exclusive: UInt16 = 0x200
        public static let create: UInt16 = 0x400
    }

    /// Multicast groups for `bind(2)`.
    public enum Group {
        public static let link: UInt32 = 0x1
        public static let ipv4Address: UInt32 = 0x10
        public static let ipv4Route: UInt32 = 0x40
        public static let ipv6Address: UInt32 = 0x100
        public static let ipv6Route: UInt32 = 0x400
    }

    public enum LinkFlag {
        public static let up: UInt32 = 0x1
        public static let loopback: UInt32 = 0x8
        public static let running: UInt32 = 0x40
        public static let lowerUp: UInt32 = 0x10000
    }

    public static let headerLength = 16
    static let mainTable: UInt8 = 254

    /// A link (`RTM_NEWLINK`).
    public struct Link: Sendable, Equatable {
        public var index: Int32
        public var name: String
        public var flags: UInt32
        public var hardwareAddress: [UInt8]?
        public var mtu: UInt32?

        public init(index: Int32, name: String, flags: UInt32, hardwareAddress: [UInt8]?, mtu: UInt32?) {
            self.index = index
            self.name = name
            self.flags = flags
            self.hardwareAddress = hardwareAddress
            self.mtu = mtu
        }

        public var isUp: Bool { self.flags & LinkFlag.up != 0 }
        public var hasCarrier: Bool { self.flags & LinkFlag.lowerUp != 0 }
        public var isLoopback: Bool { self.flags & LinkFlag.loopback != 0 }
    }

    /// An address on a link (`RTM_NEWADDR`).
    public struct Address: Sendable, Equatable {
        public var index: Int32
        public var address: IPAddress
        public var prefixLength: Int
        public var scope: UInt8

        public init(index: Int32, address: IPAddress, prefixLength: Int, scope: UInt8) {
            self.index = index
            self.address = address
            self.prefixLength = prefixLength
            self.scope = scope
        }

        /// Link-local: IPv6 fe80::/10, IPv4 169.254/16, or scope link.
        public var isLinkLocal: Bool {
            switch self.address {
            case .v4(let v4): v4.isLinkLocal || self.scope == 253
            case .v6(let v6): v6.isLinkLocal || self.scope == 253
            }
        }
    }

    /// A route (`RTM_NEWROUTE`), as far as default gateways need it.
    public struct Route: Sendable, Equatable {
        public var family: UInt8
        public var destinationLength: UInt8
        public var table: UInt32
        public var gateway: IPAddress?
        public var outputIndex: Int32?

        public init(family: UInt8, destinationLength: UInt8, table: UInt32, gateway: IPAddress?, outputIndex: Int32?) {
            self.family = family
            self.destinationLength = destinationLength
            self.table = table
            self.gateway = gateway
            self.outputIndex = outputIndex
        }

        public var isDefault: Bool { self.destinationLength == 0 && self.table == UInt32(Netlink.mainTable) }
    }

    public enum Message: Sendable, Equatable {
        case newLink(Link)
        case deleteLink(index: Int32)
        case newAddress(Address)
        case deleteAddress(Address)
        case newRoute(Route)
        case deleteRoute(Route)
        case done(sequence: UInt32)
        /// `NLMSG_ERROR`: 0 is an acknowledgement, otherwise a negative errno.
        case error(code: Int32, sequence: UInt32)
        case ignored
    }

    // MARK: Parsing

    /// Every complete message in `bytes`; a malformed one ends the scan.
    public static func parse(_ bytes: [UInt8]) -> [Message] {
        var messages: [Message] = []
        var offset = 0
        while offset + self.headerLength <= bytes.count {
            let length = Int(bytes.u32(offset))
            let type = bytes.u16(offset + 4)
            let sequence = bytes.u32(offset + 8)
            guard length >= self.headerLength, offset + length <= bytes.count else { break }
            let body = Array(bytes[(offset + self.headerLength)..<(offset + length)])
            messages.append(self.message(type: type, sequence: sequence, body: body))
            offset += self.align(length)
        }
        return messages
    }

    static func align(_ length: Int) -> Int { (length + 3) & ~3 }

    private static func message(type: UInt16, sequence: UInt32, body: [UInt8]) -> Message {
        switch type {
        case MessageType.done: return .done(sequence: sequence)
        case MessageType.error:
            guard body.count >= 4 else { return .ignored }
            return .error(code: Int32(bitPattern: body.u32(0)), sequence: sequence)
        case MessageType.newLink, MessageType.deleteLink:
            guard body.count >= 16 else { return .ignored }
            let index = Int32(bitPattern: body.u32(4))
            if type == MessageType.deleteLink { return .deleteLink(index: index) }
            var link = Link(index: index, name: "", flags: body.u32(8), hardwareAddress: nil, mtu: nil)
            for (kind, value) in self.attributes(body, from: 16) {
                switch kind {
                case 1: link.hardwareAddress = value
                case 3: link.name = String(decoding: value.prefix { $0 != 0 }, as: UTF8.self)
                case 4 where value.count >= 4: link.mtu = value.u32(0)
                default: break
                }
            }
            return .newLink(link)
        case MessageType.newAddress, MessageType.deleteAddress:
            guard body.count >= 8 else { return .ignored }
            let family = body[0]
            var local: [UInt8]?
            var peer: [UInt8]?
            for (kind, value) in self.attributes(body, from: 8) {
                if kind == 2 { local = value }
                if kind == 1 { peer = value }
            }
            guard let raw = local ?? peer, let address = IPAddress(bytes: raw),
                (family == 2 && raw.count == 4) || (family == 10 && raw.count == 16)
            else { return .ignored }
            let record = Address(
                index: Int32(bitPattern: body.u32(4)), address: address, prefixLength: Int(body[1]), scope: body[3])
            return type == MessageType.newAddress ? .newAddress(record) : .deleteAddress(record)
        case MessageType.newRoute, MessageType.deleteRoute:
            guard body.count >= 12 else { return .ignored }
            var route = Route(family: body[0], destinationLength: body[1], table: UInt32(body[4]), gateway: nil, outputIndex: nil)
            for (kind, value) in self.attributes(body, from: 12) {
                switch kind {
                case 5: route.gateway = IPAddress(bytes: value)
                case 4 where value.count >= 4: route.outputIndex = Int32(bitPattern: value.u32(0))
                case 15 where value.count >= 4: route.table = value.u32(0)
                default: break
                }
            }
            return type == MessageType.newRoute ? .newRoute(route) : .deleteRoute(route)
        default:
            return .ignored
        }
    }

    /// The (type, value) attributes from `offset` on; stops at the first malformed one.
    static func attributes(_ body: [UInt8], from offset: Int) -> [(UInt16, [UInt8])] {
        var result: [(UInt16, [UInt8])] = []
        var position = offset
        while position + 4 <= body.count {
            let length = Int(body.u16(position))
            guard length >= 4, position + length <= body.count else { break }
            result.append((body.u16(position + 2) & 0x3FFF, Array(body[(position + 4)..<(position + length)])))
            position += self.align(length)
        }
        return result
    }

    // MARK: Requests

    /// A complete request message.
    static func request(type: UInt16, flags: UInt16, sequence: UInt32, body: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendU32(UInt32(self.headerLength + body.count))
        bytes.appendU16(type)
        bytes.appendU16(flags | Flag.request)
        bytes.appendU32(sequence)
        bytes.appendU32(0)
        return bytes + body
    }

    static func attribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendU16(UInt16(4 + value.count))
        bytes.appendU16(type)
        bytes += value
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }

    /// Dumps every link, address (both families) or route.
    public static func dump(_ type: UInt16, sequence: UInt32) -> [UInt8] {
        let body: [UInt8] = type == MessageType.getLink ? [UInt8](repeating: 0, count: 16)
            : type == MessageType.getAddress ? [UInt8](repeating: 0, count: 8) : [UInt8](repeating: 0, count: 12)
        return self.request(type: type, flags: Flag.dump, sequence: sequence, body: body)
    }

    /// Sets a link administratively up or down (`ip link set dev X up|down`).
    public static func setLink(index: Int32, up: Bool, sequence: UInt32) -> [UInt8] {
        var body: [UInt8] = [0, 0, 0, 0]
        body.appendU32(UInt32(bitPattern: index))
        body.appendU32(up ? LinkFlag.up : 0)
        body.appendU32(LinkFlag.up)
        return self.request(type: MessageType.newLink, flags: Flag.acknowledge, sequence: sequence, body: body)
    }

    /// Adds or removes an address (`ip addr add|del A/P dev X`).
    public static func address(add: Bool, index: Int32, address: IPAddress, prefixLength: Int, sequence: UInt32) -> [UInt8] {
        let family: UInt8 = address.version == .ipv4 ? 2 : 10
        var body: [UInt8] = [family, UInt8(clamping: prefixLength), 0, 0]
        body.appendU32(UInt32(bitPattern: index))
        body += self.attribute(2, address.bytes) + self.attribute(1, address.bytes)
        if case .v4(let v4) = address, prefixLength < 31 {
            let hostBits: UInt32 = prefixLength == 0 ? 0xFFFF_FFFF : (1 << (32 - UInt32(prefixLength))) - 1
            body += self.attribute(4, IPv4Address(v4.value | hostBits).bytes)  // IFA_BROADCAST
        }
        let flags = add ? Flag.acknowledge | Flag.create | Flag.replace : Flag.acknowledge
        return self.request(type: add ? MessageType.newAddress : MessageType.deleteAddress, flags: flags, sequence: sequence, body: body)
    }

    /// The metric of a link's default route: its own per link (as NetworkManager gives
    /// each device one), so adding it never replaces the host's existing default route.
    public static func defaultRouteMetric(index: Int32) -> UInt32 { 1024 + UInt32(bitPattern: index) }

    /// Adds (replacing our own earlier one) or removes the default route via `gateway` on a link.
    public static func defaultRoute(add: Bool, index: Int32, gateway: IPAddress, sequence: UInt32) -> [UInt8] {
        let family: UInt8 = gateway.version == .ipv4 ? 2 : 10
        // family, dst_len 0, src_len, tos, table main, protocol static, scope universe, type unicast
        var body: [UInt8] = [family, 0, 0, 0, self.mainTable, 4, 0, 1]
        body.appendU32(0)
        var index = index
        var metric = self.defaultRouteMetric(index: index)
        body += self.attribute(5, gateway.bytes) + self.attribute(4, withUnsafeBytes(of: &index) { Array($0) })
        body += self.attribute(6, withUnsafeBytes(of: &metric) { Array($0) })  // RTA_PRIORITY
        let flags = add ? Flag.acknowledge | Flag.create | Flag.replace : Flag.acknowledge
        return self.request(type: add ? MessageType.newRoute : MessageType.deleteRoute, flags: flags, sequence: sequence, body: body)
    }
}

extension [UInt8] {
    func u16(_ offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func u32(_ offset: Int) -> UInt32 {
        UInt32(self[offset]) | UInt32(self[offset + 1]) << 8 | UInt32(self[offset + 2]) << 16 | UInt32(self[offset + 3]) << 24
    }
    mutating func appendU16(_ value: UInt16) {
        self.append(UInt8(value & 0xFF))
        self.append(UInt8(value >> 8))
    }
    mutating func appendU32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { self.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }
}
