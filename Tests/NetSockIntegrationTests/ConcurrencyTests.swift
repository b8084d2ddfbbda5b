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
        for round in 0..<5 {
            for (index, client) in clients.enumerated() {
                try client.send(RPCRequest(method: "daemon.info", id: .integer(Int64(round * 1000 + index))).json)
                try client.send(RPCRequest(method: "daemon.whoami", id: .string("w\(index)")).json)
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
        for client in kept { _ = try client.call("daemon.info") }
        let refused = try daemon.client()
        let reply = try refused.readMessage(deadline: nil)
        #expect(reply["error"]?["code"] == -32004)
        #expect(reply["error"]?["data"]?["detail"]?.stringValue?.contains("max_clients") == true)
        for client in kept { #expect(try client.call("daemon.info")["clients"] == 3) }
        kept[0].close()
        // A freed slot is usable again.
        var admitted = false
        for _ in 0..<100 where !admitted {
            if let client = try? daemon.client(), (try? client.call("daemon.info", timeoutMilliseconds: 1000)) != nil { admitted = true }
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
        for _ in 0..<50 { #expect(try other.call("daemon.info", timeoutMilliseconds: 5000)["api_version"] == 1) }
        sleeper.close()
        // The daemon notices the vanished client and frees its queue.
        var clients: JSONValue?
        for _ in 0..<200 {
            clients = try other.call("daemon.info")["clients"]
            if clients == 1 { break }
            usleep(10_000)
        }
        #expect(clients == 1)
    }
}
