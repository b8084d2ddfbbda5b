import NetSockJSON
import NetSockTestSupport
import Testing

@Suite struct CheckConfigTests {
    static let invalid: [(String, String)] = [
        (#"{"control": {"mode": "rw"}}"#, "control.mode"),
        (#"{"control": {"max_clients": 0}}"#, "control.max_clients"),
        (#"{"control": {"max_clients": "10"}}"#, "control.max_clients"),
        (#"{"control": {"colour": "blue"}}"#, "control.colour"),
        (#"{"dns": {"servers": ["not an address"]}}"#, "dns.servers[0]"),
        (#"{"dns": {"timeout_ms": -5}}"#, "dns.timeout_ms"),
        (#"{"interfaces": {"eth0": {"type": "ethernet"}}}"#, "interfaces.eth0.device"),
        (#"{"interfaces": {"eth0": {"type": "toaster", "device": "eth0"}}}"#, "interfaces.eth0.type"),
        (#"{"interfaces": {"tap0": {"type": "ethernet", "stack": "ip"}}}"#, "interfaces.tap0.link"),
        (#"{"interfaces": {"c": {"type": "cellular", "stack": "modem", "device": "ttyUSB0"}}}"#, "interfaces.c.device"),
        (#"{"interfaces": {"this-name-is-far-too-long": {"type": "loopback", "device": "lo"}}}"#, "interfaces.this-name-is-far-too-long"),
        (#"{"default_interface": "eth9", "interfaces": {}}"#, "default_interface"),
        (#"{"unknown": 1}"#, "unknown"),
        (#"[1, 2]"#, "must be an object"),
        (#"{"control": "#, "not valid JSON"),
        ("", "not valid JSON"),
    ]

    @Test func badConfigsAreRefusedNamingTheKey() throws {
        let directory = try TemporaryDirectory()
        for (text, key) in Self.invalid {
            try writeFile(directory.path + "/bad.json", Array(text.utf8))
            let result = try Subprocess.run(
                BuiltProducts.netsockd, ["--config", directory.path + "/bad.json", "--check-config"], directory: directory.path)
            #expect(result.status == 1, "\(text)")
            #expect(result.stderr.contains(key), "\(text): \(result.stderr)")
        }
    }

    @Test func theDocumentedExampleAndTheDefaultPass() throws {
        let directory = try TemporaryDirectory()
        let example = try readText(repositoryRoot() + "/etc/netsockd.json")
        try writeFile(directory.path + "/example.json", Array(example.utf8))
        let result = try Subprocess.run(
            BuiltProducts.netsockd, ["--config", directory.path + "/example.json", "--check-config"], directory: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("configuration OK"))
        let embedded = try Subprocess.run(BuiltProducts.netsockd, ["--check-config"], directory: directory.path)
        #expect(embedded.status == 0)
    }

    @Test func unreadableConfigFileIsAnError() throws {
        let directory = try TemporaryDirectory()
        let result = try Subprocess.run(
            BuiltProducts.netsockd, ["--config", directory.path + "/missing.json", "--check-config"], directory: directory.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("missing.json"))
    }
}

func repositoryRoot(_ file: String = #filePath) -> String {
    var path = file
    for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
    return path
}
