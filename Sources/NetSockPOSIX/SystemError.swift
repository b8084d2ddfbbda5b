#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CNetSockLinux

/// A failed system call: which call, and the `errno` it left.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var call: String
    public var errno: Int32

    public init(_ call: String, errno: Int32) {
        self.call = call
        self.errno = errno
    }

    /// Captures the current `errno` after `call` failed.
    public static func last(_ call: String) -> SystemError { SystemError(call, errno: Glibc.errno) }

    public var description: String { "\(self.call): \(String(cString: strerror(self.errno)))" }
}

/// Retries a system call interrupted by a signal.
@inline(__always)
func retryingOnInterrupt<T: BinaryInteger>(_ body: () -> T) -> T {
    while true {
        let result = body()
        if result == -1 && errno == EINTR { continue }
        return result
    }
}
