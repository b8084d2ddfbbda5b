#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NSAPI

/// The one table from kernel `errno` values to NSAPI codes.
///
/// Mbed's tests were written against lwIP, so lwIP's mapping decides where Linux
/// differs: a port in use or a non-local address is `PARAMETER` (not
/// `ADDRESS_IN_USE`), reset and refused are `NO_CONNECTION`, and connect timeouts
/// and missing routes are `WOULD_BLOCK` for connect (lwIP's `ERR_TIMEOUT`/`ERR_RTE`)
/// but `NO_CONNECTION` for data calls, which must not wait for an event that never comes.
public enum KernelErrno {
    public static func nsapiError(_ code: Int32) -> NSAPIError {
        switch code {
        case EAGAIN, EWOULDBLOCK, EINTR: .wouldBlock
        case EINPROGRESS: .inProgress
        case EALREADY: .already
        case EISCONN: .isConnected
        case ECONNREFUSED, ECONNRESET, ECONNABORTED, EPIPE, ENOTCONN, ENETDOWN, ENETRESET, EHOSTDOWN: .noConnection
        // Final for data calls: with edge-triggered readiness no event follows them.
        case ETIMEDOUT, ENETUNREACH, EHOSTUNREACH: .noConnection
        case EADDRINUSE, EADDRNOTAVAIL, EINVAL, EAFNOSUPPORT, EDESTADDRREQ, EMSGSIZE, EACCES, EPERM, EFAULT, ENODEV, ENAMETOOLONG:
            .parameter
        case ENOBUFS, ENOMEM: .noMemory
        case EMFILE, ENFILE, EBADF, ENOTSOCK: .noSocket
        case ENOPROTOOPT, EOPNOTSUPP, EPROTONOSUPPORT, ESOCKTNOSUPPORT: .unsupported
        default: .deviceError
        }
    }

    /// The current `errno` as an NSAPI code.
    static var last: NSAPIError { self.nsapiError(errno) }

    /// `connect(2)`'s errors, where lwIP decides: a timeout or no route is `WOULD_BLOCK`
    /// (its `ERR_TIMEOUT`/`ERR_RTE`), which the socket layer returns as the final result.
    public static func connectError(_ code: Int32) -> NSAPIError {
        switch code {
        case ETIMEDOUT, ENETUNREACH, EHOSTUNREACH: .wouldBlock
        default: self.nsapiError(code)
        }
    }
}
