#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import NSAPI

/// Conversions between ``SocketAddress`` and the kernel's `sockaddr` forms.
///
/// The kernel stack uses dual-stack IPv6 sockets, so an IPv4 address travels as
/// `::ffff:a.b.c.d` and comes back as plain IPv4.
enum KernelAddress {
    /// Fills a `sockaddr_storage` for a socket of `family`; `nil` when the address does not fit it.
    static func storage(_ address: SocketAddress, family: Int32) -> (sockaddr_storage, socklen_t)? {
        var storage = sockaddr_storage()
        if family == AF_INET6 {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            sin6.sin6_port = address.port.bigEndian
            let bytes: [UInt8]
            switch address.address {
            case .v4(let v4)?: bytes = IPv6Address(high: 0, low: 0xFFFF_0000_0000 | UInt64(v4.value)).bytes
            case .v6(let v6)?: bytes = v6.bytes
            case nil: bytes = IPv6Address.any.bytes
            }
            withUnsafeMutableBytes(of: &sin6.sin6_addr) { $0.copyBytes(from: bytes) }
            withUnsafeMutableBytes(of: &storage) { raw in
                withUnsafeBytes(of: sin6) { raw.copyMemory(from: $0) }
            }
            return (storage, socklen_t(MemoryLayout<sockaddr_in6>.size))
        }
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = address.port.bigEndian
        switch address.address {
        case .v4(let v4)?: sin.sin_addr.s_addr = v4.value.bigEndian
        case nil: sin.sin_addr.s_addr = 0
        case .v6(let v6)?:
            guard let mapped = v6.mappedIPv4 else { return nil }
            sin.sin_addr.s_addr = mapped.value.bigEndian
        }
        withUnsafeMutableBytes(of: &storage) { raw in
            withUnsafeBytes(of: sin) { raw.copyMemory(from: $0) }
        }
        return (storage, socklen_t(MemoryLayout<sockaddr_in>.size))
    }

    /// Reads a kernel address; IPv4-mapped IPv6 becomes IPv4.
    static func socketAddress(_ storage: sockaddr_storage) -> SocketAddress {
        var storage = storage
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                let sin = raw.load(as: sockaddr_in.self)
                return SocketAddress(.v4(IPv4Address(UInt32(bigEndian: sin.sin_addr.s_addr))), port: UInt16(bigEndian: sin.sin_port))
            }
        case AF_INET6:
            // Read in place, without an intermediate array: this runs once per datagram
            // on an attached socket.
            return withUnsafeBytes(of: &storage) { raw in
                let sin6 = raw.load(as: sockaddr_in6.self)
                let (high, low) = withUnsafeBytes(of: sin6.sin6_addr) { bytes in
                    (UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                     UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
                }
                let port = UInt16(bigEndian: sin6.sin6_port)
                if high == 0 && low >> 32 == 0xFFFF { return SocketAddress(.v4(IPv4Address(UInt32(truncatingIfNeeded: low))), port: port) }
                return SocketAddress(.v6(IPv6Address(high: high, low: low)), port: port)
            }
        default:
            return SocketAddress()
        }
    }
}
