public import NSAPI

/// Everything `netsockd` reads from its config file, with the defaults of API.md.
///
/// A plain value: tests build it directly; only ``init(parsing:)`` reads JSON, and
/// only the command reads files.
public struct DaemonConfiguration: Sendable, Equatable {
    public struct Control: Sendable, Equatable {
        /// `control.socket`; `nil` leaves the path to the rest of the resolution order.
        public var socketPath: String?
        /// Permission bits given to the socket file after bind.
        public var mode: UInt32 = 0o660
        /// Members of this group are admins (and own the socket file).
        public var adminGroup: String? = "netsock"
        public var maxClients = 256
        public var maxMessageBytes = 1 << 20
        public var maxSocketsPerClient = 64
        /// Entries allowed in one batch.
        public var maxBatch = 100
        /// Events kept for `events.subscribe {since}` replay.
        public var eventHistory = 1024
        /// Bytes queued towards one client before its input is paused and its events are dropped (and reported lost).
        public var maxOutputBytes = 4 << 20

        public init() {}
    }

    public struct DNS: Sendable, Equatable {
        public var servers: [SocketAddress] = []
        public var cacheSize = 16
        public var timeoutMilliseconds = 2000
        public var attempts = 3
        public var maxAsync = 5
        /// Also query the servers of `/etc/resolv.conf` (extension; tests turn it off).
        public var useResolvConf = true

        public init() {}
    }

    public enum Stack: String, Sendable, CaseIterable {
        case kernel
        case ip
        case modem
    }

    /// How an `ip`-stack interface reaches the wire.
    public enum Link: Sendable, Equatable {
        case tap(String)
        case packet(String)
    }

    public struct Interface: Sendable, Equatable {
        public var name: String
        public var type: InterfaceType
        public var stack: Stack
        /// Kernel device (kernel stack) or serial device (modem stack).
        public var device: String?
        public var link: Link?
        public var dhcp: Bool?
        public var dialect: String?
        public var apn: String?

        public init(
            name: String, type: InterfaceType, stack: Stack, device: String? = nil, link: Link? = nil,
            dhcp: Bool? = nil, dialect: String? = nil, apn: String? = nil
        ) {
            self.name = name
            self.type = type
            self.stack = stack
            self.device = device
            self.link = link
            self.dhcp = dhcp
            self.dialect = dialect
            self.apn = apn
        }
    }

    public var control = Control()
    public var defaultInterface: String?
    public var dns = DNS()
    /// In file order.
    public var interfaces: [Interface] = []

    public init() {}

    /// The embedded default: the kernel stack with `lo` as loopback and every other
    /// kernel device as ethernet; the device of the default route is the default interface.
    public static func embeddedDefault(devices: [String], defaultRouteDevice: String?) -> DaemonConfiguration {
        var configuration = DaemonConfiguration()
        configuration.interfaces.append(Interface(name: "lo", type: .loopback, stack: .kernel, device: "lo"))
        for device in devices where device != "lo" && Self.isValidInterfaceName(device) {
            configuration.interfaces.append(Interface(name: device, type: .ethernet, stack: .kernel, device: device))
        }
        if let route = defaultRouteDevice, configuration.interfaces.contains(where: { $0.name == route }) {
            configuration.defaultInterface = route
        } else {
            configuration.defaultInterface = configuration.interfaces.first(where: { $0.type == .ethernet })?.name ?? "lo"
        }
        return configuration
    }

    /// Interface names: 1...15 characters of letters, digits, `_`, `-` and `.` (the kernel's IFNAMSIZ).
    public static func isValidInterfaceName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15
            && name.utf8.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
    }

    /// The names of the stacks the interfaces use, in a fixed order.
    public var stackNames: [String] {
        Stack.allCases.filter { stack in self.interfaces.contains { $0.stack == stack } }.map(\.rawValue)
    }
}

/// A config file refused at start or on reload, naming the key at fault.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Dotted path of the offending key, such as `control.mode` or `interfaces.eth0.type`.
    public var key: String
    public var message: String

    public init(key: String, _ message: String) {
        self.key = key
        self.message = message
    }

    public var description: String { self.key.isEmpty ? self.message : "\(self.key): \(self.message)" }
}
