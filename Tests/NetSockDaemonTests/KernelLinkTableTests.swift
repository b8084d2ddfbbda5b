import NSAPI
@testable import NetSockDaemon
import NetSockPOSIX
import Testing

@Suite struct KernelLinkTableTests {
    func link(_ flags: UInt32) -> Netlink.Message {
        .newLink(.init(index: 3, name: "eth9", flags: flags, hardwareAddress: nil, mtu: 1500))
    }

    func address(_ text: String, scope: UInt8 = 0) -> Netlink.Address {
        .init(index: 3, address: IPAddress(parsing: text)!, prefixLength: 24, scope: scope)
    }

    @Test func statusFollowsLinkCarrierAndAddresses() {
        var table = KernelLinkTable()
        #expect(table.status(device: "eth9") == .disconnected, "absent")
        table.apply(self.link(0x0))
        #expect(table.status(device: "eth9") == .disconnected, "down")
        table.apply(self.link(0x1))
        #expect(table.status(device: "eth9") == .connecting, "up, no carrier")
        table.apply(self.link(0x10001))
        #expect(table.status(device: "eth9") == .connecting, "carrier, no address")
        table.apply(.newAddress(self.address("fe80::1", scope: 253)))
        #expect(table.status(device: "eth9") == .localUp)
        table.apply(.newAddress(self.address("198.51.100.1")))
        #expect(table.status(device: "eth9") == .globalUp)
        table.apply(.deleteAddress(self.address("198.51.100.1")))
        #expect(table.status(device: "eth9") == .localUp)
        table.apply(.deleteLink(index: 3))
        #expect(table.status(device: "eth9") == .disconnected)
    }

    @Test func loopbackNeedsNoCarrierAndIsGlobal() {
        var table = KernelLinkTable()
        table.apply(.newLink(.init(index: 1, name: "lo", flags: 0x9, hardwareAddress: nil, mtu: 65536)))
        table.apply(.newAddress(.init(index: 1, address: IPAddress(parsing: "127.0.0.1")!, prefixLength: 8, scope: 254)))
        #expect(table.status(device: "lo") == .globalUp)
    }

    @Test func defaultGatewayPerLink() {
        var table = KernelLinkTable()
        table.apply(self.link(0x10001))
        table.apply(.newRoute(.init(family: 2, destinationLength: 0, table: 254, gateway: IPAddress(parsing: "198.51.100.254"), outputIndex: 3)))
        table.apply(.newRoute(.init(family: 2, destinationLength: 24, table: 254, gateway: nil, outputIndex: 3)))
        let link = table.link(named: "eth9")!
        #expect(table.gateway(of: link, version: .ipv4) == IPAddress(parsing: "198.51.100.254"))
        #expect(table.gateway(of: link, version: .ipv6) == nil)
    }
}

@Suite struct DNSCacheTests {
    let a = [IPAddress(parsing: "192.0.2.1")!]

    @Test func ttlIsRespectedAndZeroIsNotCached() {
        var cache = DNSCache(capacity: 4)
        cache.store("k", self.a, ttlSeconds: 0, now: 0)
        #expect(cache.lookup("k", now: 0) == nil)
        cache.store("k", self.a, ttlSeconds: 2, now: 1000)
        #expect(cache.lookup("k", now: 2999) == self.a)
        #expect(cache.lookup("k", now: 3000) == nil, "expired")
        #expect(cache.count == 0)
    }

    @Test func leastRecentlyUsedGoesFirst() {
        var cache = DNSCache(capacity: 2)
        cache.store("a", self.a, ttlSeconds: 60, now: 0)
        cache.store("b", self.a, ttlSeconds: 60, now: 0)
        _ = cache.lookup("a", now: 1)
        cache.store("c", self.a, ttlSeconds: 60, now: 2)
        #expect(cache.lookup("b", now: 3) == nil)
        #expect(cache.lookup("a", now: 3) == self.a)
        #expect(cache.lookup("c", now: 3) == self.a)
        var off = DNSCache(capacity: 0)
        off.store("a", self.a, ttlSeconds: 60, now: 0)
        #expect(off.lookup("a", now: 0) == nil)
    }

    @Test func resolvConfNameserversOnly() {
        let text = "# comment\nsearch example.com\nnameserver 192.0.2.53\nnameserver   2001:db8::53\nnameserver fe80::1%eth0\nnameserver\noptions ndots:2\n"
        #expect(ResolvConf.servers(text).map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53"])
        #expect(ResolvConf.servers("").isEmpty)
    }
}
