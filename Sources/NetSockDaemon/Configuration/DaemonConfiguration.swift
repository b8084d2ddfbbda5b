public import NetSockWire
import NSAPI

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
        /// Requests of one connection waiting for their reply at once; beyond, -32004.
        public var maxPendingRequests = 1024
        /// Calls waiting on one socket in one direction; beyond, NSAPI_ERROR_NO_MEMORY.
        public var maxQueuedCallsPerSocket = 256

        public init() {}
    }

    public struct DNS: Sendable, Equatable {
        public var servers: [SocketAddress] = []
        public var cacheSize = 16
        public var timeoutMilliseconds = 2000
        public var attempts = 3
        /// Asynchronous queries one client may have in flight (Mbed's limit of 5).
        public var maxAsync = 5
        /// Asynchronous queries of all clients together.
        public var maxAsyncTotal = 256
        /// Blocking queries (`dns.gethostbyname`, `connect` by name) one client may have waiting.
        public var maxBlocking = 16
        /// Blocking queries of all clients together; each holds a UDP socket.
        public var maxBlockingTotal = 64
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

    /// What an `ip`-stack link may set beyond its device.
    public struct LinkOptions: Sendable, Equatable {
        /// Our stack's own address on the link (a TAP needs one other than the device's).
        public var hardwareAddress: MACAddress?
        public var mtu: Int?
        /// Every frame each way is written to this pcap file.
        public var pcap: String?
        /// Checksum and segmentation offload (virtio-net headers on a TAP or an AF_PACKET
        /// socket); on unless false. Off, every frame crosses the device at the MTU with
        /// its checksum done.
        public var offload: Bool?

        public init() {}
    }

    /// What a `modem`-stack interface sets beyond its device, dialect and APN.
    public struct CellularOptions: Sendable, Equatable {
        /// The SIM's PIN, entered when the SIM asks (a secret: never logged or shown).
        public var pin: String?
        public var username: String?
        /// The APN password (a secret).
        public var password: String?
        public var baudRate = 115_200
        /// RTS/CTS hardware flow control.
        public var flowControl = false
        /// Log every AT command and reply (secrets masked) at info level.
        public var trace = false

        public init() {}
    }

    public struct Interface: Sendable, Equatable {
        public var name: String
        public var type: InterfaceType
        public var stack: Stack
        /// Kernel device (kernel stack) or serial device (modem stack).
        public var device: String?
        public var link: Link?
        public var linkOptions = LinkOptions()
        public var dhcp: Bool?
        public var dialect: String?
        public var apn: String?
        public var cellular = CellularOptions()
        /// A Wi-Fi interface's wpa_supplicant: the control socket of the interface it runs.
        public var wpaControl: String?
        /// Or the driver of a wpa_supplicant netsockd starts and supervises for the device.
        public var wpaSpawnDriver: String?
        /// How long `interface.connect` waits for an address before it fails.
        public var connectTimeoutMilliseconds = 15_000

        /// The device a Wi-Fi interface's wpa_supplicant drives: `device`, or on the ip
        /// stack the AF_PACKET link's device (the radio the stack's frames go through).
        public var supplicantDevice: String? {
            if let device = self.device { return device }
            if case .packet(let device)? = self.link { return device }
            return nil
        }

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
    /// `interfaces` was left out: every kernel device, found at start and on each reload.
    /// (An explicit `{}` means no interfaces at all.)
    public var discoversInterfaces = true
    /// `default_interface` was left out: the interface on the default route's device.
    public var defaultFollowsRoute = true
    /// The top-level sections the file set, for `--print-config`.
    public var sectionsFromFile: Set<String> = []

    public init() {}

    /// The embedded default: nothing configured, everything discovered.
    public static func embeddedDefault(devices: [String], defaultRouteDevice: String?) -> DaemonConfiguration {
        // With nothing named, no default can be missing: resolving cannot fail.
        (try? DaemonConfiguration().resolved(devices: devices, defaultRouteDevice: defaultRouteDevice)) ?? DaemonConfiguration()
    }

    /// Fills in what the file left out from the machine, as the embedded default does:
    /// with `interfaces` absent, `lo` as loopback and every other kernel device as
    /// ethernet; with `default_interface` absent, the interface on the device of the
    /// default route, else the first ethernet one, else the first. A default interface
    /// the file names must exist.
    public func resolved(devices: [String], defaultRouteDevice: String?) throws(ConfigurationError) -> DaemonConfiguration {
        var configuration = self
        if self.discoversInterfaces {
            configuration.interfaces = [Interface(name: "lo", type: .loopback, stack: .kernel, device: "lo")]
            for device in devices where device != "lo" && Self.isValidInterfaceName(device) {
                configuration.interfaces.append(Interface(name: device, type: .ethernet, stack: .kernel, device: device))
            }
        }
        if self.defaultFollowsRoute {
            let onRoute = configuration.interfaces.first { $0.stack == .kernel && $0.device != nil && $0.device == defaultRouteDevice }
            configuration.defaultInterface =
                (onRoute ?? configuration.interfaces.first { $0.type == .ethernet } ?? configuration.interfaces.first)?.name
        } else if let name = self.defaultInterface, !configuration.interfaces.contains(where: { $0.name == name }) {
            throw ConfigurationError(key: "default_interface", "names no interface in \"interfaces\": \(name)")
        }
        return configuration
    }

    /// Where each part of the effective configuration came from, for `--print-config`.
    public func sources(file: String?) -> [String: String] {
        func section(_ name: String) -> String {
            if let file, self.sectionsFromFile.contains(name) { return "file \(file)" }
            return "embedded default"
        }
        return [
            "control": section("control"), "dns": section("dns"),
            "interfaces": self.discoversInterfaces ? "discovered kernel devices" : section("interfaces"),
            "default_interface": self.defaultFollowsRoute ? "the default route's device (else the first ethernet interface)"
                : section("default_interface"),
        ]
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
