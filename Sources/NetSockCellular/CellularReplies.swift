/// The 27.007 replies the connect sequence reads, parsed from one line each (pure, no
/// state). Each returns nil for a line that is not its reply or does not parse.
public enum CellularReplies {
    // MARK: SIM

    public enum SIMState: Sendable, Equatable {
        case ready
        case pinRequired
        case pukRequired
        /// Anything else the modem names (`PH-SIM PIN`, `SIM PIN2`): Mbed's "unknown".
        case other(String)
    }

    /// `+CPIN: READY` | `SIM PIN` | `SIM PUK` | other.
    public static func sim(_ line: String) -> SIMState? {
        guard let fields = ATFields.after("+CPIN:", in: line), let value = fields.first, !value.isEmpty else { return nil }
        switch value {
        case "READY": return .ready
        case "SIM PIN": return .pinRequired
        case "SIM PUK": return .pukRequired
        default: return .other(value)
        }
    }

    // MARK: Signal

    /// `+CSQ: <rssi>,<ber>`: RSSI in dBm (−113 + 2·rssi; 99 is unknown, nil) and the bit error rate class.
    public static func signal(_ line: String) -> (dBm: Int?, bitErrorRate: Int?)? {
        guard let fields = ATFields.after("+CSQ:", in: line), fields.count == 2, let rssi = Int(fields[0]), let ber = Int(fields[1]),
            (0...31).contains(rssi) || rssi == 99
        else { return nil }
        return (rssi == 99 ? nil : -113 + 2 * rssi, ber == 99 ? nil : ber)
    }

    // MARK: Registration

    /// 27.007's `<stat>` (Mbed's `RegistrationStatus`).
    public enum RegistrationStatus: Int, Sendable, CaseIterable {
        case notRegistered = 0
        case home = 1
        case searching = 2
        case denied = 3
        case unknown = 4
        case roaming = 5
        case smsOnlyHome = 6
        case smsOnlyRoaming = 7
        case emergencyOnly = 8
        case csfbNotPreferredHome = 9
        case csfbNotPreferredRoaming = 10

        /// Registered for data, as Mbed's state machine counts it.
        public var isRegistered: Bool { self == .home || self == .roaming }
    }

    /// Which registration a line reports: EPS (`+CEREG`), GPRS (`+CGREG`) or circuit-switched (`+CREG`).
    public enum Domain: String, Sendable, CaseIterable {
        case eps = "+CEREG:"
        case gprs = "+CGREG:"
        case circuitSwitched = "+CREG:"
    }

    public struct Registration: Sendable, Equatable {
        public var domain: Domain
        public var status: RegistrationStatus
        /// The LAC or TAC, from its hex string.
        public var area: UInt32?
        /// The cell id, from its hex string.
        public var cell: UInt32?
        /// `<AcT>`: 7 E-UTRAN, 8 and 9 the IoT ones (Mbed reads 8 as CAT-M1, 9 as NB1).
        public var accessTechnology: Int?

        public init(domain: Domain, status: RegistrationStatus, area: UInt32? = nil, cell: UInt32? = nil, accessTechnology: Int? = nil) {
            self.domain = domain
            self.status = status
            self.area = area
            self.cell = cell
            self.accessTechnology = accessTechnology
        }
    }

    /// A registration line in any `<n>` form. A reply to `AT+CEREG?` (`solicited`)
    /// leads with `<n>`; the URC does not: `+CEREG: 2,5,"1A2B",...` against `+CEREG: 5,"1A2B",...`.
    public static func registration(_ line: String, solicited: Bool) -> Registration? {
        guard let domain = Domain.allCases.first(where: { line.hasPrefix($0.rawValue) }),
            var fields = ATFields.after(domain.rawValue, in: line)
        else { return nil }
        if solicited {
            guard fields.count >= 2, let mode = Int(fields[0]), (0...5).contains(mode) else { return nil }
            fields.removeFirst()
        }
        guard let stat = Int(fields[0]), let status = RegistrationStatus(rawValue: stat) else { return nil }
        func hex(_ index: Int) -> UInt32? { index < fields.count && !fields[index].isEmpty ? UInt32(fields[index], radix: 16) : nil }
        let act = fields.count > 3 ? Int(fields[3]) : nil
        return Registration(domain: domain, status: status, area: hex(1), cell: hex(2), accessTechnology: act)
    }

    // MARK: PDP context

    public struct ContextParameters: Sendable, Equatable {
        public var cid: Int
        public var apn: String
        public var address: String?
        public var subnetMask: String?
        public var gateway: String?
        public var dnsServers: [String]
        public var mtu: Int?
    }

    /// `+CGCONTRDP: <cid>,<bearer>,<apn>,<local addr and mask>,<gw>,<dns1>,<dns2>,...,<ipv4 mtu>`.
    /// An IPv4 address and its mask come as one dotted string of eight numbers.
    public static func contextParameters(_ line: String) -> ContextParameters? {
        guard let fields = ATFields.after("+CGCONTRDP:", in: line), fields.count >= 3, let cid = Int(fields[0]) else { return nil }
        func field(_ index: Int) -> String? { index < fields.count && !fields[index].isEmpty ? fields[index] : nil }
        var address = field(3)
        var mask: String?
        if let joined = address {
            let parts = joined.split(separator: ".", omittingEmptySubsequences: false)
            if parts.count == 8 {
                address = parts[0..<4].joined(separator: ".")
                mask = parts[4..<8].joined(separator: ".")
            }
        }
        let dns = [field(5), field(6)].compactMap { $0 }.filter { $0 != "0.0.0.0" }
        // <IPv4_MTU> is the 15th parameter where modems give it.
        let mtu = field(14).flatMap { Int($0) }
        return ContextParameters(cid: cid, apn: fields[2], address: address, subnetMask: mask, gateway: field(4), dnsServers: dns, mtu: mtu)
    }

    /// `+CGPADDR: <cid>,"<addr1>"[,"<addr2>"]`: the context's addresses.
    public static func addresses(_ line: String) -> (cid: Int, addresses: [String])? {
        guard let fields = ATFields.after("+CGPADDR:", in: line), let cid = fields.first.flatMap({ Int($0) }) else { return nil }
        return (cid, fields.dropFirst().filter { !$0.isEmpty })
    }

    // MARK: Packet domain events

    public enum PacketEvent: Sendable, Equatable {
        case networkDetach
        case deviceDetach
        case networkDeactivated(cid: Int?)
        case deviceDeactivated(cid: Int?)
        case other(String)
    }

    /// `+CGEV: NW DETACH`, `ME DETACH`, `NW PDN DEACT <cid>`, `ME PDN DEACT <cid>`, `NW DEACT ...`.
    public static func packetEvent(_ line: String) -> PacketEvent? {
        guard line.hasPrefix("+CGEV:") else { return nil }
        let text = line.dropFirst(6).drop { $0 == " " }
        let words = text.split(separator: " ")
        let cid = words.last.flatMap { Int($0) }
        if text == "NW DETACH" { return .networkDetach }
        if text == "ME DETACH" { return .deviceDetach }
        if text.hasPrefix("NW PDN DEACT") || text.hasPrefix("NW DEACT") { return .networkDeactivated(cid: cid) }
        if text.hasPrefix("ME PDN DEACT") || text.hasPrefix("ME DEACT") { return .deviceDeactivated(cid: cid) }
        return .other(String(text))
    }
}
