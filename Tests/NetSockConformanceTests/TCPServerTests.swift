import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// The server side of TCP through the daemon (Mbed 6 `listen`/`accept`), half-close
/// and reset, which the Mbed test plan itself does not cover.
@Suite struct TCPServerTests {
    let environment = socketSuiteDaemon

    /// A listener and a connected client, both daemon sockets; returns (listener, client, accepted).
    func pair(_ client: NSAPIClient) throws -> (Int, Int, Int) {
        let listener = try client.open(.tcp)
        var port = freePort()
        while client.bind(listener, "127.0.0.1", port) != NSAPI.ok { port = freePort() }
        #expect(client.code(API.SocketListen.name, ["socket": JSONValue(listener), "backlog": 4]) == NSAPI.ok)
        let connector = try client.open(.tcp)
        #expect(client.connect(connector, "127.0.0.1", port) == NSAPI.ok)
        let accepted = try client.rpc.call(API.SocketAccept.name, ["socket": JSONValue(listener)])
        #expect(accepted["address"] == "127.0.0.1")
        let connectorPort = try client.rpc.call(API.SocketLocalName.name, ["socket": JSONValue(connector)])["port"]
        #expect(accepted["port"] == connectorPort, "accept reports the client's address")
        let peer = try client.rpc.call(API.SocketPeerName.name, ["socket": JSONValue(connector)])
        #expect(peer == ["address": "127.0.0.1", "port": JSONValue(port)], "the connector's peer is the listener")
        let acceptedPeer = try client.rpc.call(API.SocketPeerName.name, ["socket": accepted["socket"] ?? .null])
        #expect(acceptedPeer["port"] == connectorPort, "the accepted socket's peer is the connector")
        return (listener, connector, Int(accepted["socket"]?.intValue ?? 0))
    }

    @Test func listenAcceptAndTalkBothWays() throws {
        let client = try self.environment.client()
        let (listener, connector, accepted) = try self.pair(client)
        #expect(client.send(connector, Array("ping".utf8)) == 4)
        #expect(client.recv(accepted, 10) == .success(Array("ping".utf8)))
        #expect(client.send(accepted, Array("pong".utf8)) == 4)
        #expect(client.recv(connector, 10) == .success(Array("pong".utf8)))
        client.setBlocking(listener, false)
        #expect(client.code(API.SocketAccept.name, ["socket": JSONValue(listener)]) == NSAPI.wouldBlock)
        let states = try client.rpc.call(API.SocketList.name).arrayValue?.map { $0["state"]?.stringValue ?? "" }
        #expect(states == ["listening", "connected", "connected"])
        #expect(client.close(accepted) == NSAPI.ok)
        #expect(client.close(accepted) == NSAPI.noSocket, "an accepted socket is deleted by its close")
    }

    @Test func halfCloseEndsTheStreamInOneDirectionOnly() throws {
        let client = try self.environment.client()
        let (_, connector, accepted) = try self.pair(client)
        #expect(client.send(connector, Array("last words".utf8)) == 10)
        #expect(client.code(API.SocketShutdown.name, ["socket": JSONValue(connector), "how": "write"]) == NSAPI.ok)
        #expect(client.recv(accepted, 100) == .success(Array("last words".utf8)))
        #expect(client.recv(accepted, 100) == .success([]), "the peer's orderly close reads as size 0")
        #expect(client.send(accepted, Array("still heard".utf8)) == 11)
        #expect(client.recv(connector, 100) == .success(Array("still heard".utf8)), "the other direction stays open")
    }

    @Test func aResetIsNoConnection() throws {
        let client = try self.environment.client()
        let (_, connector, accepted) = try self.pair(client)
        // SO_LINGER with 0 turns close into a reset (RST).
        #expect(client.code(API.SocketSetOption.name, ["socket": JSONValue(accepted), "option": "linger", "value": 0]) == NSAPI.ok)
        #expect(client.close(accepted) == NSAPI.ok)
        client.setTimeout(connector, 2000)
        #expect(client.recv(connector, 10) == .failure(Code(NSAPI.noConnection)))
    }

    @Test func connectToAClosedPortIsRefused() throws {
        let client = try self.environment.client()
        let probe = try client.open(.tcp)
        var port = freePort()
        while client.bind(probe, "127.0.0.1", port) != NSAPI.ok { port = freePort() }
        _ = client.close(probe)
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, "127.0.0.1", port) == NSAPI.noConnection)
    }
}
