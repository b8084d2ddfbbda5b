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
        }
    }
}
