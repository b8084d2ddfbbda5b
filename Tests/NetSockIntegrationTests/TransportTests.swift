#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Foundation
import Testing

@Suite struct TransportTests {
    @Test func streamModeAcceptsNDJSONBackToBackAndPrettyInput() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        let text = """
            {"jsonrpc":"2.0","method":"daemon.info","id":1}
            {"jsonrpc":"2.0","method":"daemon.whoami","id":2}{"jsonrpc":"2.0","method":"rpc.discover","id":3}
            {
              "jsonrpc": "2.0",
              "method": "daemon.info",
              "id": "pretty"
            }

            """
        // Split at awkward places: the daemon must reassemble.
        let bytes = Array(text.utf8)
        for chunk in stride(from: 0, to: bytes.count, by: 7) {
            try client.sendRaw(Array(bytes[chunk..<min(chunk + 7, bytes.count)]))
            usleep(500)
        }
        var ids: [JSONValue] = []
        for _ in 0..<4 {
            let reply = try client.readMessage(deadline: nil)
            #expect(reply["result"] != nil)
            ids.append(reply["id"] ?? .null)
        }
        #expect(ids == [1, 2, 3, "pretty"], "replies come in request order")
    }

    @Test func httpModeWorksWithCurl() throws {
        let daemon = try DaemonLauncher()
        let result = try Subprocess.run(
            "/usr/bin/curl", ["-s", "--unix-socket", daemon.socketPath, "-d", #"{"jsonrpc":"2.0","method":"daemon.info","id":7}"#, "http://localhost/"],
            directory: daemon.directory.path)
        #expect(result.status == 0)
        let reply = try JSONCodec.parse(result.stdout)
        #expect(reply["id"] == 7)
        #expect(reply["result"]?["api_version"] == 1)

        let notification = try Subprocess.run(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", daemon.socketPath,
                "-d", #"{"jsonrpc":"2.0","method":"daemon.info"}"#, "http://localhost/"],
            directory: daemon.directory.path)
        #expect(notification.stdout == "204")
        let get = try Subprocess.run(
            "/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", daemon.socketPath, "http://localhost/"],
            directory: daemon.directory.path)
        #expect(get.stdout == "405")
        // curl sends Expect: 100-continue for bodies over 1 KiB: the daemon must answer it.
        let padding = String(repeating: "x", count: 4000)
        let large = try Subprocess.run(
            "/usr/bin/curl", ["-s", "--max-time", "5", "--unix-socket", daemon.socketPath,
                "-d", #"{"jsonrpc":"2.0","method":"nope","id":1,"params":{"pad":""# + padding + #""}}"#, "http://localhost/"],
            directory: daemon.directory.path)
        #expect(try JSONCodec.parse(large.stdout)["error"]?["code"] == -32601)
    }

    @Test func httpKeepAlivePipeliningAndOrder() throws {
        let daemon = try DaemonLauncher()
        let client = try daemon.client()
        func post(_ body: String, close: Bool = false) -> String {
            "POST / HTTP/1.1\r\nHost: netsockd\r\nContent-Type: application/json\r\n"
                + (close ? "Connection: close\r\n" : "") + "Content-Length: \(body.utf8.count)\r\n\r\n" + body
        }
        let pipelined = post(#"{"jsonrpc":"2.0","method":"daemon.info","id":1}"#)
            + post(#"{"jsonrpc":"2.0","method":"daemon.whoami"}"#)
            + post(#"[{"jsonrpc":"2.0","method":"daemon.whoami","id":2},{"jsonrpc":"2.0","method":"x","id":3}]"#)
            + post(#"{"jsonrpc":"2.0","method":"daemon.info","id":4}"#, close: true)
        try client.sendRaw(Array(pipelined.utf8))
        var received: [UInt8] = []
        while true {
            do {
                received += try client.readRaw(timeoutMilliseconds: 5000)
            } catch {
                break  // The daemon closes after the Connection: close request.
            }
        }
        let text = String(decoding: received, as: UTF8.self)
        let statuses = text.components(separatedBy: "HTTP/1.1 ").dropFirst().map { String($0.prefix(3)) }
        #expect(statuses == ["200", "204", "200", "200"])
        #expect(text.hasSuffix("}\n"))
        let bodies = text.components(separatedBy: "\r\n\r\n").dropFirst().compactMap { try? JSONCodec.parse(String($0.prefix { $0 != "\n" })) }
        #expect(bodies.first?["id"] == 1)
        #expect(bodies.last?["id"] == 4)
        #expect(text.contains("Connection: close"))
    }

    @Test func badHTTPGetsItsStatusAndOthersAreServed() throws {
        let daemon = try DaemonLauncher(config: ["control": ["max_message_bytes": 2048]])
        let bystander = try daemon.client()
        let cases: [(String, String)] = [
            ("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "405"),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4096\r\n\r\n", "413"),
            ("POST / HTTP/1.1\r\nHost: x\r\n\r\n", "411"),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"jsonrpc\"", "400"),  // Truncated, then EOF.
            ("POST /\r\n\r\n", "400"),
            ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{bad}", "200"),  // A JSON-RPC parse error.
        ]
        for (request, status) in cases {
            let client = try daemon.client()
            try client.sendRaw(Array(request.utf8))
            client.shutdownWrite()
            var received: [UInt8] = []
            while let chunk = try? client.readRaw(timeoutMilliseconds: 5000), !chunk.isEmpty { received += chunk }
            let text = String(decoding: received, as: UTF8.self)
            #expect(text.hasPrefix("HTTP/1.1 \(status)"), "\(request.debugDescription) → \(text)")
            #expect(try bystander.call(API.DaemonInfo()).apiVersion == 1)
        }
    }

    @Test func socatOneLinerWorks() throws {
        let daemon = try DaemonLauncher()
        let result = try Subprocess.run(
            "/bin/sh", ["-c", "echo '{\"jsonrpc\":\"2.0\",\"method\":\"daemon.info\",\"id\":1}' | socat - UNIX-CONNECT:\(daemon.socketPath)"],
            directory: daemon.directory.path)
        #expect(result.status == 0)
        #expect(try JSONCodec.parse(result.stdout)["result"]?["version"] != nil)
    }
}
