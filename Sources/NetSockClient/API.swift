// Generated from netsockd's method declarations by `make api`: do not edit.
// A test fails when this file differs from what the declarations generate.
public import NetSockJSON
public import NetSockRPC

/// The netsockd API as Swift types: `RPCClient.call(_:)` sends a method's struct
/// and returns its typed result.
public enum API {}

extension API {
    public struct DaemonSummary: APIResult, Sendable, Equatable {
        /// Daemon version.
        public var version: String
        /// Control API version (1).
        public var apiVersion: Int
        /// Process id.
        public var pid: Int
        /// Milliseconds since start.
        public var uptimeMs: Int
        /// Interface names, in configuration order.
        public var interfaces: [String]
        /// Stacks in use: kernel, ip, modem.
        public var stacks: [String]
        /// The default interface, if any.
        public var defaultInterface: String?
        /// Connected clients.
        public var clients: Int
        /// Open sockets, all clients.
        public var sockets: Int
        /// Control socket path.
        public var socket: String
        /// Config file path, or "embedded".
        public var config: String
        /// Seq of the latest event.
        public var eventSeq: Int
        /// Limits in force (control.* settings).
        public var limits: API.ControlLimits

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.version = try String(result: object["version"] ?? .null, path: path + ".version")
            self.apiVersion = try Int(result: object["api_version"] ?? .null, path: path + ".api_version")
            self.pid = try Int(result: object["pid"] ?? .null, path: path + ".pid")
            self.uptimeMs = try Int(result: object["uptime_ms"] ?? .null, path: path + ".uptime_ms")
            self.interfaces = try [String](result: object["interfaces"] ?? .null, path: path + ".interfaces")
            self.stacks = try [String](result: object["stacks"] ?? .null, path: path + ".stacks")
            self.defaultInterface = try Optional<String>(result: object["default_interface"] ?? .null, path: path + ".default_interface")
            self.clients = try Int(result: object["clients"] ?? .null, path: path + ".clients")
            self.sockets = try Int(result: object["sockets"] ?? .null, path: path + ".sockets")
            self.socket = try String(result: object["socket"] ?? .null, path: path + ".socket")
            self.config = try String(result: object["config"] ?? .null, path: path + ".config")
            self.eventSeq = try Int(result: object["event_seq"] ?? .null, path: path + ".event_seq")
            self.limits = try API.ControlLimits(result: object["limits"] ?? .null, path: path + ".limits")
        }
    }
}

extension API {
    public struct ControlLimits: APIResult, Sendable, Equatable {
        /// control.max_clients
        public var maxClients: Int
        /// control.max_message_bytes
        public var maxMessageBytes: Int
        /// control.max_sockets_per_client
        public var maxSocketsPerClient: Int
        /// control.max_batch
        public var maxBatch: Int
        /// control.event_history
        public var eventHistory: Int
        /// control.max_output_bytes
        public var maxOutputBytes: Int
        /// control.max_pending_requests
        public var maxPendingRequests: Int
        /// control.max_queued_calls_per_socket
        public var maxQueuedCallsPerSocket: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.maxClients = try Int(result: object["max_clients"] ?? .null, path: path + ".max_clients")
            self.maxMessageBytes = try Int(result: object["max_message_bytes"] ?? .null, path: path + ".max_message_bytes")
            self.maxSocketsPerClient = try Int(result: object["max_sockets_per_client"] ?? .null, path: path + ".max_sockets_per_client")
            self.maxBatch = try Int(result: object["max_batch"] ?? .null, path: path + ".max_batch")
            self.eventHistory = try Int(result: object["event_history"] ?? .null, path: path + ".event_history")
            self.maxOutputBytes = try Int(result: object["max_output_bytes"] ?? .null, path: path + ".max_output_bytes")
            self.maxPendingRequests = try Int(result: object["max_pending_requests"] ?? .null, path: path + ".max_pending_requests")
            self.maxQueuedCallsPerSocket = try Int(result: object["max_queued_calls_per_socket"] ?? .null, path: path + ".max_queued_calls_per_socket")
        }
    }
}

extension API {
    public struct Identity: APIResult, Sendable, Equatable {
        /// User id (SO_PEERCRED).
        public var uid: Int
        /// Group id (SO_PEERCRED).
        public var gid: Int
        /// Process id (SO_PEERCRED).
        public var pid: Int
        /// Login name, when known.
        public var user: String?
        /// Granted roles.
        public var roles: [API.MethodRole]
        /// The group whose members are admins.
        public var adminGroup: String?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.uid = try Int(result: object["uid"] ?? .null, path: path + ".uid")
            self.gid = try Int(result: object["gid"] ?? .null, path: path + ".gid")
            self.pid = try Int(result: object["pid"] ?? .null, path: path + ".pid")
            self.user = try Optional<String>(result: object["user"] ?? .null, path: path + ".user")
            self.roles = try [API.MethodRole](result: object["roles"] ?? .null, path: path + ".roles")
            self.adminGroup = try Optional<String>(result: object["admin_group"] ?? .null, path: path + ".admin_group")
        }
    }
}

extension API {
    public enum MethodRole: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case user
        case admin

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct Subscribed: APIResult, Sendable, Equatable {
        /// Subscription id.
        public var subscription: Int
        /// The latest seq now.
        public var seq: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.subscription = try Int(result: object["subscription"] ?? .null, path: path + ".subscription")
            self.seq = try Int(result: object["seq"] ?? .null, path: path + ".seq")
        }
    }
}

extension API {
    public enum EventTopic: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case interface
        case cellular
        case wifi
        case mesh
        case daemon

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct EventRecord: APIResult, Sendable, Equatable {
        /// Daemon-wide increasing sequence number.
        public var seq: Int
        /// RFC 3339 UTC time.
        public var time: String
        public var topic: API.EventTopic
        /// Event name, e.g. status_changed.
        public var event: String
        /// Event details.
        public var data: JSONObject

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.seq = try Int(result: object["seq"] ?? .null, path: path + ".seq")
            self.time = try String(result: object["time"] ?? .null, path: path + ".time")
            self.topic = try API.EventTopic(result: object["topic"] ?? .null, path: path + ".topic")
            self.event = try String(result: object["event"] ?? .null, path: path + ".event")
            self.data = try JSONObject(result: object["data"] ?? .null, path: path + ".data")
        }
    }
}

extension API {
    public struct Published: APIResult, Sendable, Equatable {
        /// Seq given to the event.
        public var seq: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.seq = try Int(result: object["seq"] ?? .null, path: path + ".seq")
        }
    }
}

extension API {
    public struct InterfaceSummary: APIResult, Sendable, Equatable {
        /// Interface name.
        public var name: String
        /// Interface type.
        public var type: API.InterfaceType
        /// The stack serving it.
        public var stack: API.StackKind
        /// Connection status.
        public var status: API.ConnectionStatus
        /// Whether it is the default interface.
        public var `default`: Bool

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.name = try String(result: object["name"] ?? .null, path: path + ".name")
            self.type = try API.InterfaceType(result: object["type"] ?? .null, path: path + ".type")
            self.stack = try API.StackKind(result: object["stack"] ?? .null, path: path + ".stack")
            self.status = try API.ConnectionStatus(result: object["status"] ?? .null, path: path + ".status")
            self.`default` = try Bool(result: object["default"] ?? .null, path: path + ".default")
        }
    }
}

extension API {
    public enum InterfaceType: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case ethernet
        case wifi
        case cellular
        case mesh
        case loopback

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public enum StackKind: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case kernel
        case ip
        case modem

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public enum ConnectionStatus: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case localUp = "local_up"
        case globalUp = "global_up"
        case disconnected
        case connecting
        case unsupported

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct InterfaceDetails: APIResult, Sendable, Equatable {
        /// Interface name.
        public var name: String
        /// Interface type.
        public var type: API.InterfaceType
        /// The stack serving it.
        public var stack: API.StackKind
        /// Connection status.
        public var status: API.ConnectionStatus
        /// aa:bb:cc:dd:ee:ff, or null.
        public var mac: String?
        /// {address, netmask, gateway}, or null.
        public var ipv4: API.IPv4Settings?
        /// IPv6 addresses.
        public var ipv6: [String]
        /// Whether addresses come from DHCP.
        public var dhcp: Bool
        /// DNS servers queried for it, in order.
        public var dns: [String]
        /// Whether it is the default interface.
        public var `default`: Bool
        /// The kernel or serial device.
        public var device: String?
        /// The kernel's interface index.
        public var index: Int?
        /// The kernel link's MTU.
        public var mtu: Int?
        /// Whether the kernel link has carrier.
        public var carrier: Bool?
        /// An ip interface's own link: device, MTU, and counters of frames, bytes and drops by reason.
        public var link: API.IPLinkDetails?
        /// A cellular interface's modem: state, IMEI, operator, registration, signal (dBm), address.
        public var cellular: API.CellularDetails?
        /// A Wi-Fi interface's station: state, ssid, bssid, security.
        public var wifi: API.WiFiDetails?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.name = try String(result: object["name"] ?? .null, path: path + ".name")
            self.type = try API.InterfaceType(result: object["type"] ?? .null, path: path + ".type")
            self.stack = try API.StackKind(result: object["stack"] ?? .null, path: path + ".stack")
            self.status = try API.ConnectionStatus(result: object["status"] ?? .null, path: path + ".status")
            self.mac = try Optional<String>(result: object["mac"] ?? .null, path: path + ".mac")
            self.ipv4 = try Optional<API.IPv4Settings>(result: object["ipv4"] ?? .null, path: path + ".ipv4")
            self.ipv6 = try [String](result: object["ipv6"] ?? .null, path: path + ".ipv6")
            self.dhcp = try Bool(result: object["dhcp"] ?? .null, path: path + ".dhcp")
            self.dns = try [String](result: object["dns"] ?? .null, path: path + ".dns")
            self.`default` = try Bool(result: object["default"] ?? .null, path: path + ".default")
            self.device = try Optional<String>(result: object["device"] ?? .null, path: path + ".device")
            self.index = try Optional<Int>(result: object["index"] ?? .null, path: path + ".index")
            self.mtu = try Optional<Int>(result: object["mtu"] ?? .null, path: path + ".mtu")
            self.carrier = try Optional<Bool>(result: object["carrier"] ?? .null, path: path + ".carrier")
            self.link = try Optional<API.IPLinkDetails>(result: object["link"] ?? .null, path: path + ".link")
            self.cellular = try Optional<API.CellularDetails>(result: object["cellular"] ?? .null, path: path + ".cellular")
            self.wifi = try Optional<API.WiFiDetails>(result: object["wifi"] ?? .null, path: path + ".wifi")
        }
    }
}

extension API {
    public struct IPv4Settings: APIResult, Sendable, Equatable {
        /// IPv4 address.
        public var address: String
        /// Dotted netmask.
        public var netmask: String
        /// Default gateway, or null.
        public var gateway: String?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.address = try String(result: object["address"] ?? .null, path: path + ".address")
            self.netmask = try String(result: object["netmask"] ?? .null, path: path + ".netmask")
            self.gateway = try Optional<String>(result: object["gateway"] ?? .null, path: path + ".gateway")
        }
    }
}

extension API {
    public struct IPLinkDetails: APIResult, Sendable, Equatable {
        /// tap or packet.
        public var kind: String
        /// The TAP or AF_PACKET device.
        public var device: String
        /// Whether the device is open (between connect and disconnect).
        public var attached: Bool
        /// The link's MTU as the stack uses it.
        public var mtu: Int
        /// What the device does for the stack: checksum (finishes and vouches for TCP/UDP checksums), tcp_segmentation (cuts 64 KB TCP packets). Empty when none or detached.
        public var offloads: [String]
        /// frames_received, bytes_received, frames_sent, bytes_sent, arp_conflicts, tcp_segments_received, tcp_segments_sent (a packet the device cuts counts once), tcp_connections, and drops by reason.
        public var counters: JSONObject

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.kind = try String(result: object["kind"] ?? .null, path: path + ".kind")
            self.device = try String(result: object["device"] ?? .null, path: path + ".device")
            self.attached = try Bool(result: object["attached"] ?? .null, path: path + ".attached")
            self.mtu = try Int(result: object["mtu"] ?? .null, path: path + ".mtu")
            self.offloads = try [String](result: object["offloads"] ?? .null, path: path + ".offloads")
            self.counters = try JSONObject(result: object["counters"] ?? .null, path: path + ".counters")
        }
    }
}

extension API {
    public struct CellularDetails: APIResult, Sendable, Equatable {
        /// The 27.007 state machine's state: off, init, power, device_ready, sim_pin, signal_quality, registering_network, attaching_network, activating_context, connected, failed.
        public var state: String
        /// The modem's IMEI (+CGSN), or null before it answered.
        public var imei: String?
        /// The network's name (+COPS), or null.
        public var `operator`: String?
        /// Packet-domain registration: not_registered, home, searching, denied, unknown, roaming, ... or null.
        public var registration: String?
        /// Signal strength in dBm (+CSQ), or null when unknown.
        public var rssi: Int?
        /// The PDP context's IP address, or null.
        public var address: String?
        /// The modem's socket commands: ublox or quectel.
        public var dialect: String
        /// Why the last connect failed or the connection was lost.
        public var error: String?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.state = try String(result: object["state"] ?? .null, path: path + ".state")
            self.imei = try Optional<String>(result: object["imei"] ?? .null, path: path + ".imei")
            self.`operator` = try Optional<String>(result: object["operator"] ?? .null, path: path + ".operator")
            self.registration = try Optional<String>(result: object["registration"] ?? .null, path: path + ".registration")
            self.rssi = try Optional<Int>(result: object["rssi"] ?? .null, path: path + ".rssi")
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.dialect = try String(result: object["dialect"] ?? .null, path: path + ".dialect")
            self.error = try Optional<String>(result: object["error"] ?? .null, path: path + ".error")
        }
    }
}

extension API {
    public struct WiFiDetails: APIResult, Sendable, Equatable {
        /// The station: idle, connecting (associating, or the link lost while wpa_supplicant finds it again), connected, disconnecting.
        public var state: String
        /// The network connected or being connected to (UTF-8), or null.
        public var ssid: String?
        /// The access point of the link while connected, or null.
        public var bssid: String?
        /// The network's security as connect gave it (Mbed's nsapi_security_t name), or null.
        public var security: API.SecurityType?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.state = try String(result: object["state"] ?? .null, path: path + ".state")
            self.ssid = try Optional<String>(result: object["ssid"] ?? .null, path: path + ".ssid")
            self.bssid = try Optional<String>(result: object["bssid"] ?? .null, path: path + ".bssid")
            self.security = try Optional<API.SecurityType>(result: object["security"] ?? .null, path: path + ".security")
        }
    }
}

extension API {
    public enum SecurityType: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case none
        case wep
        case wpa
        case wpa2
        case wpaWpa2 = "wpa_wpa2"
        case pap
        case chap
        case eapTls = "eap_tls"
        case peap
        case wpa2Ent = "wpa2_ent"
        case wpa3
        case wpa3Wpa2 = "wpa3_wpa2"
        case unknown

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct StatusResult: APIResult, Sendable, Equatable {
        /// Connection status.
        public var status: API.ConnectionStatus

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.status = try API.ConnectionStatus(result: object["status"] ?? .null, path: path + ".status")
        }
    }
}

extension API {
    public struct SocketRef: APIResult, Sendable, Equatable {
        /// The socket id.
        public var socket: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
        }
    }
}

extension API {
    public enum SocketProtocol: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case tcp
        case udp
        case icmp
        case nonip
        case tls

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct AcceptedSocket: APIResult, Sendable, Equatable {
        /// The new socket's id.
        public var socket: Int
        /// The peer's IP address.
        public var address: String?
        /// The peer's port.
        public var port: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.port = try Int(result: object["port"] ?? .null, path: path + ".port")
        }
    }
}

extension API {
    public struct SentBytes: APIResult, Sendable, Equatable {
        /// Bytes sent.
        public var sent: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.sent = try Int(result: object["sent"] ?? .null, path: path + ".sent")
        }
    }
}

extension API {
    public struct ReceivedBytes: APIResult, Sendable, Equatable {
        /// The payload, encoded.
        public var data: String
        /// Bytes received; 0 when the peer closed (TCP).
        public var size: Int
        /// The encoding of data.
        public var encoding: API.ByteEncoding

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.data = try String(result: object["data"] ?? .null, path: path + ".data")
            self.size = try Int(result: object["size"] ?? .null, path: path + ".size")
            self.encoding = try API.ByteEncoding(result: object["encoding"] ?? .null, path: path + ".encoding")
        }
    }
}

extension API {
    public enum ByteEncoding: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case base64
        case text
        case hex

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct ReceivedDatagram: APIResult, Sendable, Equatable {
        /// The payload, encoded.
        public var data: String
        /// Bytes received.
        public var size: Int
        /// Source IP address.
        public var address: String?
        /// Source port.
        public var port: Int
        /// The encoding of data.
        public var encoding: API.ByteEncoding

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.data = try String(result: object["data"] ?? .null, path: path + ".data")
            self.size = try Int(result: object["size"] ?? .null, path: path + ".size")
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.port = try Int(result: object["port"] ?? .null, path: path + ".port")
            self.encoding = try API.ByteEncoding(result: object["encoding"] ?? .null, path: path + ".encoding")
        }
    }
}

extension API {
    public enum ShutdownDirection: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case read
        case write
        case both

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct AttachedDescriptor: APIResult, Sendable, Equatable {
        /// stream (TCP: a SOCK_STREAM socketpair end) or seqpacket (UDP: SOCK_SEQPACKET, one framed datagram per message).
        public var type: String

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.type = try String(result: object["type"] ?? .null, path: path + ".type")
        }
    }
}

extension API {
    public enum SocketOption: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case reuseaddr
        case keepalive
        case keepidle
        case keepintvl
        case linger
        case sndbuf
        case rcvbuf
        case addMembership = "add_membership"
        case dropMembership = "drop_membership"
        case bindToDevice = "bind_to_device"
        case latency
        case stagger
        case iptos
        case broadcast
        case pktinfo

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct OptionValue: APIResult, Sendable, Equatable {
        /// An integer, an interface name, or {group, interface} for a membership.
        public var value: JSONValue

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.value = try JSONValue(result: object["value"] ?? .null, path: path + ".value")
        }
    }
}

extension API {
    public struct Endpoint: APIResult, Sendable, Equatable {
        /// IP address (null when unknown).
        public var address: String?
        /// Port number.
        public var port: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.port = try Int(result: object["port"] ?? .null, path: path + ".port")
        }
    }
}

extension API {
    public struct SocketRow: APIResult, Sendable, Equatable {
        /// Socket id.
        public var socket: Int
        /// Socket type.
        public var `protocol`: API.SocketProtocol
        /// Interface the socket was opened on.
        public var interface: String
        /// What the socket is doing.
        public var state: API.SocketState
        /// Local address and port, or null.
        public var local: API.Endpoint?
        /// Peer address and port, or null.
        public var peer: API.Endpoint?
        /// Idle timeout (-1: forever).
        public var timeoutMs: Int
        /// Whether sigio is on.
        public var sigio: Bool
        /// The owning client (with all).
        public var client: Int?
        /// The owning client's process id (with all).
        public var pid: Int?
        /// The owning client's user id (with all).
        public var uid: Int?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
            self.`protocol` = try API.SocketProtocol(result: object["protocol"] ?? .null, path: path + ".protocol")
            self.interface = try String(result: object["interface"] ?? .null, path: path + ".interface")
            self.state = try API.SocketState(result: object["state"] ?? .null, path: path + ".state")
            self.local = try Optional<API.Endpoint>(result: object["local"] ?? .null, path: path + ".local")
            self.peer = try Optional<API.Endpoint>(result: object["peer"] ?? .null, path: path + ".peer")
            self.timeoutMs = try Int(result: object["timeout_ms"] ?? .null, path: path + ".timeout_ms")
            self.sigio = try Bool(result: object["sigio"] ?? .null, path: path + ".sigio")
            self.client = try Optional<Int>(result: object["client"] ?? .null, path: path + ".client")
            self.pid = try Optional<Int>(result: object["pid"] ?? .null, path: path + ".pid")
            self.uid = try Optional<Int>(result: object["uid"] ?? .null, path: path + ".uid")
        }
    }
}

extension API {
    public enum SocketState: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case closed
        case `open` = "open"
        case connecting
        case connected
        case listening

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct Answer: APIResult, Sendable, Equatable {
        /// The first address.
        public var address: String
        /// Every address, at most 10.
        public var addresses: [String]

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.address = try String(result: object["address"] ?? .null, path: path + ".address")
            self.addresses = try [String](result: object["addresses"] ?? .null, path: path + ".addresses")
        }
    }
}

extension API {
    public enum IPVersion: String, Sendable, CaseIterable, APIEnumeration, APIResult {
        case `any` = "any"
        case ipv4
        case ipv6

        public var apiName: String { self.rawValue }
    }
}

extension API {
    public struct AsyncAnswer: APIResult, Sendable, Equatable {
        /// Query id, or 0 when answered at once.
        public var request: Int
        /// The first address, when answered at once.
        public var address: String?
        /// Every address, when answered at once.
        public var addresses: [String]?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.request = try Int(result: object["request"] ?? .null, path: path + ".request")
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.addresses = try Optional<[String]>(result: object["addresses"] ?? .null, path: path + ".addresses")
        }
    }
}

extension API {
    public struct ATAnswer: APIResult, Sendable, Equatable {
        /// The information lines of the reply, in order (URCs that came meanwhile are not among them).
        public var lines: [String]
        /// OK, ERROR, +CME ERROR: <n>, +CMS ERROR: <n>, or timeout.
        public var final: String

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.lines = try [String](result: object["lines"] ?? .null, path: path + ".lines")
            self.final = try String(result: object["final"] ?? .null, path: path + ".final")
        }
    }
}

extension API {
    public struct AccessPoint: APIResult, Sendable, Equatable {
        /// The network's name (UTF-8; empty for a hidden network).
        public var ssid: String
        /// aa:bb:cc:dd:ee:ff.
        public var bssid: String
        /// Mbed's nsapi_security_t name.
        public var security: API.SecurityType
        /// Signal in dBm.
        public var rssi: Int
        /// The channel (0 when off the known bands).
        public var channel: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.ssid = try String(result: object["ssid"] ?? .null, path: path + ".ssid")
            self.bssid = try String(result: object["bssid"] ?? .null, path: path + ".bssid")
            self.security = try API.SecurityType(result: object["security"] ?? .null, path: path + ".security")
            self.rssi = try Int(result: object["rssi"] ?? .null, path: path + ".rssi")
            self.channel = try Int(result: object["channel"] ?? .null, path: path + ".channel")
        }
    }
}

extension API {
    public struct RSSIResult: APIResult, Sendable, Equatable {
        /// dBm; 0 when not connected, as Mbed's get_rssi.
        public var rssi: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.rssi = try Int(result: object["rssi"] ?? .null, path: path + ".rssi")
        }
    }
}

extension API {
    public struct NSAPIFailure: APIResult, Sendable, Equatable {
        /// The nsapi_error_t value.
        public var code: Int
        /// Its name.
        public var message: String

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.code = try Int(result: object["code"] ?? .null, path: path + ".code")
            self.message = try String(result: object["message"] ?? .null, path: path + ".message")
        }
    }
}

extension API {
    /// The OpenRPC 1.3 document of this API, notifications included.
    public struct RPCDiscover: APIMethod, Sendable {
        public static let name = "rpc.discover"
        public typealias Result = JSONObject

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// Version, process and configuration summary of the daemon.
    public struct DaemonInfo: APIMethod, Sendable {
        public static let name = "daemon.info"
        public typealias Result = API.DaemonSummary

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// The caller as the daemon sees it through SO_PEERCRED, with its roles.
    public struct DaemonWhoAmI: APIMethod, Sendable {
        public static let name = "daemon.whoami"
        public typealias Result = API.Identity

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// Stops the daemon gracefully after replying.
    public struct DaemonShutdown: APIMethod, Sendable {
        public static let name = "daemon.shutdown"
        public typealias Result = APINoResult

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// Re-reads the configuration, as SIGHUP does.
    public struct DaemonReload: APIMethod, Sendable {
        public static let name = "daemon.reload"
        public typealias Result = APINoResult

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// Starts events.notify for the topics; replays held events after since.
    public struct EventsSubscribe: APIMethod, Sendable {
        public static let name = "events.subscribe"
        public typealias Result = API.Subscribed
        /// Topics to receive.
        public var topics: [API.EventTopic]
        /// Replay the held events with a greater seq.
        public var since: Int?

        public init(topics: [API.EventTopic], since: Int? = nil) {
            self.topics = topics
            self.since = since
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["topics"] = self.topics.json
            if let value = self.since { params["since"] = value.json }
            return params
        }
    }
}

extension API {
    /// Ends a subscription of this connection.
    public struct EventsUnsubscribe: APIMethod, Sendable {
        public static let name = "events.unsubscribe"
        public typealias Result = APINoResult
        /// Id from events.subscribe.
        public var subscription: Int

        public init(subscription: Int) {
            self.subscription = subscription
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["subscription"] = self.subscription.json
            return params
        }
    }
}

extension API {
    /// Waits for the next event of the topics after since (a blocking call).
    public struct EventsWait: APIMethod, Sendable {
        public static let name = "events.wait"
        public typealias Result = API.EventRecord
        /// Topics to wait for.
        public var topics: [API.EventTopic]
        /// Only events with a greater seq count.
        public var since: Int?
        /// -1 or absent: wait forever.
        public var timeoutMs: Int?

        public init(topics: [API.EventTopic], since: Int? = nil, timeoutMs: Int? = nil) {
            self.topics = topics
            self.since = since
            self.timeoutMs = timeoutMs
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["topics"] = self.topics.json
            if let value = self.since { params["since"] = value.json }
            if let value = self.timeoutMs { params["timeout_ms"] = value.json }
            return params
        }
    }
}

extension API {
    /// Publishes an event, for testing clients and scripted notices.
    public struct EventsPublish: APIMethod, Sendable {
        public static let name = "events.publish"
        public typealias Result = API.Published
        /// Topic of the event.
        public var topic: API.EventTopic
        /// Event name.
        public var event: String
        /// Event data.
        public var data: JSONObject?

        public init(topic: API.EventTopic, event: String, data: JSONObject? = nil) {
            self.topic = topic
            self.event = event
            self.data = data
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["topic"] = self.topic.json
            params["event"] = self.event.json
            if let value = self.data { params["data"] = value.json }
            return params
        }
    }
}

extension API {
    /// Every interface with its type, stack and status.
    public struct InterfaceList: APIMethod, Sendable {
        public static let name = "interface.list"
        public typealias Result = [API.InterfaceSummary]

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// One interface in detail: status, MAC, addresses, gateway, DNS servers.
    public struct InterfaceStatus: APIMethod, Sendable {
        public static let name = "interface.status"
        public typealias Result = API.InterfaceDetails
        /// Interface name; the default interface when absent.
        public var interface: String?

        public init(interface: String? = nil) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            if let value = self.interface { params["interface"] = value.json }
            return params
        }
    }
}

extension API {
    /// Brings the interface up and, when blocking, waits for an address.
    public struct InterfaceConnect: APIMethod, Sendable {
        public static let name = "interface.connect"
        public typealias Result = API.StatusResult
        /// Interface name.
        public var interface: String
        /// Wait for an address (default true).
        public var blocking: Bool?
        /// Wi-Fi: the network, as Mbed's connect(ssid, pass, security, channel); replaces set_credentials'.
        public var ssid: String?
        /// Wi-Fi: the passphrase (a secret).
        public var pass: String?
        /// Wi-Fi: nsapi_security_t name (default none).
        public var security: API.SecurityType?
        /// Wi-Fi: the channel (0: any).
        public var channel: Int?

        public init(interface: String, blocking: Bool? = nil, ssid: String? = nil, pass: String? = nil, security: API.SecurityType? = nil, channel: Int? = nil) {
            self.interface = interface
            self.blocking = blocking
            self.ssid = ssid
            self.pass = pass
            self.security = security
            self.channel = channel
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            if let value = self.blocking { params["blocking"] = value.json }
            if let value = self.ssid { params["ssid"] = value.json }
            if let value = self.pass { params["pass"] = value.json }
            if let value = self.security { params["security"] = value.json }
            if let value = self.channel { params["channel"] = value.json }
            return params
        }
    }
}

extension API {
    /// Takes the interface down (NSAPI_ERROR_NO_CONNECTION when already down).
    public struct InterfaceDisconnect: APIMethod, Sendable {
        public static let name = "interface.disconnect"
        public typealias Result = API.StatusResult
        /// Interface name.
        public var interface: String

        public init(interface: String) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            return params
        }
    }
}

extension API {
    /// A static address, netmask and gateway; applied now when up, else on connect.
    public struct InterfaceSetNetwork: APIMethod, Sendable {
        public static let name = "interface.set_network"
        public typealias Result = APINoResult
        /// Interface name.
        public var interface: String
        /// IPv4 or IPv6 address.
        public var address: String
        /// Netmask or prefix length.
        public var netmask: String
        /// Gateway address, or empty.
        public var gateway: String

        public init(interface: String, address: String, netmask: String, gateway: String) {
            self.interface = interface
            self.address = address
            self.netmask = netmask
            self.gateway = gateway
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["address"] = self.address.json
            params["netmask"] = self.netmask.json
            params["gateway"] = self.gateway.json
            return params
        }
    }
}

extension API {
    /// Whether addresses come from DHCP; false keeps the static network.
    public struct InterfaceSetDHCP: APIMethod, Sendable {
        public static let name = "interface.set_dhcp"
        public typealias Result = APINoResult
        /// Interface name.
        public var interface: String
        public var enabled: Bool

        public init(interface: String, enabled: Bool) {
            self.interface = interface
            self.enabled = enabled
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["enabled"] = self.enabled.json
            return params
        }
    }
}

extension API {
    /// Makes the interface the default for sockets and DNS.
    public struct InterfaceSetDefault: APIMethod, Sendable {
        public static let name = "interface.set_default"
        public typealias Result = APINoResult
        /// Interface name.
        public var interface: String

        public init(interface: String) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            return params
        }
    }
}

extension API {
    /// Opens a TCP, UDP, ICMP or TLS socket on an interface's stack (the default interface if none).
    public struct SocketOpen: APIMethod, Sendable {
        public static let name = "socket.open"
        public typealias Result = API.SocketRef
        /// Socket type; icmp is Mbed's ICMPSocket: echo requests out with sendto, echo replies in with recvfrom, as ICMP messages (the stack sets the identifier and checksum); tls is Mbed's TLSSocket: TCP with Mbed TLS on top, connect doing the handshake (set its trust anchors with socket.set_root_ca_cert first).
        public var `protocol`: API.SocketProtocol
        /// Interface name; the default interface when absent.
        public var interface: String?
        /// A closed socket object to reopen.
        public var socket: Int?

        public init(`protocol`: API.SocketProtocol, interface: String? = nil, socket: Int? = nil) {
            self.`protocol` = `protocol`
            self.interface = interface
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["protocol"] = self.`protocol`.json
            if let value = self.interface { params["interface"] = value.json }
            if let value = self.socket { params["socket"] = value.json }
            return params
        }
    }
}

extension API {
    /// Closes a socket; blocked calls on it end with NSAPI_ERROR_NO_SOCKET.
    public struct SocketClose: APIMethod, Sendable {
        public static let name = "socket.close"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int

        public init(socket: Int) {
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            return params
        }
    }
}

extension API {
    /// Binds a local address and port.
    public struct SocketBind: APIMethod, Sendable {
        public static let name = "socket.bind"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Local IP address; any address when absent.
        public var address: String?
        /// Port number.
        public var port: Int

        public init(socket: Int, address: String? = nil, port: Int) {
            self.socket = socket
            self.address = address
            self.port = port
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            if let value = self.address { params["address"] = value.json }
            params["port"] = self.port.json
            return params
        }
    }
}

extension API {
    /// Marks a TCP socket as passive (UDP: NSAPI_ERROR_UNSUPPORTED).
    public struct SocketListen: APIMethod, Sendable {
        public static let name = "socket.listen"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Pending connections, default 1.
        public var backlog: Int?

        public init(socket: Int, backlog: Int? = nil) {
            self.socket = socket
            self.backlog = backlog
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            if let value = self.backlog { params["backlog"] = value.json }
            return params
        }
    }
}

extension API {
    /// Accepts a connection: a new blocking socket, deleted by its close (blocking call).
    public struct SocketAccept: APIMethod, Sendable {
        public static let name = "socket.accept"
        public typealias Result = API.AcceptedSocket
        /// Socket id from socket.open or socket.accept.
        public var socket: Int

        public init(socket: Int) {
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            return params
        }
    }
}

extension API {
    /// TCP: connects (blocking call). UDP: sets the peer filter, always OK.
    public struct SocketConnect: APIMethod, Sendable {
        public static let name = "socket.connect"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// IP address or host name (over 255 octets: NSAPI_ERROR_PARAMETER).
        public var address: String
        /// Port number.
        public var port: Int

        public init(socket: Int, address: String, port: Int) {
            self.socket = socket
            self.address = address
            self.port = port
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["address"] = self.address.json
            params["port"] = self.port.json
            return params
        }
    }
}

extension API {
    /// Sends on a connected socket (blocking call; TCP writes everything unless nonblocking or timed out).
    public struct SocketSend: APIMethod, Sendable {
        public static let name = "socket.send"
        public typealias Result = API.SentBytes
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Payload as base64 (RFC 4648, padded).
        public var data: String?
        /// Payload as UTF-8 text, instead of data.
        public var text: String?

        public init(socket: Int, data: String? = nil, text: String? = nil) {
            self.socket = socket
            self.data = data
            self.text = text
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            if let value = self.data { params["data"] = value.json }
            if let value = self.text { params["text"] = value.json }
            return params
        }
    }
}

extension API {
    /// Receives up to size bytes (blocking call); size 0 means the peer closed (TCP).
    public struct SocketRecv: APIMethod, Sendable {
        public static let name = "socket.recv"
        public typealias Result = API.ReceivedBytes
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Most bytes to receive.
        public var size: Int
        /// base64 (default), text or hex; text that is not UTF-8 comes back as base64, and the reply says so.
        public var encoding: API.ByteEncoding?

        public init(socket: Int, size: Int, encoding: API.ByteEncoding? = nil) {
            self.socket = socket
            self.size = size
            self.encoding = encoding
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["size"] = self.size.json
            if let value = self.encoding { params["encoding"] = value.json }
            return params
        }
    }
}

extension API {
    /// Sends one datagram to an address (TCP ignores the address, as Mbed does).
    public struct SocketSendTo: APIMethod, Sendable {
        public static let name = "socket.sendto"
        public typealias Result = API.SentBytes
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Destination IP address.
        public var address: String
        /// Port number.
        public var port: Int
        /// Payload as base64 (RFC 4648, padded).
        public var data: String?
        /// Payload as UTF-8 text, instead of data.
        public var text: String?

        public init(socket: Int, address: String, port: Int, data: String? = nil, text: String? = nil) {
            self.socket = socket
            self.address = address
            self.port = port
            self.data = data
            self.text = text
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["address"] = self.address.json
            params["port"] = self.port.json
            if let value = self.data { params["data"] = value.json }
            if let value = self.text { params["text"] = value.json }
            return params
        }
    }
}

extension API {
    /// Receives one datagram and its source (blocking call); with a peer set, other sources are dropped.
    public struct SocketRecvFrom: APIMethod, Sendable {
        public static let name = "socket.recvfrom"
        public typealias Result = API.ReceivedDatagram
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// Most bytes to receive.
        public var size: Int
        /// base64 (default), text or hex; text that is not UTF-8 comes back as base64, and the reply says so.
        public var encoding: API.ByteEncoding?

        public init(socket: Int, size: Int, encoding: API.ByteEncoding? = nil) {
            self.socket = socket
            self.size = size
            self.encoding = encoding
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["size"] = self.size.json
            if let value = self.encoding { params["encoding"] = value.json }
            return params
        }
    }
}

extension API {
    /// POSIX half-close of a TCP connection (beyond Mbed).
    public struct SocketShutdown: APIMethod, Sendable {
        public static let name = "socket.shutdown"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// read, write or both.
        public var how: API.ShutdownDirection

        public init(socket: Int, how: API.ShutdownDirection) {
            self.socket = socket
            self.how = how
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["how"] = self.how.json
            return params
        }
    }
}

extension API {
    /// Hands over, with the reply, a descriptor that carries the socket's payload from now on (stream mode only).
    public struct SocketAttach: APIMethod, Sendable {
        public static let name = "socket.attach"
        public typealias Result = API.AttachedDescriptor
        /// Socket id from socket.open or socket.accept.
        public var socket: Int

        public init(socket: Int) {
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            return params
        }
    }
}

extension API {
    /// Trust anchors for a TLS socket: PEM certificates, or "system" for the host's store (/etc/ssl/certs).
    public struct SocketSetRootCACert: APIMethod, Sendable {
        public static let name = "socket.set_root_ca_cert"
        public typealias Result = APINoResult
        /// Socket id from socket.open.
        public var socket: Int
        /// One or more PEM certificates, or "system".
        public var pem: String

        public init(socket: Int, pem: String) {
            self.socket = socket
            self.pem = pem
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["pem"] = self.pem.json
            return params
        }
    }
}

extension API {
    /// The certificate and private key a TLS socket shows a server that asks for one.
    public struct SocketSetClientCertKey: APIMethod, Sendable {
        public static let name = "socket.set_client_cert_key"
        public typealias Result = APINoResult
        /// Socket id from socket.open.
        public var socket: Int
        /// The client certificate (and chain), PEM.
        public var cert: String
        /// Its private key, PEM (unencrypted).
        public var key: String

        public init(socket: Int, cert: String, key: String) {
            self.socket = socket
            self.cert = cert
            self.key = key
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["cert"] = self.cert.json
            params["key"] = self.key.json
            return params
        }
    }
}

extension API {
    /// The server name a TLS socket sends (SNI) and checks the certificate against.
    public struct SocketSetHostname: APIMethod, Sendable {
        public static let name = "socket.set_hostname"
        public typealias Result = APINoResult
        /// Socket id from socket.open.
        public var socket: Int
        /// The server's DNS name.
        public var hostname: String

        public init(socket: Int, hostname: String) {
            self.socket = socket
            self.hostname = hostname
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["hostname"] = self.hostname.json
            return params
        }
    }
}

extension API {
    /// false: every call returns at once; true: calls wait (no timeout).
    public struct SocketSetBlocking: APIMethod, Sendable {
        public static let name = "socket.set_blocking"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        public var blocking: Bool

        public init(socket: Int, blocking: Bool) {
            self.socket = socket
            self.blocking = blocking
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["blocking"] = self.blocking.json
            return params
        }
    }
}

extension API {
    /// Idle time between events before a waiting call gives NSAPI_ERROR_WOULD_BLOCK.
    public struct SocketSetTimeout: APIMethod, Sendable {
        public static let name = "socket.set_timeout"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        /// -1: forever; 0: nonblocking.
        public var timeoutMs: Int

        public init(socket: Int, timeoutMs: Int) {
            self.socket = socket
            self.timeoutMs = timeoutMs
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["timeout_ms"] = self.timeoutMs.json
            return params
        }
    }
}

extension API {
    /// Sets an option; NSAPI_ERROR_UNSUPPORTED where the stack has no equivalent.
    public struct SocketSetOption: APIMethod, Sendable {
        public static let name = "socket.setsockopt"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        public var option: API.SocketOption
        public var value: JSONValue

        public init(socket: Int, option: API.SocketOption, value: JSONValue) {
            self.socket = socket
            self.option = option
            self.value = value
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["option"] = self.option.json
            params["value"] = self.value.json
            return params
        }
    }
}

extension API {
    /// Reads an option back, where the stack can.
    public struct SocketGetOption: APIMethod, Sendable {
        public static let name = "socket.getsockopt"
        public typealias Result = API.OptionValue
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        public var option: API.SocketOption

        public init(socket: Int, option: API.SocketOption) {
            self.socket = socket
            self.option = option
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["option"] = self.option.json
            return params
        }
    }
}

extension API {
    /// The connected peer (NSAPI_ERROR_NO_CONNECTION without one).
    public struct SocketPeerName: APIMethod, Sendable {
        public static let name = "socket.getpeername"
        public typealias Result = API.Endpoint
        /// Socket id from socket.open or socket.accept.
        public var socket: Int

        public init(socket: Int) {
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            return params
        }
    }
}

extension API {
    /// The local address and port.
    public struct SocketLocalName: APIMethod, Sendable {
        public static let name = "socket.getsockname"
        public typealias Result = API.Endpoint
        /// Socket id from socket.open or socket.accept.
        public var socket: Int

        public init(socket: Int) {
            self.socket = socket
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            return params
        }
    }
}

extension API {
    /// Turns socket.sigio notifications on or off (Mbed's sigio callback, coalesced).
    public struct SocketSigio: APIMethod, Sendable {
        public static let name = "socket.sigio"
        public typealias Result = APINoResult
        /// Socket id from socket.open or socket.accept.
        public var socket: Int
        public var enabled: Bool

        public init(socket: Int, enabled: Bool) {
            self.socket = socket
            self.enabled = enabled
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["socket"] = self.socket.json
            params["enabled"] = self.enabled.json
            return params
        }
    }
}

extension API {
    /// This connection's socket objects, open and closed; with all, every client's (admin).
    public struct SocketList: APIMethod, Sendable {
        public static let name = "socket.list"
        public typealias Result = [API.SocketRow]
        /// Every client's sockets, with client, pid and uid (needs the admin role).
        public var all: Bool?

        public init(all: Bool? = nil) {
            self.all = all
        }

        public var params: JSONObject {
            var params = JSONObject()
            if let value = self.all { params["all"] = value.json }
            return params
        }
    }
}

extension API {
    /// Resolves a host name (blocking call); IP literals are answered locally.
    public struct DNSGetHostByName: APIMethod, Sendable {
        public static let name = "dns.gethostbyname"
        public typealias Result = API.Answer
        /// Host name or IP literal (1 to 255 octets; otherwise NSAPI_ERROR_PARAMETER).
        public var name: String
        /// ipv4, ipv6 or any (default).
        public var version: API.IPVersion?
        /// Interface whose stack and servers to use; the default when absent.
        public var interface: String?

        public init(name: String, version: API.IPVersion? = nil, interface: String? = nil) {
            self.name = name
            self.version = version
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["name"] = self.name.json
            if let value = self.version { params["version"] = value.json }
            if let value = self.interface { params["interface"] = value.json }
            return params
        }
    }
}

extension API {
    /// Starts a resolution; the answer comes as a dns.result notification.
    public struct DNSGetHostByNameAsync: APIMethod, Sendable {
        public static let name = "dns.gethostbyname_async"
        public typealias Result = API.AsyncAnswer
        /// Host name or IP literal (1 to 255 octets; otherwise NSAPI_ERROR_PARAMETER).
        public var name: String
        /// ipv4, ipv6 or any (default).
        public var version: API.IPVersion?
        /// Interface whose stack and servers to use; the default when absent.
        public var interface: String?

        public init(name: String, version: API.IPVersion? = nil, interface: String? = nil) {
            self.name = name
            self.version = version
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["name"] = self.name.json
            if let value = self.version { params["version"] = value.json }
            if let value = self.interface { params["interface"] = value.json }
            return params
        }
    }
}

extension API {
    /// Cancels an asynchronous query: no dns.result follows.
    public struct DNSCancel: APIMethod, Sendable {
        public static let name = "dns.cancel"
        public typealias Result = APINoResult
        /// Id from dns.gethostbyname_async.
        public var request: Int

        public init(request: Int) {
            self.request = request
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["request"] = self.request.json
            return params
        }
    }
}

extension API {
    /// Adds a server in front of the list (for one interface, or all).
    public struct DNSAddServer: APIMethod, Sendable {
        public static let name = "dns.add_server"
        public typealias Result = APINoResult
        /// IP address with optional port: 192.0.2.53, [2001:db8::53]:53.
        public var address: String
        /// Only for this interface.
        public var interface: String?

        public init(address: String, interface: String? = nil) {
            self.address = address
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["address"] = self.address.json
            if let value = self.interface { params["interface"] = value.json }
            return params
        }
    }
}

extension API {
    /// The servers queried for an interface, in order.
    public struct DNSServers: APIMethod, Sendable {
        public static let name = "dns.servers"
        public typealias Result = [String]
        /// Interface; the default when absent.
        public var interface: String?

        public init(interface: String? = nil) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            if let value = self.interface { params["interface"] = value.json }
            return params
        }
    }
}

extension API {
    /// Clears the cache and every query in flight (Mbed's nsapi_dns_reset).
    public struct DNSReset: APIMethod, Sendable {
        public static let name = "dns.reset"
        public typealias Result = APINoResult

        public init() {
        }

        public var params: JSONObject {
            JSONObject()
        }
    }
}

extension API {
    /// The SIM's PIN, entered at the next connect when the SIM asks for it.
    public struct CellularSetSIMPin: APIMethod, Sendable {
        public static let name = "cellular.set_sim_pin"
        public typealias Result = APINoResult
        /// A cellular interface.
        public var interface: String
        /// 4 to 8 digits.
        public var pin: String

        public init(interface: String, pin: String) {
            self.interface = interface
            self.pin = pin
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["pin"] = self.pin.json
            return params
        }
    }
}

extension API {
    /// The APN and, where the operator wants them, the user name and password (PAP/CHAP via +CGAUTH), for the next connect.
    public struct CellularSetCredentials: APIMethod, Sendable {
        public static let name = "cellular.set_credentials"
        public typealias Result = APINoResult
        /// A cellular interface.
        public var interface: String
        /// The access point name.
        public var apn: String
        /// User name, if the APN wants one.
        public var username: String?
        /// Password, with username.
        public var password: String?

        public init(interface: String, apn: String, username: String? = nil, password: String? = nil) {
            self.interface = interface
            self.apn = apn
            self.username = username
            self.password = password
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["apn"] = self.apn.json
            if let value = self.username { params["username"] = value.json }
            if let value = self.password { params["password"] = value.json }
            return params
        }
    }
}

extension API {
    /// The modem's IMEI, operator, registration, signal (dBm) and state machine state.
    public struct CellularInfo: APIMethod, Sendable {
        public static let name = "cellular.info"
        public typealias Result = API.CellularDetails
        /// A cellular interface.
        public var interface: String

        public init(interface: String) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            return params
        }
    }
}

extension API {
    /// Sends one raw AT command to the modem and returns its reply, for an administrator whose modem misbehaves.
    public struct CellularAT: APIMethod, Sendable {
        public static let name = "cellular.at"
        public typealias Result = API.ATAnswer
        /// A cellular interface.
        public var interface: String
        /// The command, starting with AT (no CR).
        public var command: String
        /// How long to wait for the final result (default 10000).
        public var timeoutMs: Int?

        public init(interface: String, command: String, timeoutMs: Int? = nil) {
            self.interface = interface
            self.command = command
            self.timeoutMs = timeoutMs
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["command"] = self.command.json
            if let value = self.timeoutMs { params["timeout_ms"] = value.json }
            return params
        }
    }
}

extension API {
    /// Scans for access points (blocking), through wpa_supplicant.
    public struct WiFiScan: APIMethod, Sendable {
        public static let name = "wifi.scan"
        public typealias Result = [API.AccessPoint]
        /// A Wi-Fi interface.
        public var interface: String
        /// At most this many (0: all).
        public var count: Int?

        public init(interface: String, count: Int? = nil) {
            self.interface = interface
            self.count = count
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            if let value = self.count { params["count"] = value.json }
            return params
        }
    }
}

extension API {
    /// The SSID, passphrase and security the next connect uses (Mbed's set_credentials).
    public struct WiFiSetCredentials: APIMethod, Sendable {
        public static let name = "wifi.set_credentials"
        public typealias Result = APINoResult
        /// A Wi-Fi interface.
        public var interface: String
        /// The network's name.
        public var ssid: String
        /// The passphrase (absent or empty for an open network).
        public var pass: String?
        /// Mbed's nsapi_security_t name (default none).
        public var security: API.SecurityType?

        public init(interface: String, ssid: String, pass: String? = nil, security: API.SecurityType? = nil) {
            self.interface = interface
            self.ssid = ssid
            self.pass = pass
            self.security = security
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["ssid"] = self.ssid.json
            if let value = self.pass { params["pass"] = value.json }
            if let value = self.security { params["security"] = value.json }
            return params
        }
    }
}

extension API {
    /// The channel the next connect keeps to (0: any), as wpa_supplicant's freq_list.
    public struct WiFiSetChannel: APIMethod, Sendable {
        public static let name = "wifi.set_channel"
        public typealias Result = APINoResult
        /// A Wi-Fi interface.
        public var interface: String
        /// The channel, 0 for any.
        public var channel: Int

        public init(interface: String, channel: Int) {
            self.interface = interface
            self.channel = channel
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            params["channel"] = self.channel.json
            return params
        }
    }
}

extension API {
    /// The signal of the current link in dBm (SIGNAL_POLL), 0 when not connected.
    public struct WiFiRSSI: APIMethod, Sendable {
        public static let name = "wifi.rssi"
        public typealias Result = API.RSSIResult
        /// A Wi-Fi interface.
        public var interface: String

        public init(interface: String) {
            self.interface = interface
        }

        public var params: JSONObject {
            var params = JSONObject()
            params["interface"] = self.interface.json
            return params
        }
    }
}

extension API {
    /// An event on a subscribed topic.
    public struct EventNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "events.notify"
        /// Id from events.subscribe.
        public var subscription: Int
        /// Daemon-wide increasing sequence number.
        public var seq: Int
        /// RFC 3339 UTC time.
        public var time: String
        public var topic: API.EventTopic
        /// Event name, e.g. status_changed.
        public var event: String
        /// Event details.
        public var data: JSONObject

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.subscription = try Int(result: object["subscription"] ?? .null, path: path + ".subscription")
            self.seq = try Int(result: object["seq"] ?? .null, path: path + ".seq")
            self.time = try String(result: object["time"] ?? .null, path: path + ".time")
            self.topic = try API.EventTopic(result: object["topic"] ?? .null, path: path + ".topic")
            self.event = try String(result: object["event"] ?? .null, path: path + ".event")
            self.data = try JSONObject(result: object["data"] ?? .null, path: path + ".data")
        }
    }
}

extension API {
    /// Events of a subscription were dropped because the client read too slowly.
    public struct EventsLostNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "events.lost"
        public var subscription: Int
        /// First dropped seq.
        public var fromSeq: Int
        /// Last dropped seq.
        public var toSeq: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.subscription = try Int(result: object["subscription"] ?? .null, path: path + ".subscription")
            self.fromSeq = try Int(result: object["from_seq"] ?? .null, path: path + ".from_seq")
            self.toSeq = try Int(result: object["to_seq"] ?? .null, path: path + ".to_seq")
        }
    }
}

extension API {
    /// The daemon is about to exit gracefully.
    public struct StoppingNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "daemon.stopping"

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            _ = object
        }
    }
}

extension API {
    /// Something changed on a socket with sigio enabled (coalesced until the next I/O call).
    public struct SigioNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "socket.sigio"
        public var socket: Int

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
        }
    }
}

extension API {
    /// The stage a long request (interface.connect) has reached.
    public struct ProgressNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "progress"
        /// The id of the request.
        public var request: JSONValue
        /// Stage name.
        public var stage: String

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.request = try JSONValue(result: object["request"] ?? .null, path: path + ".request")
            self.stage = try String(result: object["stage"] ?? .null, path: path + ".stage")
        }
    }
}

extension API {
    /// The answer to dns.gethostbyname_async.
    public struct DNSResultNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "dns.result"
        public var request: Int
        public var address: String?
        public var addresses: [String]?
        /// NSAPI error on failure.
        public var error: API.NSAPIFailure?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.request = try Int(result: object["request"] ?? .null, path: path + ".request")
            self.address = try Optional<String>(result: object["address"] ?? .null, path: path + ".address")
            self.addresses = try Optional<[String]>(result: object["addresses"] ?? .null, path: path + ".addresses")
            self.error = try Optional<API.NSAPIFailure>(result: object["error"] ?? .null, path: path + ".error")
        }
    }
}

extension API {
    /// An attached socket's descriptor was closed: the payload finished, the client closed its end, or the socket failed.
    public struct DetachedNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "socket.detached"
        /// Socket id.
        public var socket: Int
        /// finished (both directions ended in order), client_closed (the client closed its descriptor first; an unfinished TCP stream is reset), failed (the socket failed: a reset, say) or socket_closed (socket.close).
        public var reason: String
        /// The NSAPI error, when the socket failed.
        public var error: API.NSAPIFailure?

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
            self.reason = try String(result: object["reason"] ?? .null, path: path + ".reason")
            self.error = try Optional<API.NSAPIFailure>(result: object["error"] ?? .null, path: path + ".error")
        }
    }
}

extension API {
    /// A datagram written to an attached descriptor could not be sent and was dropped.
    public struct DatagramRefusedNotification: APIResult, Sendable, Equatable, APINotification {
        public static let method = "socket.datagram_refused"
        /// Socket id.
        public var socket: Int
        /// The NSAPI error.
        public var error: API.NSAPIFailure
        /// What was wrong, for a person.
        public var detail: String

        public init(result json: JSONValue, path: String) throws(RPCError) {
            guard case .object(let object) = json else { throw .invalidParams(param: path, "\(path) must be an object") }
            self.socket = try Int(result: object["socket"] ?? .null, path: path + ".socket")
            self.error = try API.NSAPIFailure(result: object["error"] ?? .null, path: path + ".error")
            self.detail = try String(result: object["detail"] ?? .null, path: path + ".detail")
        }
    }
}
