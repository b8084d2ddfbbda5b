#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

/// Regression tests for the interface calls against rtnetlink (issue "Hardening",
/// items 9 to 12): a veth pair with its far end in a namespace, as in the IF suite.
@Suite(.serialized) struct InterfaceRaceTests {
    static let name = "veth0"

    final class Fixture {
        let host: VethHost
        let daemon: DaemonLauncher
        let client: NSAPIClient
        init(host: VethHost, daemon: DaemonLauncher, client: NSAPIClient) {
            self.host = host
            self.daemon = daemon
            self.client = client
        }

        func call(_ method: String, _ params: JSONObject = [:]) -> Int {
            var params = params
            params["interface"] = .string(InterfaceRaceTests.name)
            return self.client.code(method, params)
        }

        func status() throws -> JSONValue {
            try self.client.rpc.call(API.InterfaceStatus.name, ["interface": .string(InterfaceRaceTests.name)])
        }

        func network(_ address: String, gateway: String) -> Int {
            self.call(API.InterfaceSetNetwork.name, ["address": .string(address), "netmask": "255.255.255.0", "gateway": .string(gateway)])
        }

        /// The kernel's own view of the device: its IPv4 addresses and default route.
        func kernel() throws -> (addresses: String, routes: String) {
            (try self.host.ip(["-4", "addr", "show", "dev", self.host.device]), try self.host.ip(["-4", "route", "show", "dev", self.host.device]))
        }

        /// Every status event of the interface up to a marker published now: what has
        /// happened so far, and nothing is still on its way.
        func statusEvents() throws -> [String] {
            let marker = "marker-\(UInt32.random(in: 0...UInt32.max))"
            _ = try self.client.rpc.call(API.EventsPublish.name, ["topic": "daemon", "event": .string(marker)])
            var seen: [String] = []
            while let note = try self.client.rpc.nextNotification(timeoutMilliseconds: 10_000) {
                if note.params["event"] == .string(marker) { break }
                if note.params["event"] == "status_changed", note.params["data"]?["interface"] == .string(InterfaceRaceTests.name),
                    let status = note.params["data"]?["status"]?.stringValue
                {
                    seen.append(status)
                }
            }
            return seen
        }
    }

    func setUp(connectTimeout: Int = 15_000) throws -> Fixture? {
        guard Privilege.rootTestsEnabled("InterfaceRaceTests") else { return nil }
        let host = try VethHost()
        var interface: JSONObject = ["type": "ethernet", "device": .string(host.device), "dhcp": false]
        if connectTimeout != 15_000 { interface["connect_timeout_ms"] = JSONValue(connectTimeout) }
        let daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil],
            "dns": ["use_resolv_conf": false],
            "interfaces": ["lo": ["type": "loopback", "device": "lo"], .init(stringLiteral: Self.name): .object(interface)],
        ])
        let client = NSAPIClient(try daemon.client(), interface: Self.name)
        _ = try client.rpc.call(API.EventsSubscribe.name, ["topics": ["interface", "daemon"]])
        return Fixture(host: host, daemon: daemon, client: client)
    }

    /// Item 9: set_network right after disconnect once stored the network, then failed
    /// half-way (new address in, no route, old address gone). On a down link it is now
    /// configuration for the next connect, which replaces the old network whole.
    @Test func setNetworkAfterDisconnectIsAppliedWholeAtConnect() throws {
        guard let fixture = try self.setUp() else { return }
        #expect(fixture.network("198.51.100.1", gateway: "198.51.100.254") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        #expect(fixture.call(API.InterfaceDisconnect.name) == NSAPI.ok)
        #expect(fixture.network("198.51.100.9", gateway: "198.51.100.253") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        let (addresses, routes) = try fixture.kernel()
        #expect(addresses.contains("198.51.100.9/24") && !addresses.contains("198.51.100.1/"), "\(addresses)")
        #expect(routes.contains("default via 198.51.100.253"), "\(routes)")
        #expect(try fixture.status()["ipv4"]?["gateway"] == "198.51.100.253")
    }

    /// Item 9: on an up link a network that cannot be applied whole changes nothing.
    @Test func aNetworkThatFailsHalfWayIsUndone() throws {
        guard let fixture = try self.setUp() else { return }
        #expect(fixture.network("198.51.100.1", gateway: "198.51.100.254") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        // A gateway off the new subnet: the address goes in, then the route is refused.
        #expect(fixture.network("198.51.100.7", gateway: "203.0.113.1") != NSAPI.ok)
        let (addresses, routes) = try fixture.kernel()
        #expect(addresses.contains("198.51.100.1/24") && !addresses.contains("198.51.100.7"), "\(addresses)")
        #expect(routes.contains("default via 198.51.100.254"), "\(routes)")
        #expect(try fixture.status()["ipv4"]?["address"] == "198.51.100.1")
    }

    /// Item 10: old kernel news applied after the daemon's own status made events go
    /// backwards (connecting, disconnected, global_up, disconnected). A connect pipelined
    /// right behind a disconnect runs before the kernel's news of that disconnect is read.
    @Test func statusEventsNeverGoBackwards() throws {
        guard let fixture = try self.setUp() else { return }
        #expect(fixture.network("198.51.100.1", gateway: "198.51.100.254") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        let client = try fixture.daemon.client()
        let interface: JSONObject = ["interface": .string(Self.name)]
        for round in 0..<8 {
            let disconnect = RPCRequest(method: API.InterfaceDisconnect.name, params: interface, id: .integer(Int64(2 * round + 1)))
            var connectParams = interface
            connectParams["blocking"] = .bool(round % 2 == 0)
            let connect = RPCRequest(method: API.InterfaceConnect.name, params: connectParams, id: .integer(Int64(2 * round + 2)))
            try client.sendRaw(JSONCodec.encode(disconnect.json) + [0x0A] + JSONCodec.encode(connect.json) + [0x0A])
            #expect(try client.awaitResponse(id: disconnect.id!, timeoutMilliseconds: 10_000).outcome.failure == nil)
            #expect(try client.awaitResponse(id: connect.id!, timeoutMilliseconds: 10_000).outcome.failure == nil)
            #expect(waitUntil { (try? fixture.status()["status"]) == "global_up" })
        }
        // local_up may come between (an IPv6 link-local address before the static one).
        let events = try fixture.statusEvents().filter { $0 != "local_up" }
        let cycle = ["disconnected", "connecting", "global_up"]
        #expect(events == ["connecting", "global_up"] + Array((0..<8).map { _ in cycle }.joined()), "\(events)")
    }

    /// Item 11: the kernel flushes routes on link-down without RTM_DELROUTE.
    @Test func aLinkTakenDownLosesItsGateway() throws {
        guard let fixture = try self.setUp() else { return }
        #expect(fixture.network("198.51.100.1", gateway: "198.51.100.254") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        #expect(try fixture.status()["ipv4"]?["gateway"] == "198.51.100.254")
        try fixture.host.ip(["link", "set", fixture.host.device, "down"])
        #expect(waitUntil { (try? fixture.status()["status"]) == "disconnected" })
        #expect(try fixture.status()["ipv4"]?["gateway"] == .null, "the route went with the link")
    }

    /// Item 11: when the monitor overflows (ENOBUFS) the daemon reads the kernel again
    /// instead of drifting. It is stopped while thousands of changes happen, the last of
    /// them the link going down.
    @Test func anOverflowedMonitorIsResynchronised() throws {
        guard let fixture = try self.setUp() else { return }
        #expect(fixture.network("198.51.100.1", gateway: "198.51.100.254") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.ok)
        let batch = fixture.host.directory.path + "/addresses"
        let lines = (1...4000).map { "address add 2001:db8::\(String($0, radix: 16))/128 dev \(fixture.host.device) nodad" }
        try writeFile(batch, Array((lines + ["link set \(fixture.host.device) down"]).joined(separator: "\n").utf8))
        fixture.daemon.process.signal(SIGSTOP)
        let changed = try? fixture.host.ip(["-batch", batch])
        fixture.daemon.process.signal(SIGCONT)
        #expect(changed != nil)
        #expect(waitUntil { (try? fixture.status()["status"]) == "disconnected" }, "the link-down was lost, then found again")
        #expect(fixture.daemon.logLines(containing: "overflowed") >= 1)
        #expect(try fixture.status()["ipv4"]?["gateway"] == .null)
    }

    /// Item 12: without carrier a timed-out connect is NO_CONNECTION; the link it brought
    /// up goes down again, and the next connect is not BUSY.
    @Test func aTimedOutConnectWithoutCarrierEndsAndCanBeRetried() throws {
        guard let fixture = try self.setUp(connectTimeout: 500) else { return }
        try fixture.host.ip(["netns", "exec", fixture.host.namespace, "ip", "link", "set", fixture.host.peerDevice, "down"])
        #expect(fixture.network("198.51.100.1", gateway: "") == NSAPI.ok)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.noConnection)
        #expect(try fixture.status()["status"] == "disconnected")
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.noConnection, "tried again, not BUSY")
    }

    /// Item 12: with carrier but no address the error is DHCP_FAILURE.
    @Test func aTimedOutConnectWithCarrierIsDHCPFailure() throws {
        guard let fixture = try self.setUp(connectTimeout: 500) else { return }
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.dhcpFailure)
        #expect(fixture.call(API.InterfaceConnect.name) == NSAPI.dhcpFailure, "tried again, not BUSY")
    }

    /// Item 12: a disconnect during a blocking connect ends that connect as a failure.
    @Test func aDisconnectDuringABlockingConnectFailsIt() throws {
        guard let fixture = try self.setUp(connectTimeout: 60_000) else { return }
        let waiting = try fixture.daemon.client()
        try waiting.send(RPCRequest(method: API.InterfaceConnect.name, params: ["interface": .string(Self.name)], id: 1).json)
        #expect(waitUntil { (try? fixture.status()["status"]) == "connecting" })
        #expect(fixture.call(API.InterfaceDisconnect.name) == NSAPI.ok)
        let reply = try waiting.awaitResponse(id: 1, timeoutMilliseconds: 10_000)
        #expect(reply.outcome.failure?.code == NSAPI.noConnection, "\(reply)")
        #expect(fixture.call(API.InterfaceConnect.name, ["blocking": false]) == NSAPI.ok, "and the next connect may start")
    }
}
