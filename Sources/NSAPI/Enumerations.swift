/// Mbed's `nsapi_version_t`, named as API.md's `version` parameter.
public enum IPVersion: Int32, Sendable, APINamed {
    case unspecified = 0
    case ipv4 = 1
    case ipv6 = 2

    /// `any`, `ipv4` or `ipv6`.
    public var apiName: String {
        switch self {
        case .unspecified: "any"
        case .ipv4: "ipv4"
        case .ipv6: "ipv6"
        }
    }
}

/// Mbed's `nsapi_protocol_t`, plus the cellular non-IP socket.
public enum SocketProtocol: Int32, Sendable, APINamed {
    case tcp = 0
    case udp = 1
    case icmp = 2
    /// `CellularNonIPSocket` (NIDD); not an `nsapi_protocol_t` value in Mbed.
    case nonIP = 0x100
    /// Mbed's `TLSSocket`: TCP with Mbed TLS on top; not an `nsapi_protocol_t` value.
    case tls = 0x101

    public var apiName: String {
        switch self {
        case .tcp: "tcp"
        case .udp: "udp"
        case .icmp: "icmp"
        case .nonIP: "nonip"
        case .tls: "tls"
        }
    }

    /// Sockets that move whole messages to and from an address (`sendto`/`recvfrom`):
    /// UDP and ICMP, Mbed's InternetDatagramSocket.
    public var isDatagram: Bool { self == .udp || self == .icmp }
    /// A byte stream: TCP, or TLS over it.
    public var isStream: Bool { self == .tcp || self == .tls }
}

/// Mbed's `nsapi_socket_option_t`; raw values are the enumerator order of `nsapi_types.h`.
public enum SocketOption: Int32, Sendable, APINamed {
    case reuseAddress = 0
    case keepAlive = 1
    case keepIdle = 2
    case keepInterval = 3
    case linger = 4
    case sendBuffer = 5
    case receiveBuffer = 6
    case addMembership = 7
    case dropMembership = 8
    case bindToDevice = 9
    case latency = 10
    case stagger = 11
    case ipTOS = 12
    case broadcast = 13
    case packetInfo = 14

    /// The name API.md uses for the `option` parameter.
    public var apiName: String {
        switch self {
        case .reuseAddress: "reuseaddr"
        case .keepAlive: "keepalive"
        case .keepIdle: "keepidle"
        case .keepInterval: "keepintvl"
        case .linger: "linger"
        case .sendBuffer: "sndbuf"
        case .receiveBuffer: "rcvbuf"
        case .addMembership: "add_membership"
        case .dropMembership: "drop_membership"
        case .bindToDevice: "bind_to_device"
        case .latency: "latency"
        case .stagger: "stagger"
        case .ipTOS: "iptos"
        case .broadcast: "broadcast"
        case .packetInfo: "pktinfo"
        }
    }
}

/// Mbed's `nsapi_security_t` for Wi-Fi and cellular authentication.
public enum SecurityType: UInt8, Sendable, APINamed {
    case none = 0x0
    case wep = 0x1
    case wpa = 0x2
    case wpa2 = 0x3
    case wpaWPA2 = 0x4
    case pap = 0x5
    case chap = 0x6
    case eapTLS = 0x7
    case peap = 0x8
    case wpa2Enterprise = 0x9
    case wpa3 = 0xA
    case wpa3WPA2 = 0xB
    case unknown = 0xFF

    public var apiName: String {
        switch self {
        case .none: "none"
        case .wep: "wep"
        case .wpa: "wpa"
        case .wpa2: "wpa2"
        case .wpaWPA2: "wpa_wpa2"
        case .pap: "pap"
        case .chap: "chap"
        case .eapTLS: "eap_tls"
        case .peap: "peap"
        case .wpa2Enterprise: "wpa2_ent"
        case .wpa3: "wpa3"
        case .wpa3WPA2: "wpa3_wpa2"
        case .unknown: "unknown"
        }
    }
}

/// Interface technologies of API.md's `interface.list`.
public enum InterfaceType: String, Sendable, CaseIterable {
    case ethernet
    case wifi
    case cellular
    case mesh
    case loopback
}
