import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Regression tests for places where the daemon once differed from Mbed or API.md.
@Suite struct MbedDeviationTests {
    let environment = socketSuiteDaemon

    /// A loopback port nothing listens on: bound by the daemon (port 0), then released.
    func closedPort(_ client: NSAPIClient) throws -> Int {
        let probe = try client.open(.tcp)
        #expect(client.bind(probe, "127.0.0.1", 0) == NSAPI.ok)
        let port = Int(try client.rpc.call(API.SocketLocalName.name, ["socket": JSONValue(probe)])["port"]?.intValue ?? 0)
        #expect(client.close(probe) == NSAPI.ok)
        return port
    }

    /// Item 13: after a refused connect there is no peer (Mbed: NO_CONNECTION).
    @Test func getpeernameAfterARefusedConnectIsNoConnection() throws {
        let client = try self.environment.client()
        let port = try self.closedPort(client)
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, "127.0.0.1", port) == NSAPI.noConnection)
        #expect(client.code(API.SocketPeerName.name, ["socket": JSONValue(socket)]) == NSAPI.noConnection)
        let listing = try client.rpc.call(API.SocketList.name).arrayValue?.first { $0["socket"] == JSONValue(socket) }
        #expect(listing?["peer"] == .null)
    }

    /// Item 17: a UDP peer given as an IPv4-mapped IPv6 address still lets its datagrams in.
    @Test func aPeerGivenAsAMappedAddressIsThePeer() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        client.setTimeout(socket, 5000)
        #expect(client.connect(socket, "::ffff:127.0.0.1", self.environment.peers.echo) == NSAPI.ok)
        #expect(client.send(socket, Array("mapped".utf8)) == 6)
        #expect(client.recv(socket, 100) == .success(Array("mapped".utf8)))
    }

    /// Item 14: bind_to_device takes an interface name and keeps it: connect by host name
    /// then resolves on that interface (it once stored the device and found no interface).
    @Test func bindToDeviceKeepsTheInterfaceName() throws {
        guard Privilege.rootTestsEnabled("bindToDeviceKeepsTheInterfaceName") else { return }  // SO_BINDTODEVICE needs CAP_NET_RAW.
        let peers = TestPeers.shared
        let daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil],
            "dns": ["servers": [.string("127.0.0.1:\(peers.dns)")], "use_resolv_conf": false],
            "interfaces": ["loop0": ["type": "loopback", "stack": "kernel", "device": "lo"]],
        ])
        let client = NSAPIClient(try daemon.client(), interface: "loop0")
        let socket = try client.open(.tcp)
        #expect(client.code(API.SocketSetOption.name, ["socket": JSONValue(socket), "option": "bind_to_device", "value": "loop0"]) == NSAPI.ok)
        #expect(client.code(API.SocketSetOption.name, ["socket": JSONValue(socket), "option": "bind_to_device", "value": "lo"]) == NSAPI.parameter,
            "a device is not an interface name")
        let row = try client.rpc.call(API.SocketList.name).arrayValue?.first { $0["socket"] == JSONValue(socket) }
        #expect(row?["interface"] == "loop0")
        #expect(client.connect(socket, "echo.netsock.test", peers.echo) == NSAPI.ok)
        #expect(client.send(socket, Array("bound".utf8)) == 5)
        #expect(client.recv(socket, 100) == .success(Array("bound".utf8)))
    }
}
