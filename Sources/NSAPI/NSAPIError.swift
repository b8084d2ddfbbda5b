/// An Mbed OS `nsapi_error_t`: a negative code in -3001...-3020.
///
/// A struct rather than an enum so that a code this build does not know (from a
/// newer daemon, say) still round-trips; the known codes are static members.
/// Values and names are Mbed's (`connectivity/netsocket/include/netsocket/nsapi_types.h`).
public struct NSAPIError: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int32

    public init(rawValue: Int32) { self.rawValue = rawValue }

    /// No data available but the call is nonblocking; **also what every timeout returns**.
    public static let wouldBlock = NSAPIError(rawValue: -3001)
    public static let unsupported = NSAPIError(rawValue: -3002)
    /// Invalid configuration; Mbed also uses it for "port in use", "not local" and "opened twice".
    public static let parameter = NSAPIError(rawValue: -3003)
    /// Not connected to a network; also TCP reset/refused and "disconnect while down".
    public static let noConnection = NSAPIError(rawValue: -3004)
    /// Socket not available: unknown, closed, foreign, or the pool is exhausted.
    public static let noSocket = NSAPIError(rawValue: -3005)
    /// IP address not known, such as a UDP `send` without a peer.
    public static let noAddress = NSAPIError(rawValue: -3006)
    public static let noMemory = NSAPIError(rawValue: -3007)
    public static let noSSID = NSAPIError(rawValue: -3008)
    public static let dnsFailure = NSAPIError(rawValue: -3009)
    public static let dhcpFailure = NSAPIError(rawValue: -3010)
    public static let authFailure = NSAPIError(rawValue: -3011)
    public static let deviceError = NSAPIError(rawValue: -3012)
    public static let inProgress = NSAPIError(rawValue: -3013)
    public static let already = NSAPIError(rawValue: -3014)
    public static let isConnected = NSAPIError(rawValue: -3015)
    public static let connectionLost = NSAPIError(rawValue: -3016)
    public static let connectionTimeout = NSAPIError(rawValue: -3017)
    public static let addressInUse = NSAPIError(rawValue: -3018)
    /// Only asynchronous DNS reports this; sockets report timeouts as ``wouldBlock``.
    public static let timeout = NSAPIError(rawValue: -3019)
    public static let busy = NSAPIError(rawValue: -3020)

    /// Every code Mbed defines, in numeric order.
    public static let allKnown: [NSAPIError] = (1...20).map { NSAPIError(rawValue: -3000 - Int32($0)) }

    private static let names: [String] = [
        "NSAPI_ERROR_WOULD_BLOCK", "NSAPI_ERROR_UNSUPPORTED", "NSAPI_ERROR_PARAMETER",
        "NSAPI_ERROR_NO_CONNECTION", "NSAPI_ERROR_NO_SOCKET", "NSAPI_ERROR_NO_ADDRESS",
        "NSAPI_ERROR_NO_MEMORY", "NSAPI_ERROR_NO_SSID", "NSAPI_ERROR_DNS_FAILURE",
        "NSAPI_ERROR_DHCP_FAILURE", "NSAPI_ERROR_AUTH_FAILURE", "NSAPI_ERROR_DEVICE_ERROR",
        "NSAPI_ERROR_IN_PROGRESS", "NSAPI_ERROR_ALREADY", "NSAPI_ERROR_IS_CONNECTED",
        "NSAPI_ERROR_CONNECTION_LOST", "NSAPI_ERROR_CONNECTION_TIMEOUT", "NSAPI_ERROR_ADDRESS_IN_USE",
        "NSAPI_ERROR_TIMEOUT", "NSAPI_ERROR_BUSY",
    ]

    private static let meanings: [String] = [
        "no data is available and the call is nonblocking or timed out",
        "the operation is not supported",
        "a parameter is invalid",
        "not connected to a network",
        "the socket is not available",
        "the IP address is not known",
        "memory resource is not available",
        "the SSID was not found",
        "DNS failed to complete successfully",
        "DHCP failed to complete successfully",
        "authentication failed",
        "failure interfacing with the network processor",
        "the operation is in progress",
        "the operation is already in progress",
        "the socket is already connected",
        "the connection was lost",
        "the connection timed out",
        "the address is already in use",
        "the operation timed out",
        "the device is busy",
    ]

    private var index: Int? {
        let index = Int(-3001 - self.rawValue)
        return (0..<Self.names.count).contains(index) ? index : nil
    }

    /// Mbed's constant name, such as `NSAPI_ERROR_WOULD_BLOCK`; `NSAPI_ERROR_<code>` if unknown.
    public var name: String {
        guard let index else { return "NSAPI_ERROR_\(self.rawValue)" }
        return Self.names[index]
    }

    /// A short sentence for people, used when an error carries no better detail.
    public var meaning: String {
        guard let index else { return "unknown NSAPI error \(self.rawValue)" }
        return Self.meanings[index]
    }

    /// Looks a code up by its Mbed name; accepts the name with or without the `NSAPI_ERROR_` prefix.
    public init?(name: String) {
        let upper = name.uppercased()
        let full = upper.hasPrefix("NSAPI_ERROR_") ? upper : "NSAPI_ERROR_" + upper
        guard let index = Self.names.firstIndex(of: full) else { return nil }
        self.init(rawValue: -3001 - Int32(index))
    }

    public var description: String { "\(self.name) (\(self.rawValue))" }
}

/// An error that knows which NSAPI code it is reported as.
///
/// Each operation error type of a stack or driver conforms with one exhaustive
/// switch, so adding a case makes the compiler ask how it maps.
public protocol NSAPIErrorConvertible: Error {
    var nsapiError: NSAPIError { get }
}

extension NSAPIError: NSAPIErrorConvertible {
    public var nsapiError: NSAPIError { self }
}
