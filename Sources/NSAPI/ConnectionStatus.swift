/// Mbed's `nsapi_connection_status_t`: where an interface is on its way up.
///
/// The raw values are Mbed's; the API names are the lower-case words of API.md.
public enum ConnectionStatus: Int32, Sendable, APINamed, CustomStringConvertible {
    /// A local (link-local or private) address is set.
    case localUp = 0
    /// A global address is set.
    case globalUp = 1
    case disconnected = 2
    case connecting = 3
    /// The interface cannot report a status (`NSAPI_STATUS_ERROR_UNSUPPORTED`).
    case errorUnsupported = -3002

    /// The name used on the wire: `disconnected`, `connecting`, `local_up`, `global_up`, `unsupported`.
    public var apiName: String {
        switch self {
        case .localUp: "local_up"
        case .globalUp: "global_up"
        case .disconnected: "disconnected"
        case .connecting: "connecting"
        case .errorUnsupported: "unsupported"
        }
    }

    /// True for `local_up` and `global_up`.
    public var isUp: Bool { self == .localUp || self == .globalUp }

    public var description: String { self.apiName }
}
