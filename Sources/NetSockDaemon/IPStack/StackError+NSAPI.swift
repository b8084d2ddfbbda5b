import NSAPI
import NetSockStack

/// The one table from the `ip` stack's errors to NSAPI codes. It follows the kernel
/// stack's table (lwIP's codes where Linux differs), so a program sees the same code
/// for the same mistake whichever stack serves the interface.
extension StackError {
    var nsapiError: NSAPIError {
        switch self {
        // lwIP's ERR_USE and ERR_VAL on bind both reach Mbed as PARAMETER.
        case .addressInUse, .addressNotAvailable, .invalidArgument, .messageTooLong: .parameter
        // Data calls must not wait for an event that never comes: these are final.
        case .notConfigured, .noRoute: .noConnection
        case .noBufferSpace, .noPortsLeft: .noMemory
        case .closed: .noSocket
        case .wouldBlock: .wouldBlock
        case .inProgress: .inProgress
        case .already: .already
        case .isConnected: .isConnected
        // Reset, refused and never connected are lwIP's ERR_RST/ERR_CLSD/ERR_CONN.
        case .notConnected, .connectionRefused, .connectionReset, .timedOut: .noConnection
        }
    }

    /// `connect`'s codes, where lwIP decides as on the kernel stack: a timeout or no
    /// route is WOULD_BLOCK (its ERR_TIMEOUT/ERR_RTE), the socket layer's final answer.
    var nsapiConnectError: NSAPIError {
        switch self {
        case .timedOut, .noRoute: .wouldBlock
        default: self.nsapiError
        }
    }
}
