/// An IP address and port with Mbed's `SocketAddress` rules.
///
/// The address may be absent (Mbed's `NSAPI_UNSPEC`). Mbed's quirks are kept on
/// purpose (`connectivity/netsocket/source/SocketAddress.cpp`): an address is
/// "false" when it is absent or all zero bytes, and two false addresses are equal
/// whatever their ports.
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress?
    public var port: UInt16

    public init(_ address: IPAddress? = nil, port: UInt16 = 0) {
        self.address = address
        self.port = port
    }

    /// Parses an IP literal (never a host name); `nil` when `text` is not one, where
    /// Mbed's `set_ip_address` would leave the null address and return false.
    public init?(parsing text: some StringProtocol, port: UInt16 = 0) {
        guard let address = IPAddress(parsing: text) else { return nil }
        self.init(address, port: port)
    }

    /// Parses an endpoint such as `192.0.2.1:53`, `[2001:db8::1]:53`, `192.0.2.1` or
    /// `2001:db8::1`; `defaultPort` applies when the text names none. Port 0 and ports
    /// above 65535 are refused.
    public init?(parsingEndpoint text: some StringProtocol, defaultPort: UInt16) {
        let text = String(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            let host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard case .v6 = IPAddress(parsing: host), let address = IPAddress(parsing: host) else { return nil }
            if rest.isEmpty {
                self.init(address, port: defaultPort)
                return
            }
            guard rest.first == ":", let port = Self.parsePort(rest.dropFirst()) else { return nil }
            self.init(address, port: port)
        } else if let address = IPAddress(parsing: text) {
            self.init(address, port: defaultPort)
        } else if let colon = text.lastIndex(of: ":"), case .v4 = IPAddress(parsing: text[..<colon]),
            let address = IPAddress(parsing: text[..<colon]),
            let port = Self.parsePort(text[text.index(after: colon)...])
        {
            self.init(address, port: port)
        } else {
            return nil
        }
    }

    private static func parsePort(_ text: Substring) -> UInt16? {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy({ $0.isASCII && $0.isNumber }),
            let value = Int(text), (1...65535).contains(value)
        else { return nil }
        return UInt16(value)
    }

    /// The inverse of ``init(parsingEndpoint:defaultPort:)``: the address alone when the
    /// port is `defaultPort`, else `192.0.2.53:5353` or `[::1]:5353`.
    public func endpointText(defaultPort: UInt16) -> String {
        guard self.port != defaultPort else { return self.ipText ?? "" }
        return self.description
    }

    public var version: IPVersion { self.address?.version ?? .unspecified }

    /// Mbed's `operator bool`: a version is set and some address byte is non-zero.
    public var isTruthy: Bool {
        guard let address else { return false }
        return !address.isUnspecified
    }

    /// Mbed's `get_ip_address()`: the canonical text, or `nil` for the unspecified address.
    public var ipText: String? { self.address?.description }

    /// `192.0.2.1:80`, `[2001:db8::1]:80`, or `unspec:80`.
    public var description: String {
        switch self.address {
        case .v4(let address): "\(address):\(self.port)"
        case .v6(let address): "[\(address)]:\(self.port)"
        case nil: "unspec:\(self.port)"
        }
    }

    /// The same endpoint with an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`) as plain IPv4,
    /// the form a dual-stack socket reports its peers in.
    public var unmapped: SocketAddress {
        guard case .v6(let v6) = self.address, let v4 = v6.mappedIPv4 else { return self }
        return SocketAddress(.v4(v4), port: self.port)
    }

    /// Whether two addresses name the same endpoint, an IPv4-mapped address matching its IPv4 form.
    public func isSameEndpoint(as other: SocketAddress) -> Bool { self.unmapped == other.unmapped }

    public static func == (lhs: SocketAddress, rhs: SocketAddress) -> Bool {
        if !lhs.isTruthy && !rhs.isTruthy { return true }
        return lhs.address == rhs.address && lhs.port == rhs.port
    }

    public func hash(into hasher: inout Hasher) {
        // Consistent with ==: every false address hashes alike.
        guard self.isTruthy else {
            hasher.combine(0)
            return
        }
        hasher.combine(self.address)
        hasher.combine(self.port)
    }
}
