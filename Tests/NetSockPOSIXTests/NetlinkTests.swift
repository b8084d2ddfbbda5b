import NSAPI
import NetSockPOSIX
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Builds rtnetlink messages byte by byte, as the kernel sends them (host order, 4-byte aligned).
enum NetlinkBytes {
    static func u16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    static func u32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
    static func attribute(_ type: UInt16, _ value: [UInt8]) -> [UInt8] {
        var bytes = u16(UInt16(4 + value.count)) + u16(type) + value
        while bytes.count % 4 != 0 { bytes.append(0) }
        return bytes
    }
    static func message(_ type: UInt16, sequence: UInt32 = 0, _ body: [UInt8]) -> [UInt8] {
        u32(UInt32(16 + body.count)) + u16(type) + u16(0) + u32(sequence) + u32(0) + body
    }
    static func link(index: Int32, name: String, flags: UInt32) -> [UInt8] {
        message(16, [0, 0] + u16(1) + u32(UInt32(bitPattern: index)) + u32(flags) + u32(0)
            + attribute(3, Array(name.utf8) + [0]) + attribute(1, [2, 0, 0, 0, 0, 1]) + attribute(4, u32(1500)))
    }
    static func address(_ type: UInt16 = 20, index: Int32, family: UInt8, prefix: UInt8, scope: UInt8, _ address: [UInt8]) -> [UInt8] {
        message(type, [family, prefix, 0, scope] + u32(UInt32(bitPattern: index)) + attribute(2, address))
    }
}

@Suite struct NetlinkTests {
    @Test func parsesLinksAddressesRoutesAcksAndDone() {
        let route = NetlinkBytes.message(24, [2, 0, 0, 0, 254, 4, 0, 1] + NetlinkBytes.u32(0)
            + NetlinkBytes.attribute(5, [198, 51, 100, 254]) + NetlinkBytes.attribute(4, NetlinkBytes.u32(7)))
        let stream = NetlinkBytes.link(index: 7, name: "veth0", flags: 0x10043)
            + NetlinkBytes.address(index: 7, family: 2, prefix: 24, scope: 0, [198, 51, 100, 1])
            + NetlinkBytes.address(index: 7, family: 10, prefix: 64, scope: 253, IPv6Address(parsing: "fe80::1")!.bytes)
            + route + NetlinkBytes.message(2, sequence: 9, NetlinkBytes.u32(UInt32(bitPattern: -1)))
            + NetlinkBytes.message(3, sequence: 9, NetlinkBytes.u32(0))
        let messages = Netlink.parse(stream)
        #expect(messages.count == 6)
        guard case .newLink(let link) = messages[0] else {
            Issue.record("expected a link")
            return
        }
        #expect(link.name == "veth0" && link.index == 7 && link.isUp && link.hasCarrier && link.mtu == 1500)
        #expect(link.hardwareAddress == [2, 0, 0, 0, 0, 1])
        #expect(messages[1] == .newAddress(.init(index: 7, address: IPAddress(parsing: "198.51.100.1")!, prefixLength: 24, scope: 0)))
        if case .newAddress(let v6) = messages[2] { #expect(v6.isLinkLocal) } else { Issue.record("expected an address") }
        if case .newRoute(let parsed) = messages[3] {
            #expect(parsed.isDefault && parsed.gateway == IPAddress(parsing: "198.51.100.254") && parsed.outputIndex == 7)
        } else {
            Issue.record("expected a route")
        }
        #expect(messages[4] == .error(code: -1, sequence: 9))
        #expect(messages[5] == .done(sequence: 9))
    }

    @Test func truncatedAndHostileInputYieldsFewerMessagesNeverATrap() {
        let good = NetlinkBytes.link(index: 1, name: "lo", flags: 0x49)
        for length in 0..<good.count {
            let messages = Netlink.parse(Array(good.prefix(length)))
            #expect(messages.isEmpty, "length \(length)")
        }
        // A length field shorter than the header, and one longer than the buffer.
        #expect(Netlink.parse(NetlinkBytes.u32(4) + [UInt8](repeating: 0, count: 12)).isEmpty)
        #expect(Netlink.parse(NetlinkBytes.u32(1000) + [UInt8](repeating: 0, count: 12)).isEmpty)
        // An attribute whose length overruns its message is ignored, the message kept.
        var bad = NetlinkBytes.message(16, [0, 0, 1, 0] + NetlinkBytes.u32(3) + NetlinkBytes.u32(1) + NetlinkBytes.u32(0) + NetlinkBytes.u16(200) + NetlinkBytes.u16(3))
        bad += [1, 2, 3]
        #expect(Netlink.parse(bad).count <= 1)
        // An address of the wrong size for its family.
        #expect(Netlink.parse(NetlinkBytes.address(index: 1, family: 2, prefix: 8, scope: 0, [1, 2, 3])) == [.ignored])
        var state: UInt32 = 7
        for _ in 0..<2000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(state % 97) {
                state = state &* 1_103_515_245 &+ 12345
                bytes.append(UInt8(truncatingIfNeeded: state >> 16))
            }
            _ = Netlink.parse(bytes)
        }
    }

    @Test func requestsHaveTheKernelLayout() {
        let up = Netlink.setLink(index: 5, up: true, sequence: 3)
        #expect(up.count == 32)
        #expect(Array(up[4..<6]) == [16, 0], "RTM_NEWLINK")
        #expect(Array(up[6..<8]) == [5, 0], "REQUEST | ACK")
        #expect(Array(up[20..<24]) == [5, 0, 0, 0], "ifi_index")
        #expect(Array(up[24..<28]) == [1, 0, 0, 0] && Array(up[28..<32]) == [1, 0, 0, 0], "flags and change: IFF_UP")
        let route = Netlink.defaultRoute(add: true, index: 5, gateway: IPAddress(parsing: "198.51.100.254")!, sequence: 4)
        #expect(Netlink.parse(route).count == 1)
        #expect(route.count % 4 == 0)
        let address = Netlink.address(add: true, index: 5, address: IPAddress(parsing: "198.51.100.1")!, prefixLength: 24, sequence: 5)
        #expect(address[16] == 2 && address[17] == 24)
        #expect(Netlink.defaultRouteMetric(index: 5) == 1029)
    }
}

@Suite struct KernelErrnoTests {
    @Test func lwIPMappingWhereLinuxDiffers() {
        #expect(KernelErrno.nsapiError(EADDRINUSE) == .parameter, "Mbed's tests want PARAMETER for a port in use")
        #expect(KernelErrno.nsapiError(EADDRNOTAVAIL) == .parameter)
        #expect(KernelErrno.nsapiError(ECONNREFUSED) == .noConnection)
        #expect(KernelErrno.nsapiError(ECONNRESET) == .noConnection)
        #expect(KernelErrno.nsapiError(EAGAIN) == .wouldBlock)
        #expect(KernelErrno.nsapiError(EINPROGRESS) == .inProgress)
        #expect(KernelErrno.nsapiError(EALREADY) == .already)
        #expect(KernelErrno.nsapiError(EISCONN) == .isConnected)
        #expect(KernelErrno.nsapiError(EMFILE) == .noSocket)
        #expect(KernelErrno.nsapiError(ENOPROTOOPT) == .unsupported)
        #expect(KernelErrno.nsapiError(EIO) == .deviceError)
        // No event follows these on a data call, so they must be final there; connect follows lwIP.
        #expect(KernelErrno.nsapiError(ETIMEDOUT) == .noConnection)
        #expect(KernelErrno.nsapiError(EHOSTUNREACH) == .noConnection)
        #expect(KernelErrno.connectError(ETIMEDOUT) == .wouldBlock)
        #expect(KernelErrno.connectError(ENETUNREACH) == .wouldBlock)
        #expect(KernelErrno.connectError(ECONNREFUSED) == .noConnection)
    }
}
