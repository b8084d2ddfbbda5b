/// An IPv4 or IPv6 address: the `nsapi_addr_t` of Mbed without its UNSPEC case,
/// which ``SocketAddress`` represents as a `nil` address instead.
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4(IPv4Address)
    case v6(IPv6Address)

    /// Parses an IPv4 literal, then an IPv6 literal, as Mbed's `SocketAddress::set_ip_address`
    /// does. Host names are never resolved here.
    public init?(parsing text: some StringProtocol) {
        if let v4 = IPv4Address(parsing: text) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(parsing: text) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    /// Four or sixteen network-order bytes.
    public init?(bytes: some Collection<UInt8>) {
        if let v4 = IPv4Address(bytes: bytes) {
            self = .v4(v4)
        } else if let v6 = IPv6Address(bytes: bytes) {
            self = .v6(v6)
        } else {
            return nil
        }
    }

    public var version: IPVersion {
        switch self {
        case .v4: .ipv4
        case .v6: .ipv6
        }
    }

    public var bytes: [UInt8] {
        switch self {
        case .v4(let address): address.bytes
        case .v6(let address): address.bytes
        }
    }

    /// All-zero bytes: `0.0.0.0` or `::`.
    public var isUnspecified: Bool {
        switch self {
        case .v4(let address): address.isUnspecified
        case .v6(let address): address.isUnspecified
        }
    }

    public var isMulticast: Bool {
        switch self {
        case .v4(let address): address.isMulticast
        case .v6(let address): address.isMulticast
        }
    }

    public var isLoopback: Bool {
        switch self {
        case .v4(let address): address.isLoopback
        case .v6(let address): address.isLoopback
        }
    }

    public var description: String {
        switch self {
        case .v4(let address): address.description
        case .v6(let address): address.description
        }
    }
}
