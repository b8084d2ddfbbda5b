public import NetSockJSON
import NSAPI
import NetSockWire

extension DaemonConfiguration {
    /// Reads and validates a config document strictly: unknown keys, wrong types and
    /// impossible values are refused with the key named (API.md, "Daemon command line
    /// and configuration").
    public init(parsing json: JSONValue) throws(ConfigurationError) {
        self.init()
        var reader = try ObjectReader(json, key: "")
        for section in ["control", "dns", "interfaces", "default_interface"] where json[section] != nil {
            self.sectionsFromFile.insert(section)
        }
        if let control = try reader.object("control") { self.control = try Self.parseControl(control) }
        self.defaultInterface = try reader.string("default_interface")
        self.defaultFollowsRoute = self.defaultInterface == nil
        if let dns = try reader.object("dns") { self.dns = try Self.parseDNS(dns) }
        if var interfaces = try reader.object("interfaces") {
            self.discoversInterfaces = false
            for name in interfaces.keys {
                guard Self.isValidInterfaceName(name) else {
                    throw ConfigurationError(
                        key: "interfaces.\(name)", "interface names are 1 to 15 letters, digits, '_', '-' or '.'")
                }
                guard let entry = try interfaces.object(name) else { continue }
                self.interfaces.append(try Self.parseInterface(name: name, entry))
            }
            try interfaces.finish()
        }
        try reader.finish()
        if !self.discoversInterfaces, let name = self.defaultInterface, !self.interfaces.contains(where: { $0.name == name }) {
            throw ConfigurationError(key: "default_interface", "names no interface in \"interfaces\": \(name)")
        }
    }

    /// The configuration as a config document that parses back to it (discovered parts
    /// written out as they were found).
    public var json: JSONValue {
        let control = self.control
        var controlObject: JSONObject = [:]
        if let socket = control.socketPath { controlObject["socket"] = .string(socket) }
        // Four digits, as the parser takes them: 0o1 is "0001", never "01".
        let octal = String(control.mode, radix: 8)
        controlObject["mode"] = .string("0" + String(repeating: "0", count: max(0, 3 - octal.count)) + octal)
        controlObject["admin_group"] = control.adminGroup.map(JSONValue.string) ?? .null
        controlObject["max_clients"] = JSONValue(control.maxClients)
        controlObject["max_message_bytes"] = JSONValue(control.maxMessageBytes)
        controlObject["max_sockets_per_client"] = JSONValue(control.maxSocketsPerClient)
        controlObject["max_batch"] = JSONValue(control.maxBatch)
        controlObject["event_history"] = JSONValue(control.eventHistory)
        controlObject["max_output_bytes"] = JSONValue(control.maxOutputBytes)
        controlObject["max_pending_requests"] = JSONValue(control.maxPendingRequests)
        controlObject["max_queued_calls_per_socket"] = JSONValue(control.maxQueuedCallsPerSocket)
        let dns = self.dns
        let dnsObject: JSONObject = [
            "servers": JSONValue(dns.servers.map { $0.endpointText(defaultPort: 53) }), "cache_size": JSONValue(dns.cacheSize),
            "timeout_ms": JSONValue(dns.timeoutMilliseconds), "attempts": JSONValue(dns.attempts),
            "max_async": JSONValue(dns.maxAsync), "max_async_total": JSONValue(dns.maxAsyncTotal),
            "max_blocking": JSONValue(dns.maxBlocking), "max_blocking_total": JSONValue(dns.maxBlockingTotal),
            "use_resolv_conf": .bool(dns.useResolvConf),
        ]
        var interfaces = JSONObject()
        for interface in self.interfaces {
            var entry: JSONObject = ["type": .string(interface.type.rawValue), "stack": .string(interface.stack.rawValue)]
            if let device = interface.device { entry["device"] = .string(device) }
            var link: JSONObject?
            switch interface.link {
            case .tap(let name)?: link = ["tap": .string(name)]
            case .packet(let name)?: link = ["packet": .string(name)]
            case nil: break
            }
            if var link {
                if let mac = interface.linkOptions.hardwareAddress { link["mac"] = .string(mac.description) }
                if let mtu = interface.linkOptions.mtu { link["mtu"] = JSONValue(mtu) }
                if let pcap = interface.linkOptions.pcap { link["pcap"] = .string(pcap) }
                if let offload = interface.linkOptions.offload { link["offload"] = .bool(offload) }
                entry["link"] = .object(link)
            }
            if let dhcp = interface.dhcp { entry["dhcp"] = .bool(dhcp) }
            if let dialect = interface.dialect { entry["dialect"] = .string(dialect) }
            if let apn = interface.apn { entry["apn"] = .string(apn) }
            if let control = interface.wpaControl { entry["wpa_supplicant"] = ["ctrl": .string(control)] }
            if let driver = interface.wpaSpawnDriver { entry["wpa_supplicant"] = ["spawn": true, "driver": .string(driver)] }
            if interface.stack == .modem {
                // Secrets are shown as set, never as themselves.
                if interface.cellular.pin != nil { entry["pin"] = "********" }
                if let username = interface.cellular.username { entry["username"] = .string(username) }
                if interface.cellular.password != nil { entry["password"] = "********" }
                entry["baud"] = JSONValue(interface.cellular.baudRate)
                entry["flow_control"] = .bool(interface.cellular.flowControl)
                entry["trace"] = .bool(interface.cellular.trace)
            }
            entry["connect_timeout_ms"] = JSONValue(interface.connectTimeoutMilliseconds)
            interfaces[interface.name] = .object(entry)
        }
        var object: JSONObject = ["control": .object(controlObject)]
        if let name = self.defaultInterface { object["default_interface"] = .string(name) }
        object["dns"] = .object(dnsObject)
        // Not yet resolved against the machine, a discovering config has no list to write:
        // leaving the key out keeps it discovering (an explicit `{}` would mean none).
        if !(self.discoversInterfaces && self.interfaces.isEmpty) { object["interfaces"] = .object(interfaces) }
        return .object(object)
    }

    /// Parses config text; JSON syntax errors are reported with their position.
    public init(parsingText bytes: [UInt8]) throws(ConfigurationError) {
        let json: JSONValue
        do {
            json = try JSONCodec.parse(bytes)
        } catch {
            throw ConfigurationError(key: "", "not valid JSON: \(error)")
        }
        try self.init(parsing: json)
    }

    private static func parseControl(_ reader: ObjectReader) throws(ConfigurationError) -> Control {
        var reader = reader
        var control = Control()
        if let socket = try reader.string("socket") {
            guard !socket.isEmpty, socket.utf8.count <= 107, !socket.contains("\0") else {
                throw ConfigurationError(key: "control.socket", "must be a path of 1 to 107 bytes")
            }
            control.socketPath = socket
        }
        if let mode = try reader.string("mode") {
            guard (3...4).contains(mode.count), mode.allSatisfy({ ("0"..."7").contains($0) }),
                let bits = UInt32(mode, radix: 8), bits <= 0o777
            else { throw ConfigurationError(key: "control.mode", "must be an octal mode string such as \"0660\"") }
            control.mode = bits
        }
        if let group = try reader.nullableString("admin_group") {
            switch group {
            case .some(let name):
                guard !name.isEmpty, name.utf8.count <= 32, !name.contains(":"), !name.contains("\0") else {
                    throw ConfigurationError(key: "control.admin_group", "must be a group name")
                }
                control.adminGroup = name
            case .none:
                control.adminGroup = nil
            }
        }
        control.maxClients = try reader.integer("max_clients", in: 1...65536) ?? control.maxClients
        control.maxMessageBytes = try reader.integer("max_message_bytes", in: 1024...(64 << 20)) ?? control.maxMessageBytes
        control.maxSocketsPerClient = try reader.integer("max_sockets_per_client", in: 1...4096) ?? control.maxSocketsPerClient
        control.maxBatch = try reader.integer("max_batch", in: 1...10_000) ?? control.maxBatch
        control.eventHistory = try reader.integer("event_history", in: 1...1_000_000) ?? control.eventHistory
        control.maxOutputBytes = try reader.integer("max_output_bytes", in: 4096...(1 << 30)) ?? control.maxOutputBytes
        control.maxPendingRequests = try reader.integer("max_pending_requests", in: 1...1_000_000) ?? control.maxPendingRequests
        control.maxQueuedCallsPerSocket =
            try reader.integer("max_queued_calls_per_socket", in: 1...100_000) ?? control.maxQueuedCallsPerSocket
        try reader.finish()
        return control
    }

    private static func parseDNS(_ reader: ObjectReader) throws(ConfigurationError) -> DNS {
        var reader = reader
        var dns = DNS()
        if let servers = try reader.array("servers") {
            dns.servers = []
            for (index, entry) in servers.enumerated() {
                guard let text = entry.stringValue, let server = SocketAddress(parsingEndpoint: text, defaultPort: 53) else {
                    throw ConfigurationError(
                        key: "dns.servers[\(index)]", "must be an IP address with an optional port, such as \"192.0.2.53\" or \"[::1]:5353\"")
                }
                dns.servers.append(server)
            }
        }
        dns.cacheSize = try reader.integer("cache_size", in: 0...100_000) ?? dns.cacheSize
        dns.timeoutMilliseconds = try reader.integer("timeout_ms", in: 1...600_000) ?? dns.timeoutMilliseconds
        dns.attempts = try reader.integer("attempts", in: 1...100) ?? dns.attempts
        dns.maxAsync = try reader.integer("max_async", in: 1...1000) ?? dns.maxAsync
        dns.maxAsyncTotal = try reader.integer("max_async_total", in: 1...100_000) ?? dns.maxAsyncTotal
        dns.maxBlocking = try reader.integer("max_blocking", in: 1...1000) ?? dns.maxBlocking
        dns.maxBlockingTotal = try reader.integer("max_blocking_total", in: 1...100_000) ?? dns.maxBlockingTotal
        dns.useResolvConf = try reader.bool("use_resolv_conf") ?? dns.useResolvConf
        try reader.finish()
        return dns
    }

    private static func parseInterface(name: String, _ reader: ObjectReader) throws(ConfigurationError) -> Interface {
        var reader = reader
        let key = "interfaces.\(name)"
        guard let typeName = try reader.string("type") else { throw ConfigurationError(key: "\(key).type", "is required") }
        guard let type = InterfaceType(rawValue: typeName) else {
            throw ConfigurationError(
                key: "\(key).type", "must be one of \(InterfaceType.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let stackName = try reader.string("stack") ?? (type == .cellular ? "modem" : "kernel")
        guard let stack = Stack(rawValue: stackName) else {
            throw ConfigurationError(key: "\(key).stack", "must be one of kernel, ip, modem")
        }
        var interface = Interface(name: name, type: type, stack: stack)
        interface.device = try reader.string("device")
        interface.dhcp = try reader.bool("dhcp")
        interface.dialect = try reader.string("dialect")
        interface.apn = try reader.string("apn")
        interface.cellular.pin = try reader.string("pin")
        interface.cellular.username = try reader.string("username")
        interface.cellular.password = try reader.string("password")
        if let baud = try reader.integer("baud", in: 9600...921_600) {
            guard [9600, 19200, 38400, 57600, 115_200, 230_400, 460_800, 921_600].contains(baud) else {
                throw ConfigurationError(key: "\(key).baud", "must be one of 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600")
            }
            interface.cellular.baudRate = baud
        }
        interface.cellular.flowControl = try reader.bool("flow_control") ?? false
        interface.cellular.trace = try reader.bool("trace") ?? false
        if var supplicant = try reader.object("wpa_supplicant") {
            guard type == .wifi else { throw ConfigurationError(key: "\(key).wpa_supplicant", "applies to wifi interfaces only") }
            let control = try supplicant.string("ctrl")
            let spawn = try supplicant.bool("spawn") ?? false
            let driver = try supplicant.string("driver")
            try supplicant.finish()
            switch (control, spawn) {
            case (let control?, false):
                guard control.hasPrefix("/") else {
                    throw ConfigurationError(key: "\(key).wpa_supplicant.ctrl", "must be the absolute path of wpa_supplicant's control socket for the device")
                }
                guard driver == nil else { throw ConfigurationError(key: "\(key).wpa_supplicant.driver", "applies with spawn only") }
                interface.wpaControl = control
            case (nil, true):
                let chosen = driver ?? "nl80211"
                guard ["nl80211", "wext", "wired", "none"].contains(chosen) else {
                    throw ConfigurationError(key: "\(key).wpa_supplicant.driver", "must be one of nl80211, wext, wired, none")
                }
                interface.wpaSpawnDriver = chosen
            default:
                throw ConfigurationError(key: "\(key).wpa_supplicant", "must give either \"ctrl\" (a running wpa_supplicant) or \"spawn\": true")
            }
        }
        interface.connectTimeoutMilliseconds =
            try reader.integer("connect_timeout_ms", in: 100...3_600_000) ?? interface.connectTimeoutMilliseconds
        if var link = try reader.object("link") {
            let tap = try link.string("tap")
            let packet = try link.string("packet")
            if let mac = try link.string("mac") {
                guard let address = MACAddress(parsing: mac), address.isUnicast, address != .zero else {
                    throw ConfigurationError(key: "\(key).link.mac", "must be a unicast hardware address such as 02:00:5e:00:53:01")
                }
                interface.linkOptions.hardwareAddress = address
            }
            // 576 is the least every IPv4 host must take (RFC 791); 9000 a jumbo frame.
            interface.linkOptions.mtu = try link.integer("mtu", in: 576...9000)
            if let pcap = try link.string("pcap") {
                guard pcap.hasPrefix("/") else { throw ConfigurationError(key: "\(key).link.pcap", "must be an absolute path") }
                interface.linkOptions.pcap = pcap
            }
            interface.linkOptions.offload = try link.bool("offload")
            try link.finish()
            switch (tap, packet) {
            case (let device?, nil): interface.link = .tap(device)
            case (nil, let device?): interface.link = .packet(device)
            default: throw ConfigurationError(key: "\(key).link", "must name exactly one of \"tap\" or \"packet\"")
            }
            if case .tap(let device) = interface.link, !Self.isValidInterfaceName(device) {
                throw ConfigurationError(key: "\(key).link.tap", "is not a valid device name")
            }
            if case .packet(let device) = interface.link, !Self.isValidInterfaceName(device) {
                throw ConfigurationError(key: "\(key).link.packet", "is not a valid device name")
            }
        }
        try reader.finish()
        if interface.wpaSpawnDriver != nil && interface.supplicantDevice == nil {
            throw ConfigurationError(key: "\(key).device", "is required to spawn wpa_supplicant")
        }

        switch stack {
        case .kernel:
            guard let device = interface.device else { throw ConfigurationError(key: "\(key).device", "is required for the kernel stack") }
            guard Self.isValidInterfaceName(device) else { throw ConfigurationError(key: "\(key).device", "is not a valid device name") }
            guard interface.link == nil else { throw ConfigurationError(key: "\(key).link", "applies to the ip stack only") }
            guard type == .ethernet || type == .loopback || type == .wifi else {
                throw ConfigurationError(key: "\(key).type", "\(type.rawValue) cannot run on the kernel stack")
            }
        case .ip:
            guard interface.link != nil else { throw ConfigurationError(key: "\(key).link", "is required for the ip stack") }
            guard type == .ethernet || type == .loopback || type == .mesh || type == .wifi else {
                throw ConfigurationError(key: "\(key).type", "\(type.rawValue) cannot run on the ip stack")
            }
            // A radio is a kernel device; the stack's frames go through it by AF_PACKET,
            // from the address the access point knows the station by.
            if type == .wifi {
                guard case .packet(let radio)? = interface.link else {
                    throw ConfigurationError(key: "\(key).link", "of a wifi interface must be \"packet\" (the radio's device)")
                }
                if let device = interface.device, device != radio {
                    throw ConfigurationError(key: "\(key).device", "must be link.packet's device (wpa_supplicant drives the radio the frames go through)")
                }
                if interface.linkOptions.hardwareAddress != nil {
                    throw ConfigurationError(key: "\(key).link.mac", "cannot be set on a wifi interface: the access point knows the radio's own address")
                }
            }
        case .modem:
            guard type == .cellular else { throw ConfigurationError(key: "\(key).type", "the modem stack serves cellular interfaces only") }
            guard let device = interface.device, device.hasPrefix("/") else {
                throw ConfigurationError(key: "\(key).device", "must be the modem's serial device path")
            }
            guard let dialect = interface.dialect, ["ublox", "quectel"].contains(dialect) else {
                throw ConfigurationError(key: "\(key).dialect", "must be ublox or quectel")
            }
        }
        if interface.apn != nil && type != .cellular {
            throw ConfigurationError(key: "\(key).apn", "applies to cellular interfaces only")
        }
        if stack != .modem && interface.cellular != CellularOptions() {
            throw ConfigurationError(key: "\(key)", "pin, username, password, baud, flow_control and trace apply to the modem stack only")
        }
        if interface.dialect != nil && stack != .modem {
            throw ConfigurationError(key: "\(key).dialect", "applies to the modem stack only")
        }
        return interface
    }
}

/// Reads the members of one config object, remembering which were read so that
/// ``finish()`` can refuse the rest as unknown keys.
struct ObjectReader {
    let key: String
    private let object: JSONObject
    private var seen: Set<String> = []

    init(_ json: JSONValue, key: String) throws(ConfigurationError) {
        guard let object = json.objectValue else {
            throw ConfigurationError(key: key, "must be an object, not \(json.typeName)")
        }
        self.key = key
        self.object = object
    }

    var keys: [String] { self.object.keys }

    private func path(_ name: String) -> String { self.key.isEmpty ? name : "\(self.key).\(name)" }

    private mutating func value(_ name: String) -> JSONValue? {
        self.seen.insert(name)
        return self.object[name]
    }

    mutating func string(_ name: String) throws(ConfigurationError) -> String? {
        guard let value = self.value(name) else { return nil }
        guard let text = value.stringValue else {
            throw ConfigurationError(key: self.path(name), "must be a string, not \(value.typeName)")
        }
        return text
    }

    /// A string that may also be `null` (meaning "none"); absent gives `nil`.
    mutating func nullableString(_ name: String) throws(ConfigurationError) -> String?? {
        guard let value = self.value(name) else { return nil }
        if value.isNull { return .some(nil) }
        guard let text = value.stringValue else {
            throw ConfigurationError(key: self.path(name), "must be a string or null, not \(value.typeName)")
        }
        return .some(text)
    }

    mutating func bool(_ name: String) throws(ConfigurationError) -> Bool? {
        guard let value = self.value(name) else { return nil }
        guard let flag = value.boolValue else {
            throw ConfigurationError(key: self.path(name), "must be true or false, not \(value.typeName)")
        }
        return flag
    }

    mutating func integer(_ name: String, in range: ClosedRange<Int>) throws(ConfigurationError) -> Int? {
        guard let value = self.value(name) else { return nil }
        guard let number = value.intValue else {
            throw ConfigurationError(key: self.path(name), "must be an integer, not \(value.typeName)")
        }
        guard number >= range.lowerBound && number <= range.upperBound else {
            throw ConfigurationError(key: self.path(name), "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return Int(number)
    }

    mutating func array(_ name: String) throws(ConfigurationError) -> [JSONValue]? {
        guard let value = self.value(name) else { return nil }
        guard let array = value.arrayValue else {
            throw ConfigurationError(key: self.path(name), "must be an array, not \(value.typeName)")
        }
        return array
    }

    mutating func object(_ name: String) throws(ConfigurationError) -> ObjectReader? {
        guard let value = self.value(name) else { return nil }
        return try ObjectReader(value, key: self.path(name))
    }

    /// Refuses every member that was never read.
    func finish() throws(ConfigurationError) {
        for name in self.object.keys where !self.seen.contains(name) {
            throw ConfigurationError(key: self.path(name), "unknown key")
        }
    }
}
