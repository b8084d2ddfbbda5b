import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Malformed, oversize, deep and truncated input is answered with an error, and
/// never disturbs the other clients.
@Suite struct HostileInputTests {
    @Test func everyHostileMessageGetsAnErrorAndTheConnectionResynchronises() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_message_bytes": 65536]])
        let bystander = try daemon.client()
        let attacker = try daemon.client()
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let oversize = "{\"jsonrpc\":\"2.0\",\"method\":\"daemon.info\",\"id\":9,\"params\":{\"p\":\"" + String(repeating: "A", count: 200_000) + "\"}}"
        let hostile: [([UInt8], Int)] = [
            (Array("{\"jsonrpc\":\"2.0\",\"method\":\"".utf8) + [0xC3, 0x28, 0xFF] + Array("\",\"id\":1}".utf8), -32700),
            (Array(deep.utf8), -32700),
            (Array(oversize.utf8), -32600),
            (Array("}}}".utf8), -32700),
            (Array("{\"jsonrpc\":\"2.0\",\"method\":\"daemon.info\",\"id\":1,\"id\":2}".utf8), -32700),
            (Array("[1,2]".utf8), -32600),
            (Array("\"just a string\"".utf8), -32600),
            ([0x00, 0x01, 0x02], -32700),
        ]
        for (bytes, code) in hostile {
            try attacker.sendRaw(bytes + [0x0A])
            let reply = try attacker.readMessage(deadline: nil)
            let got = reply["error"]?["code"] ?? reply.arrayValue?.first?["error"]?["code"]
            #expect(got == .integer(Int64(code)), "\(String(decoding: bytes.prefix(40), as: UTF8.self))")
            #expect(try bystander.call(API.DaemonInfo()).apiVersion == 1)
            // The attacker's own connection still works: framing resynchronised.
            #expect(try attacker.call(API.DaemonWhoAmI.name)["uid"] != nil)
        }
    }

    @Test func truncatedMessageAtEndOfStreamIsAParseError() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        try client.sendRaw(Array(#"{"jsonrpc":"2.0","method":"daemon.info","id":1}{"jsonrpc":"2.0","meth"#.utf8))
        client.shutdownWrite()
        #expect(try client.readMessage(deadline: nil)["id"] == 1)
        let error = try client.readMessage(deadline: nil)
        #expect(error["error"]?["code"] == -32700)
        #expect(throws: ClientError.self) { try client.readMessage(deadline: nil) }  // Then closed.
    }

    @Test func wrongParamsAreNamed() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let cases: [(String, JSONObject, String)] = [
            (API.EventsSubscribe.name, ["topics": "daemon"], "topics"),
            (API.EventsSubscribe.name, ["topics": ["nope"]], "topics[0]"),
            (API.EventsSubscribe.name, [:], "topics"),
            (API.EventsSubscribe.name, ["topics": ["daemon"], "since": -1], "since"),
            (API.EventsSubscribe.name, ["topics": ["daemon"], "extra": 1], "extra"),
            (API.EventsUnsubscribe.name, ["subscription": "1"], "subscription"),
            (API.EventsUnsubscribe.name, ["subscription": 999], "subscription"),
            (API.EventsWait.name, ["topics": ["daemon"], "timeout_ms": 1.5], "timeout_ms"),
            (API.DaemonInfo.name, ["x": 1], "x"),
        ]
        for (method, params, culprit) in cases {
            let error = expectRPCError { try client.call(method, params) }
            #expect(error?.code == -32602, "\(method)")
            #expect(error?.data?["param"] == .string(culprit), "\(method) \(params)")
        }
    }
}
