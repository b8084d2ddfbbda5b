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

    @Test func everyAPIMethodOfThisIssueIsDocumented() {
        let names = Daemon.openRPCDocument()["methods"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        for method in ["rpc.discover", "daemon.info", "daemon.whoami", "daemon.shutdown", "events.subscribe", "events.unsubscribe"] {
            #expect(names.contains(method), "\(method)")
        }
        let notifications = Daemon.openRPCDocument()["x-notifications"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(notifications == ["events.notify", "events.lost", "daemon.stopping"])
    }
}
