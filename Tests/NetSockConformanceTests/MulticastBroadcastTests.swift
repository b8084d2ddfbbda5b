import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// UDP broadcast and multicast join/leave on the kernel stack, with lwIP's return codes.
@Suite struct MulticastBroadcastTests {
    let environment = socketSuiteDaemon

    func option(_ client: NSAPIClient, _ socket: Int, _ name: String, _ value: JSONValue) -> Int {
        client.code(API.SocketSetOption.name, ["socket": JSONValue(socket), "option": .string(name), "value": value])
    }

    @Test func joinTwiceIsAddressInUseAndLeavingAGroupNotJoinedIsNoAddress() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        #expect(client.bind(socket, nil, 0) == NSAPI.ok)
        let membership: JSONValue = ["group": "239.7.7.7", "interface": "127.0.0.1"]
        #expect(self.option(client, socket, "add_membership", membership) == NSAPI.ok)
        #expect(self.option(client, socket, "add_membership", membership) == -3018, "NSAPI_ERROR_ADDRESS_IN_USE")
        #expect(self.option(client, socket, "drop_membership", membership) == NSAPI.ok)
        #expect(self.option(client, socket, "drop_membership", membership) == NSAPI.noAddress)
        #expect(self.option(client, socket, "add_membership", "192.0.2.1") == NSAPI.parameter, "not a multicast group")
        let tcp = try client.open(.tcp)
        #expect(self.option(client, tcp, "add_membership", membership) == NSAPI.unsupported)
    }

    @Test func aJoinedGroupReceivesWhatIsSentToIt() throws {
        guard Privilege.rootTestsEnabled("aJoinedGroupReceivesWhatIsSentToIt (sockets on lo need SO_BINDTODEVICE)") else { return }
        let client = try self.environment.client()
        let receiver = try client.open(.udp)
        var port = freePort()
        while client.bind(receiver, nil, port) != NSAPI.ok { port = freePort() }
        #expect(self.option(client, receiver, "add_membership", ["group": "239.7.7.8", "interface": "127.0.0.1"]) == NSAPI.ok)
        let sender = try client.open(.udp)
        #expect(client.sendto(sender, "239.7.7.8", port, Array("to the group".utf8)) == 12)
        client.setTimeout(receiver, 2000)
        guard case .success(let (_, _, bytes)) = client.recvfrom(receiver, 100) else {
            Issue.record("nothing arrived on the group")
            return
        }
        #expect(bytes == Array("to the group".utf8))
        #expect(self.option(client, receiver, "drop_membership", ["group": "239.7.7.8", "interface": "127.0.0.1"]) == NSAPI.ok)
    }

    @Test func broadcastNeedsTheBroadcastOption() throws {
        let client = try self.environment.client()
        let socket = try client.open(.udp)
        #expect(client.sendto(socket, "255.255.255.255", 9, [1]) == NSAPI.parameter)
        #expect(self.option(client, socket, "broadcast", true) == NSAPI.ok)
        #expect(try client.rpc.call(API.SocketGetOption.name, ["socket": JSONValue(socket), "option": "broadcast"])["value"] == 1)
        #expect(client.sendto(socket, "255.255.255.255", 9, [1]) == 1)
        let tcp = try client.open(.tcp)
        #expect(self.option(client, tcp, "broadcast", 1) == NSAPI.unsupported, "lwIP: UDP only")
    }

    @Test func optionsMapToTheKernelOrAreUnsupported() throws {
        let client = try self.environment.client()
        let socket = try client.open(.tcp)
        let s = JSONValue(socket)
        for (name, value) in [("reuseaddr", 1), ("keepidle", 5000), ("keepintvl", 2000), ("sndbuf", 65536), ("rcvbuf", 65536), ("iptos", 0x10)]
            as [(String, Int64)]
        {
            #expect(self.option(client, socket, name, .integer(value)) == NSAPI.ok, "\(name)")
        }
        #expect(try client.rpc.call(API.SocketGetOption.name, ["socket": s, "option": "keepidle"])["value"] == 5000)
        #expect(try client.rpc.call(API.SocketGetOption.name, ["socket": s, "option": "iptos"])["value"] == 0x10)
        #expect(try client.rpc.call(API.SocketGetOption.name, ["socket": s, "option": "reuseaddr"])["value"] == 1)
        for name in ["latency", "stagger", "pktinfo"] {
            #expect(self.option(client, socket, name, 1) == NSAPI.unsupported, "\(name)")
        }
        #expect(self.option(client, socket, "iptos", 300) == NSAPI.parameter)
        #expect(self.option(client, socket, "bind_to_device", "nosuch0") == NSAPI.parameter)
        let udp = try client.open(.udp)
        #expect(self.option(client, udp, "keepalive", 1) == NSAPI.unsupported, "lwIP: TCP only")
    }
}
