#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
public import NSAPI

/// Socket options of API.md mapped to the kernel's; `UNSUPPORTED` where Linux has no
/// equivalent (latency, stagger, pktinfo) or where lwIP refuses (keep-alive on UDP,
/// broadcast on TCP). Times are milliseconds as in Mbed; the kernel's keep-alive
/// timers take whole seconds, so they round up.
extension KernelStack {
    public func setOption(_ handle: SocketHandle, _ option: SocketOption, _ value: SocketOptionValue) throws(NSAPIError) {
        let (fd, proto, family) = try self.describe(handle)
        func integer() throws(NSAPIError) -> Int64 {
            guard case .integer(let number) = value else { throw .parameter }
            return number
        }
        func set(_ level: Int32, _ name: Int32, _ number: Int64) throws(NSAPIError) {
            var int = Int32(clamping: number)
            guard setsockopt(fd, level, name, &int, socklen_t(MemoryLayout<Int32>.size)) == 0 else { throw KernelErrno.last }
        }
        switch option {
        case .reuseAddress: try set(SOL_SOCKET, SO_REUSEADDR, integer() != 0 ? 1 : 0)
        case .keepAlive:
            guard proto == .tcp else { throw .unsupported }
            try set(SOL_SOCKET, SO_KEEPALIVE, integer() != 0 ? 1 : 0)
        case .keepIdle, .keepInterval:
            guard proto == .tcp else { throw .unsupported }
            let milliseconds = try integer()
            guard milliseconds > 0 else { throw .parameter }
            try set(Int32(IPPROTO_TCP), option == .keepIdle ? TCP_KEEPIDLE : TCP_KEEPINTVL, (milliseconds + 999) / 1000)
        case .linger:
            let milliseconds = try integer()
            var linger = Glibc.linger(l_onoff: milliseconds >= 0 ? 1 : 0, l_linger: Int32(clamping: max(0, (milliseconds + 999) / 1000)))
            guard setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size)) == 0 else {
                throw KernelErrno.last
            }
        case .sendBuffer: try set(SOL_SOCKET, SO_SNDBUF, integer())
        case .receiveBuffer: try set(SOL_SOCKET, SO_RCVBUF, integer())
        case .broadcast:
            guard proto == .udp else { throw .unsupported }
            try set(SOL_SOCKET, SO_BROADCAST, integer() != 0 ? 1 : 0)
        case .ipTOS:
            let tos = try integer()
            guard (0...255).contains(tos) else { throw .parameter }
            try set(Int32(IPPROTO_IP), IP_TOS, tos)
            if family == AF_INET6 { try? set(Int32(IPPROTO_IPV6), IPV6_TCLASS, tos) }
        case .bindToDevice:
            guard case .text(let device) = value, device.utf8.count < 16 else { throw .parameter }
            let result = device.withCString { setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(device.utf8.count)) }
            guard result == 0 else { throw KernelErrno.last }
        case .addMembership, .dropMembership:
            guard proto == .udp else { throw .unsupported }
            guard case .membership(let group, let interface) = value, group.isMulticast else { throw .parameter }
            try self.membership(fd, join: option == .addMembership, group: group, interface: interface)
        case .latency, .stagger, .packetInfo:
            throw .unsupported
        }
    }

    private func membership(_ fd: Int32, join: Bool, group: IPAddress, interface: IPAddress?) throws(NSAPIError) {
        switch group {
        case .v4(let address):
            var request = ip_mreq()
            request.imr_multiaddr.s_addr = address.value.bigEndian
            if case .v4(let local)? = interface { request.imr_interface.s_addr = local.value.bigEndian }
            let name = join ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP
            guard setsockopt(fd, Int32(IPPROTO_IP), name, &request, socklen_t(MemoryLayout<ip_mreq>.size)) == 0 else {
                // Mbed (lwIP): joining twice is ADDRESS_IN_USE, leaving a group not joined is NO_ADDRESS.
                if errno == EADDRINUSE { throw .addressInUse }
                if errno == EADDRNOTAVAIL && !join { throw .noAddress }
                throw KernelErrno.last
            }
        case .v6(let address):
            var request = ipv6_mreq()
            withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { $0.copyBytes(from: address.bytes) }
            let name = join ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP
            guard setsockopt(fd, Int32(IPPROTO_IPV6), name, &request, socklen_t(MemoryLayout<ipv6_mreq>.size)) == 0 else {
                if errno == EADDRINUSE { throw .addressInUse }
                if errno == EADDRNOTAVAIL && !join { throw .noAddress }
                throw KernelErrno.last
            }
        }
    }

    public func getOption(_ handle: SocketHandle, _ option: SocketOption) throws(NSAPIError) -> SocketOptionValue {
        let (fd, proto, _) = try self.describe(handle)
        func get(_ level: Int32, _ name: Int32) throws(NSAPIError) -> Int64 {
            var int: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, level, name, &int, &length) == 0 else { throw KernelErrno.last }
            return Int64(int)
        }
        switch option {
        case .reuseAddress: return .integer(try get(SOL_SOCKET, SO_REUSEADDR))
        case .keepAlive:
            guard proto == .tcp else { throw .unsupported }
            return .integer(try get(SOL_SOCKET, SO_KEEPALIVE))
        case .keepIdle:
            guard proto == .tcp else { throw .unsupported }
            return .integer(try get(Int32(IPPROTO_TCP), TCP_KEEPIDLE) * 1000)
        case .keepInterval:
            guard proto == .tcp else { throw .unsupported }
            return .integer(try get(Int32(IPPROTO_TCP), TCP_KEEPINTVL) * 1000)
        case .linger:
            var linger = Glibc.linger()
            var length = socklen_t(MemoryLayout<Glibc.linger>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, &length) == 0 else { throw KernelErrno.last }
            return .integer(linger.l_onoff == 0 ? -1 : Int64(linger.l_linger) * 1000)
        case .sendBuffer: return .integer(try get(SOL_SOCKET, SO_SNDBUF))
        case .receiveBuffer: return .integer(try get(SOL_SOCKET, SO_RCVBUF))
        case .broadcast:
            guard proto == .udp else { throw .unsupported }
            return .integer(try get(SOL_SOCKET, SO_BROADCAST))
        case .ipTOS: return .integer(try get(Int32(IPPROTO_IP), IP_TOS))
        case .bindToDevice:
            var name = [CChar](repeating: 0, count: 32)
            var length = socklen_t(name.count)
            guard getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, &name, &length) == 0 else { throw KernelErrno.last }
            return .text(String(cString: name))
        case .addMembership, .dropMembership, .latency, .stagger, .packetInfo:
            throw .unsupported
        }
    }

    private func describe(_ handle: SocketHandle) throws(NSAPIError) -> (Int32, SocketProtocol, Int32) {
        let fd = Int32(truncatingIfNeeded: handle)
        guard let proto = self.protocolOf(fd), let family = self.familyOf(fd) else { throw .noSocket }
        return (fd, proto, family)
    }
}
