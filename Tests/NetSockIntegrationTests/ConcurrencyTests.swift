import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ConcurrencyTests {
    /// 100 clients connected at once, each with requests in flight, all answered.
    @Test func hundredConcurrentClients() throws {
        let daemon = try DaemonLauncher()
        let clients = try (0..<100).map { _ in try daemon.client() }
        // The daemon takes a few connections from the backlog per turn, so the last may
        // still wait there when the first ask.
        #expect(waitUntil { (try? clients[0].call(API.DaemonInfo()))?.clients == 100 })
        for round in 0..<5 {
            for (index, client) in clients.enumerated() {
                try client.send(RPCRequest(method: API.DaemonInfo.name, id: .integer(Int64(round * 1000 + index))).json)
                try client.send(RPCRequest(method: API.DaemonWhoAmI.name, id: .string("w\(index)")).json)
            }
            for (index, client) in clients.enumerated() {
                let first = try client.awaitResponse(id: .integer(Int64(round * 1000 + index)), timeoutMilliseconds: 10_000)
                guard case .success(let info) = first.outcome else {
                    Issue.record("client \(index) failed")
                    continue
                }
                #expect(info["clients"] == 100)
                _ = try client.awaitResponse(id: .string("w\(index)"), timeoutMilliseconds: 10_000)
            }
        }
    }

    @Test func clientsBeyondTheLimitAreRefusedWithAReason() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_clients": 3]])
        let kept = try (0..<3).map { _ in try daemon.client() }
        for client in kept { _ = try client.call(API.DaemonInfo()) }
        let refused = try daemon.client()
        let reply = try refused.readMessage(deadline: nil)
        #expect(reply["error"]?["code"] == -32004)
        #expect(reply["error"]?["data"]?["detail"]?.stringValue?.contains("max_clients") == true)
        for client in kept { #expect(try client.call(API.DaemonInfo()).clients == 3) }
        kept[0].close()
        // A freed slot is usable again.
        var admitted = false
        for _ in 0..<100 where !admitted {
            if let client = try? daemon.client(), (try? client.call(API.DaemonInfo(), timeoutMilliseconds: 1000)) != nil { admitted = true }
        }
        #expect(admitted)
    }

    @Test func aClientThatStopsReadingStallsNobody() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_output_bytes": 4096]])
        let sleeper = try daemon.client()
        // Ask for far more output than the bound, and never read it.
        let batch = "[" + (0..<100).map { #"{"jsonrpc":"2.0","method":"rpc.discover","id":\#($0)}"# }.joined(separator: ",") + "]"
        for _ in 0..<20 { try sleeper.sendRaw(Array(batch.utf8) + [0x0A]) }
        let other = try daemon.client()
        for _ in 0..<50 { #expect(try other.call(API.DaemonInfo(), timeoutMilliseconds: 5000).apiVersion == 1) }
        sleeper.close()
        // The daemon notices the vanished client and frees its queue.
        var clients: JSONValue?
        for _ in 0..<200 {
            clients = try other.call(API.DaemonInfo.name)["clients"]
            if clients == 1 { break }
            usleep(10_000)
        }
        #expect(clients == 1)
    }
}

@Suite struct BackpressureTests {
    /// Replies past the output bound resume however slowly the client drains them:
    /// requests already read are never stranded.
    @Test func aSlowReaderGetsEveryReplyInTheEnd() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_output_bytes": 8192]])
        let client = try daemon.client()
        let requests = (1...40).map { RPCRequest(method: API.RPCDiscover.name, id: .integer(Int64($0))).json }
        for request in requests { try client.send(request) }
        var ids: Set<Int64> = []
        while ids.count < 40 {
            usleep(2000)
            let reply = try client.readMessage(deadline: nil)
            if let id = reply["id"]?.intValue { ids.insert(id) }
        }
        #expect(ids == Set(1...40))
    }

    /// A client that goes away entirely (not a half-close) while a blocking call waits
    /// is closed at once: its sockets go with it.
    @Test func aVanishedClientWithAWaitingCallIsCleanedUp() throws {
        let daemon = try DaemonLauncher()
        let observer = try daemon.client()
        let leaver = try daemon.client()
        let socket = try leaver.call(API.SocketOpen.name, ["protocol": "udp", "interface": "lo"])["socket"] ?? 0
        _ = try leaver.call(API.SocketBind.name, ["socket": socket, "address": "127.0.0.1", "port": 0])
        try leaver.send(RPCRequest(method: API.SocketRecv.name, params: ["socket": socket, "size": 10], id: 99).json)
        _ = try leaver.call(API.DaemonInfo())
        #expect(try observer.call(API.DaemonInfo()).sockets == 1)
        leaver.close()
        var info = try observer.call(API.DaemonInfo())
        for _ in 0..<200 {
            info = try observer.call(API.DaemonInfo())
            if info.clients == 1 && info.sockets == 0 { break }
            usleep(10_000)
        }
        #expect(info.clients == 1)
        #expect(info.sockets == 0)
    }
}
