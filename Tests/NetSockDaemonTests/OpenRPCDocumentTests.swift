import NetSockDaemon
import NetSockJSON
import Foundation
import Testing

@Suite struct GeneratedDocumentTests {
    static func root(_ file: String = #filePath) -> String {
        var path = file
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }

    /// docs/openrpc.json is generated from the method table (`make docs`); this fails when it is stale.
    @Test func checkedInOpenRPCMatchesTheMethodTable() throws {
        let generated = Daemon.openRPCDocument()
        let path = Self.root() + "/docs/openrpc.json"
        let text = try String(contentsOfFile: path)
        #expect(try JSONCodec.parse(text) == generated, "docs/openrpc.json is stale: run `make docs`")
        #expect(text == JSONCodec.encodeString(generated, style: .pretty) + "\n", "docs/openrpc.json is not in generated form")
    }

    /// The typed client (`Sources/NetSockClient/API.swift`) is generated from the same
    /// declarations (`make api`); this fails when it is stale.
    @Test func checkedInClientMatchesTheDeclarations() throws {
        let path = Self.root() + "/Sources/NetSockClient/API.swift"
        let text = try String(contentsOfFile: path)
        #expect(text == (try Daemon.clientSource()), "Sources/NetSockClient/API.swift is stale: run `make api`")
    }

    /// Every method of API.md served so far (wifi.* and cellular.* come with their drivers).
    @Test func everyAPIMethodIsInTheTable() {
        let names = Daemon.openRPCDocument()["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        let api = [
            "rpc.discover", "daemon.info", "daemon.whoami", "daemon.shutdown",
            "interface.list", "interface.status", "interface.connect", "interface.disconnect", "interface.set_network",
            "interface.set_dhcp", "interface.set_default",
            "socket.open", "socket.close", "socket.bind", "socket.listen", "socket.accept", "socket.connect", "socket.send",
            "socket.recv", "socket.sendto", "socket.recvfrom", "socket.shutdown", "socket.set_blocking", "socket.set_timeout",
            "socket.setsockopt", "socket.getsockopt", "socket.getpeername", "socket.getsockname", "socket.sigio", "socket.list",
            "dns.gethostbyname", "dns.gethostbyname_async", "dns.cancel", "dns.add_server", "dns.servers", "dns.reset",
            "events.subscribe", "events.unsubscribe",
        ]
        for method in api { #expect(names.contains(method), "\(method)") }
        let notifications = Daemon.openRPCDocument()["x-notifications"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        for name in ["events.notify", "events.lost", "daemon.stopping", "socket.sigio", "dns.result"] {
            #expect(notifications.contains(name), "\(name)")
        }
    }

    /// API.md's admin methods need the admin role; the rest are open.
    @Test func rolesFollowAPI() {
        let methods = Daemon.openRPCDocument()["methods"]?.arrayValue ?? []
        let admin = Set(methods.filter { $0["x-role"] == "admin" }.compactMap { $0["name"]?.stringValue })
        for method in ["daemon.shutdown", "interface.connect", "interface.disconnect", "interface.set_network", "interface.set_dhcp",
            "interface.set_default", "dns.add_server", "dns.reset"]
        {
            #expect(admin.contains(method), "\(method)")
        }
        #expect(!admin.contains("socket.open") && !admin.contains("dns.gethostbyname") && !admin.contains("interface.status"))
    }
}
