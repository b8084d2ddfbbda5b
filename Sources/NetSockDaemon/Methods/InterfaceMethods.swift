import NSAPI
import NetSockJSON
import NetSockRPC
import NetSockWire

/// `interface.*`: Mbed's NetworkInterface over JSON-RPC.
enum InterfaceMethods {
    static let all: [any DaemonMethod.Type] = [
        InterfaceList.self, InterfaceStatus.self, InterfaceConnect.self, InterfaceDisconnect.self, InterfaceSetNetwork.self,
        InterfaceSetDHCP.self, InterfaceSetDefault.self,
    ]

    /// The named interface (the default one when `name` is nil), or -32602 naming the param.
    static func interface(_ daemon: Daemon, _ name: String?) throws(RPCError) -> ManagedInterface {
        guard let interface = daemon.interfaces.interface(named: name) else {
            if let name { throw .invalidParams(param: "interface", "no interface named \(name)") }
            throw RPCError(.noConnection, detail: "no default interface is configured")
        }
        return interface
    }
}

extension DaemonConfiguration.Stack: APIEnumeration {
    public var apiName: String { self.rawValue }
    public static var typeName: String { "StackKind" }
}

/// One interface of interface.list.
struct InterfaceSummary: APIObject {
    var name: String
    var type: InterfaceType
    var stack: DaemonConfiguration.Stack
    var status: ConnectionStatus
    var isDefault: Bool

    init(_ interface: ManagedInterface, defaultName: String?) {
        self.name = interface.name
        self.type = interface.type
        self.stack = interface.stackKind
        self.status = interface.status
        self.isDefault = interface.name == defaultName
    }

    static let members: [APIMember<InterfaceSummary>] = [
        APIMember("name", \.name, "Interface name."), APIMember("type", \.type, "Interface type."),
        APIMember("stack", \.stack, "The stack serving it."), APIMember("status", \.status, "Connection status."),
        APIMember("default", \.isDefault, "Whether it is the default interface."),
    ]
}

struct InterfaceList: DaemonMethod {
    typealias Result = [InterfaceSummary]
    static let name = "interface.list"
    static let summary = "Every interface with its type, stack and status."
    static let tags = ["interface"]

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<[InterfaceSummary]> {
        let registry: InterfaceRegistry = daemon.interfaces
        return .result(registry.interfaces.map { InterfaceSummary($0, defaultName: registry.defaultName) })
    }
}

/// An interface's IPv4 configuration as the kernel holds it.
struct IPv4Settings: APIObject {
    var address: IPAddress
    var netmask: IPAddress
    var gateway: IPAddress?

    static let members: [APIMember<IPv4Settings>] = [
        APIMember("address", \.address, "IPv4 address."), APIMember("netmask", \.netmask, "Dotted netmask."),
        APIMember("gateway", \.gateway, "Default gateway, or null."),
    ]
}

/// One interface in detail.
struct InterfaceDetails: APIObject {
    var summary: InterfaceSummary
    var mac: String?
    var ipv4: IPv4Settings?
    var ipv6: [IPAddress]
    var dhcp: Bool
    var dns: [String]
    var device: String?
    var index: Int?
    var mtu: Int?
    var carrier: Bool?
    var link: IPLinkDetails?
    var cellular: CellularDetails?
    var wifi: WiFiDetails?

    init(_ interface: ManagedInterface, _ observed: InterfaceRegistry.Observed, defaultName: String?, dns: [String]) {
        self.summary = InterfaceSummary(interface, defaultName: defaultName)
        self.mac = observed.hardwareAddress.flatMap { MACAddress(bytes: $0) }?.description
        if let v4 = observed.ipv4 {
            let mask: UInt32 = v4.prefixLength == 0 ? 0 : ~UInt32(0) << (32 - UInt32(min(32, v4.prefixLength)))
            self.ipv4 = IPv4Settings(address: v4.address, netmask: .v4(IPv4Address(mask)), gateway: v4.gateway)
        }
        self.ipv6 = observed.ipv6
        self.dhcp = interface.dhcp
        self.dns = dns
        self.device = interface.device
        self.index = observed.link?.index
        self.mtu = observed.link?.mtu
        self.carrier = observed.link?.carrier
        self.link = observed.ipLink
        self.cellular = observed.cellular
        self.wifi = observed.wifi
    }

    static let members: [APIMember<InterfaceDetails>] = [
        APIMember("name", \.summary.name, "Interface name."), APIMember("type", \.summary.type, "Interface type."),
        APIMember("stack", \.summary.stack, "The stack serving it."), APIMember("status", \.summary.status, "Connection status."),
        APIMember("mac", \.mac, "aa:bb:cc:dd:ee:ff, or null."), APIMember("ipv4", \.ipv4, "{address, netmask, gateway}, or null."),
        APIMember("ipv6", \.ipv6, "IPv6 addresses."), APIMember("dhcp", \.dhcp, "Whether addresses come from DHCP."),
        APIMember("dns", \.dns, "DNS servers queried for it, in order."),
        APIMember("default", \.summary.isDefault, "Whether it is the default interface."),
        APIMember("device", omittedWhenNil: \.device, "The kernel or serial device."),
        APIMember("index", omittedWhenNil: \.index, "The kernel's interface index."),
        APIMember("mtu", omittedWhenNil: \.mtu, "The kernel link's MTU."),
        APIMember("carrier", omittedWhenNil: \.carrier, "Whether the kernel link has carrier."),
        APIMember("link", omittedWhenNil: \.link, "An ip interface's own link: device, MTU, and counters of frames, bytes and drops by reason."),
        APIMember("cellular", omittedWhenNil: \.cellular, "A cellular interface's modem: state, IMEI, operator, registration, signal (dBm), address."),
        APIMember("wifi", omittedWhenNil: \.wifi, "A Wi-Fi interface's station: state, ssid, bssid, security."),
    ]
}

struct InterfaceStatus: DaemonMethod {
    typealias Result = InterfaceDetails
    static let name = "interface.status"
    static let summary = "One interface in detail: status, MAC, addresses, gateway, DNS servers."
    static let tags = ["interface"]

    @Param("interface", .interfaceName, "Interface name; the default interface when absent.") var interface: String?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<InterfaceDetails> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        let dns = daemon.resolver.servers(for: interface.name).map(DNSMethods.text)
        return .result(
            InterfaceDetails(interface, daemon.interfaces.observe(interface), defaultName: daemon.interfaces.defaultName, dns: dns))
    }
}

/// An interface's connection status after a change.
struct StatusResult: APIObject {
    var status: ConnectionStatus
    static let members: [APIMember<StatusResult>] = [APIMember("status", \.status, "Connection status.")]
}

/// The stage a long request has reached, named by the request's id.
struct ProgressNotification: DaemonNotification {
    static let method = "progress"
    static let summary = "The stage a long request (interface.connect) has reached."
    var request: JSONValue
    var stage: String

    static let members: [APIMember<ProgressNotification>] = [
        APIMember("request", \.request, "The id of the request."), APIMember("stage", \.stage, "Stage name."),
    ]
}

struct InterfaceConnect: DaemonMethod {
    typealias Result = StatusResult
    static let name = "interface.connect"
    static let summary = "Brings the interface up and, when blocking, waits for an address."
    static let description = "Status events follow: connecting, (local_up), global_up. Up already: NSAPI_ERROR_IS_CONNECTED; connecting: NSAPI_ERROR_BUSY; no address in time: NSAPI_ERROR_NO_CONNECTION. blocking false returns at once with status connecting. While it works, progress {request, stage} notifications name the stage: link_up, static_network, waiting_for_address."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.isConnected, .busy, .noConnection, .deviceError, .unsupported]
    static let tags = ["interface", "blocking"]

    @Param("interface", .interfaceName, "Interface name.") var interface: String
    @Param("blocking", "Wait for an address (default true).") var blocking = true
    @Param("ssid", .string(maxLength: 64, format: nil), "Wi-Fi: the network, as Mbed's connect(ssid, pass, security, channel); replaces set_credentials'.") var ssid: String?
    @Param("pass", .string(maxLength: 128, format: nil), "Wi-Fi: the passphrase (a secret).") var pass: String?
    @Param("security", SecurityType.schema(of: WiFiMethods.securities), "Wi-Fi: nsapi_security_t name (default none).") var security: SecurityType?
    @Param("channel", .integer(minimum: 0, maximum: 255), "Wi-Fi: the channel (0: any).") var channel: Int?

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<StatusResult> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        if let ssid = call.params.ssid {
            guard let wifi = interface.wifi else { throw RPCError(.unsupported, detail: "ssid applies to Wi-Fi interfaces") }
            if interface.status.isUp { throw RPCError(.isConnected) }
            if interface.connectAttempt != nil { throw RPCError(.busy) }
            let params = call.params
            wifi.credentials = try nsapi { () throws(NSAPIError) in
                try WiFiMethods.credentials(ssid: ssid, pass: params.pass, security: params.security ?? .none, channel: params.channel ?? wifi.channel)
            }
        }
        let session = call.context
        let request = call.requestID ?? .null
        let progress = { (stage: String) in session.notifyUnconditionally(ProgressNotification(request: request, stage: stage)) }
        daemon.interfaces.connect(interface, blocking: call.params.blocking, progress: progress) { result in
            call.responder.complete(result) { StatusResult(status: $0) }
        }
        return .deferred
    }
}

struct InterfaceDisconnect: DaemonMethod {
    typealias Result = StatusResult
    static let name = "interface.disconnect"
    static let summary = "Takes the interface down (NSAPI_ERROR_NO_CONNECTION when already down)."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.noConnection, .deviceError, .unsupported]
    static let tags = ["interface"]

    @Param("interface", .interfaceName, "Interface name.") var interface: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<StatusResult> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        return .result(StatusResult(status: try nsapi { () throws(NSAPIError) in try daemon.interfaces.disconnect(interface) }))
    }
}

struct InterfaceSetNetwork: DaemonMethod {
    typealias Result = NoResult
    static let name = "interface.set_network"
    static let summary = "A static address, netmask and gateway; applied now when up, else on connect."
    static let description = "netmask is dotted (255.255.255.0) or a prefix length (24); gateway may be empty for none. Turns DHCP off."
    static let role = MethodRole.admin
    static let errors: [NSAPIError] = [.parameter, .deviceError, .unsupported]
    static let tags = ["interface"]

    @Param("interface", .interfaceName, "Interface name.") var interface: String
    @Param("address", "IPv4 or IPv6 address.") var address: String
    @Param("netmask", "Netmask or prefix length.") var netmask: String
    @Param("gateway", "Gateway address, or empty.") var gateway: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        let network = try call.params.staticNetwork()
        try nsapi { () throws(NSAPIError) in try daemon.interfaces.setNetwork(interface, network) }
        return .result(NoResult())
    }

    /// The network the params describe; -32602 naming the param that does not fit.
    func staticNetwork() throws(RPCError) -> ManagedInterface.StaticNetwork {
        guard let address = IPAddress(parsing: self.address), !address.isUnspecified, !address.isMulticast else {
            throw .invalidParams(param: "address", "address must be a unicast IPv4 or IPv6 address")
        }
        let bits = address.version == .ipv4 ? 32 : 128
        var prefix: Int
        if let number = Int(self.netmask), (0...bits).contains(number) {
            prefix = number
        } else if case .v4(let mask)? = IPAddress(parsing: self.netmask), address.version == .ipv4 {
            prefix = mask.value.nonzeroBitCount
            // A netmask is contiguous ones: 255.0.255.0 is no netmask.
            guard mask.value == (prefix == 0 ? 0 : ~UInt32(0) << (32 - UInt32(prefix))) else {
                throw .invalidParams(param: "netmask", "netmask must be contiguous, such as 255.255.255.0")
            }
        } else {
            throw .invalidParams(param: "netmask", "netmask must be dotted (255.255.255.0) or a prefix length")
        }
        var gateway: IPAddress?
        if !self.gateway.isEmpty {
            guard let parsed = IPAddress(parsing: self.gateway), parsed.version == address.version else {
                throw .invalidParams(param: "gateway", "gateway must be an address of the same family, or empty")
            }
            gateway = parsed.isUnspecified ? nil : parsed
        }
        return .init(address: address, prefixLength: prefix, gateway: gateway)
    }
}

struct InterfaceSetDHCP: DaemonMethod {
    typealias Result = NoResult
    static let name = "interface.set_dhcp"
    static let summary = "Whether addresses come from DHCP; false keeps the static network."
    static let description = "On the kernel stack DHCP belongs to the host's own client; true clears the static network netsockd would apply."
    static let role = MethodRole.admin
    static let tags = ["interface"]

    @Param("interface", .interfaceName, "Interface name.") var interface: String
    @Param("enabled", "") var enabled: Bool

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        interface.dhcp = call.params.enabled
        if interface.dhcp { interface.staticNetwork = nil }
        return .result(NoResult())
    }
}

struct InterfaceSetDefault: DaemonMethod {
    typealias Result = NoResult
    static let name = "interface.set_default"
    static let summary = "Makes the interface the default for sockets and DNS."
    static let role = MethodRole.admin
    static let tags = ["interface"]

    @Param("interface", .interfaceName, "Interface name.") var interface: String

    static func handle(_ call: Call<Self, Session>, _ daemon: Daemon) throws(RPCError) -> Outcome<NoResult> {
        let interface = try InterfaceMethods.interface(daemon, call.params.interface)
        daemon.interfaces.defaultName = interface.name
        daemon.events.publish(.defaultChanged(interface: interface.name))
        return .result(NoResult())
    }
}
