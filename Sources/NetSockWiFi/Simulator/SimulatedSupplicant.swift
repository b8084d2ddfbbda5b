public import NSAPI

/// An access point the simulated radio can see.
public struct SimulatedAccessPoint: Sendable, Equatable {
    public var ssid: [UInt8]
    public var bssid: [UInt8]
    public var security: SecurityType
    public var passphrase: String?
    public var rssi: Int
    public var frequency: Int
    /// Not in scan results by name (an empty SSID), found only when asked for (`scan_ssid 1`).
    public var hidden: Bool

    public init(ssid: [UInt8], bssid: [UInt8], security: SecurityType, passphrase: String? = nil, rssi: Int = -50, frequency: Int = 2412, hidden: Bool = false) {
        self.ssid = ssid
        self.bssid = bssid
        self.security = security
        self.passphrase = passphrase
        self.rssi = rssi
        self.frequency = frequency
        self.hidden = hidden
    }
}

/// `netsock-wifi-sim`'s wpa_supplicant: the control-interface commands a station uses,
/// answered as wpa_supplicant 2.10 answers them, over a radio that sees scripted access
/// points. Pure: a command in, the reply and the events for attached monitors out.
public struct SimulatedSupplicant: Sendable {
    public var accessPoints: [SimulatedAccessPoint]
    /// Commands (by prefix) answered `FAIL-BUSY` (a scan that is always running, say).
    public var busy: Set<String> = []
    private var networks: [Int: [String: String]] = [:]
    private var nextID = 0
    private var current: (id: Int, ap: SimulatedAccessPoint)?
    /// The network last selected and not disconnected by the station: wpa_supplicant
    /// reconnects to it by itself when its access point is back.
    private var selected: Int?
    public let address: [UInt8]

    public init(accessPoints: [SimulatedAccessPoint], address: [UInt8] = [2, 0, 0x5E, 0, 0x53, 0x0A]) {
        self.accessPoints = accessPoints
        self.address = address
    }

    public var isConnected: Bool { self.current != nil }

    /// The access point of the link, nil when not connected.
    public var connectedBSSID: [UInt8]? { self.current?.ap.bssid }

    /// The reply (without its newline) and the events (`<3>CTRL-EVENT-...`) a command causes.
    public mutating func command(_ text: String) -> (reply: String, events: [String]) {
        let words = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: true).map(String.init)
        guard let name = words.first?.uppercased() else { return ("UNKNOWN COMMAND", []) }
        if self.busy.contains(where: { text.hasPrefix($0) }) { return ("FAIL-BUSY", []) }
        switch name {
        case "PING": return ("PONG", [])
        case "SCAN": return ("OK", ["<3>CTRL-EVENT-SCAN-STARTED ", "<3>CTRL-EVENT-SCAN-RESULTS "])
        case "SCAN_RESULTS":
            var lines = ["bssid / frequency / signal level / flags / ssid"]
            for ap in self.accessPoints {
                lines.append([ScanResult.bssidText(ap.bssid), String(ap.frequency), String(ap.rssi), Self.flags(ap.security), ap.hidden ? "" : SSID.escaped(ap.ssid)].joined(separator: "\t"))
            }
            return (lines.joined(separator: "\n"), [])
        case "ADD_NETWORK":
            defer { self.nextID += 1 }
            self.networks[self.nextID] = ["disabled": "1"]
            return (String(self.nextID), [])
        case "SET_NETWORK":
            guard words.count == 4, let id = Int(words[1]), self.networks[id] != nil else { return ("FAIL", []) }
            guard Self.valid(field: words[2], value: words[3]) else { return ("FAIL", []) }
            self.networks[id]?[words[2]] = words[3]
            return ("OK", [])
        case "REMOVE_NETWORK":
            guard words.count == 2 else { return ("FAIL", []) }
            var events: [String] = []
            if words[1] == "all" {
                events = self.dropLink()
                self.networks.removeAll()
            } else {
                guard let id = Int(words[1]), self.networks.removeValue(forKey: id) != nil else { return ("FAIL", []) }
                if self.current?.id == id { events = self.dropLink() }
            }
            return ("OK", events)
        case "LIST_NETWORKS":
            var lines = ["network id / ssid / bssid / flags"]
            for id in self.networks.keys.sorted() {
                let ssid = self.networks[id]?["ssid"].flatMap(Self.ssidBytes).map(SSID.escaped) ?? ""
                lines.append("\(id)\t\(ssid)\tany\t\(self.current?.id == id ? "[CURRENT]" : "")")
            }
            return (lines.joined(separator: "\n"), [])
        case "SELECT_NETWORK":
            guard words.count == 2, let id = Int(words[1]), let network = self.networks[id] else { return ("FAIL", []) }
            self.selected = id
            return ("OK", self.dropLink() + self.associate(id, network))
        case "DISCONNECT":
            self.selected = nil
            return ("OK", self.dropLink())
        case "RECONNECT":
            guard let id = self.networks.keys.sorted().last, let network = self.networks[id] else { return ("OK", []) }
            return ("OK", self.current == nil ? self.associate(id, network) : [])
        case "STATUS":
            guard let (id, ap) = self.current else { return ("wpa_state=DISCONNECTED\naddress=\(ScanResult.bssidText(self.address))", []) }
            return (
                "bssid=\(ScanResult.bssidText(ap.bssid))\nfreq=\(ap.frequency)\nssid=\(SSID.escaped(ap.ssid))\nid=\(id)\nmode=station\nkey_mgmt=\(self.networks[id]?["key_mgmt"] ?? "WPA-PSK")\nwpa_state=COMPLETED\naddress=\(ScanResult.bssidText(self.address))",
                [])
        case "SIGNAL_POLL":
            guard let (_, ap) = self.current else { return ("FAIL", []) }
            return ("RSSI=\(ap.rssi)\nLINKSPEED=65\nNOISE=9999\nFREQUENCY=\(ap.frequency)", [])
        default:
            return ("UNKNOWN COMMAND", [])
        }
    }

    /// The access point at `bssid` goes away (or comes back): a link to it drops.
    public mutating func remove(bssid: [UInt8]) -> [String] {
        self.accessPoints.removeAll { $0.bssid == bssid }
        guard self.current?.ap.bssid == bssid else { return [] }
        let events = ["<3>CTRL-EVENT-DISCONNECTED bssid=\(ScanResult.bssidText(bssid)) reason=4"]
        self.current = nil
        return events
    }

    /// Every access point's signal moves by `delta` dB; a link's change is reported as
    /// wpa_supplicant reports one crossing its threshold.
    public mutating func signalChange(by delta: Int) -> [String] {
        for index in self.accessPoints.indices { self.accessPoints[index].rssi = max(-100, min(-10, self.accessPoints[index].rssi + delta)) }
        guard let (id, ap) = self.current, let moved = self.accessPoints.first(where: { $0.bssid == ap.bssid }) else { return [] }
        self.current = (id, moved)
        return ["<3>CTRL-EVENT-SIGNAL-CHANGE above=\(delta > 0 ? 1 : 0) signal=\(moved.rssi) noise=9999 txrate=65000"]
    }

    /// Every access point is back; a selected network whose link dropped reconnects.
    public mutating func restore(_ accessPoints: [SimulatedAccessPoint]) -> [String] {
        self.accessPoints = accessPoints
        guard self.current == nil, let id = self.selected, let network = self.networks[id] else { return [] }
        return self.associate(id, network).filter { $0.contains("CTRL-EVENT-CONNECTED") }
    }

    private mutating func dropLink() -> [String] {
        guard let (_, ap) = self.current else { return [] }
        self.current = nil
        return ["<3>CTRL-EVENT-DISCONNECTED bssid=\(ScanResult.bssidText(ap.bssid)) reason=3 locally_generated=1"]
    }

    private mutating func associate(_ id: Int, _ network: [String: String]) -> [String] {
        guard let ssid = network["ssid"].flatMap(Self.ssidBytes) else { return ["<3>CTRL-EVENT-NETWORK-NOT-FOUND"] }
        let probing = network["scan_ssid"] == "1"
        let frequencies = network["freq_list"].map { $0.split(separator: " ").compactMap { Int($0) } }
        guard let ap = self.accessPoints.first(where: { $0.ssid == ssid && (!$0.hidden || probing) && (frequencies?.contains($0.frequency) ?? true) })
        else { return ["<3>CTRL-EVENT-NETWORK-NOT-FOUND"] }
        let keyManagement = network["key_mgmt"] ?? "WPA-PSK"
        let offered: Set<String> =
            switch ap.security {
            case .none: ["NONE"]
            case .wep: ["NONE"]
            case .wpa, .wpa2, .wpaWPA2: ["WPA-PSK"]
            case .wpa3: ["SAE"]
            case .wpa3WPA2: ["WPA-PSK", "SAE"]
            default: []
            }
        guard !offered.isDisjoint(with: keyManagement.split(separator: " ").map(String.init)) else {
            return ["<3>CTRL-EVENT-ASSOC-REJECT bssid=\(ScanResult.bssidText(ap.bssid)) status_code=43"]
        }
        let given = network["psk"] ?? network["sae_password"] ?? network["wep_key0"]
        if ap.security != .none, given.map(Self.unquoted) != ap.passphrase {
            return ["<3>CTRL-EVENT-SSID-TEMP-DISABLED id=\(id) ssid=\"\(SSID.escaped(ap.ssid))\" auth_failures=1 duration=10 reason=WRONG_KEY"]
        }
        self.current = (id, ap)
        return ["<3>CTRL-EVENT-CONNECTED - Connection to \(ScanResult.bssidText(ap.bssid)) completed [id=\(id) id_str=]"]
    }

    /// What wpa_supplicant's config parser takes (the fields a station writes).
    static func valid(field: String, value: String) -> Bool {
        switch field {
        case "ssid": return self.ssidBytes(value).map { !$0.isEmpty && $0.count <= SSID.maximumLength } ?? false
        case "psk":
            let raw = self.unquoted(value)
            return value.hasPrefix("\"") ? (8...63).contains(raw.utf8.count) : raw.utf8.count == 64
        case "key_mgmt": return value.split(separator: " ").allSatisfy { ["NONE", "WPA-PSK", "SAE", "WPA-EAP", "IEEE8021X"].contains(String($0)) }
        case "scan_ssid", "ieee80211w", "wep_tx_keyidx", "freq_list", "sae_password", "wep_key0", "priority", "disabled": return !value.isEmpty
        default: return false
        }
    }

    static func ssidBytes(_ value: String) -> [UInt8]? {
        if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 { return Array(value.dropFirst().dropLast().utf8) }
        return Hex.decode(value)
    }

    static func unquoted(_ value: String) -> String {
        value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 ? String(value.dropFirst().dropLast()) : value
    }


    static func flags(_ security: SecurityType) -> String {
        switch security {
        case .none: "[ESS]"
        case .wep: "[WEP][ESS]"
        case .wpa: "[WPA-PSK-TKIP][ESS]"
        case .wpa2: "[WPA2-PSK-CCMP][ESS]"
        case .wpaWPA2: "[WPA-PSK-TKIP][WPA2-PSK-CCMP][ESS]"
        case .wpa3: "[RSN-SAE-CCMP][ESS]"
        case .wpa3WPA2: "[WPA2-PSK+SAE-CCMP][ESS]"
        case .wpa2Enterprise: "[WPA2-EAP-CCMP][ESS]"
        default: "[ESS]"
        }
    }
}
