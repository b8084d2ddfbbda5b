#if canImport(Glibc)
import NetSockClient
import Glibc
#endif
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

/// Item 18: keys a config file leaves out take the embedded default's values.
@Suite struct PartialConfigurationTests {
    /// What the embedded default finds on this machine: `lo` and every device, and the default route's device.
    static func kernelDevices() throws -> (names: [String], routeDevice: String?) {
        let directory = try TemporaryDirectory()
        let listing = try Subprocess.run("/bin/ls", ["/sys/class/net"], directory: directory.path).stdout
        let names = listing.split(separator: "\n").map(String.init).sorted()
        let routes = try readText("/proc/net/route").split(separator: "\n").dropFirst()
        for route in routes {
            let fields: [Substring] = route.split(whereSeparator: { $0 == "\t" || $0 == " " })
            if fields.count > 7 && fields[1] == "00000000" && fields[7] == "00000000" { return (names, String(fields[0])) }
        }
        return (names, nil)
    }

    @Test func aFileThatSetsOnlyControlStillHasTheDiscoveredInterfaces() throws {
        let daemon = try DaemonLauncher(config: ["control": ["admin_group": nil]])
        let info = try daemon.client().call(API.DaemonInfo())
        let (devices, routeDevice) = try Self.kernelDevices()
        let names = info.interfaces
        #expect(names.first == "lo")
        // Links other tests create and delete meanwhile (nsdh*, nsdq*, …) may be in either list.
        let stable = { (name: String) in !["nsdh", "nsdq", "nsdv", "nsdp"].contains { name.hasPrefix($0) } }
        #expect(Set(names.filter(stable)) == Set(devices.filter { DaemonNameCheck.isValid($0) && stable($0) } + ["lo"]), "\(names) vs \(devices)")
        if let routeDevice { #expect(info.defaultInterface == routeDevice) }
    }

    @Test func anExplicitlyEmptyInterfacesObjectMeansNone() throws {
        let daemon = try DaemonLauncher(config: ["control": ["admin_group": nil], "interfaces": [:]])
        #expect(try daemon.client().call(API.DaemonInfo()).interfaces == [])
    }

    @Test func printConfigShowsTheEffectiveConfigurationAndWhereItCameFrom() throws {
        let directory = try TemporaryDirectory()
        try writeFile(directory.path + "/partial.json", Array(#"{"dns": {"servers": ["192.0.2.53"]}}"#.utf8))
        let result = try Subprocess.run(
            BuiltProducts.netsockd, ["--config", directory.path + "/partial.json", "--print-config"], directory: directory.path)
        #expect(result.status == 0, "\(result.stderr)")
        let printed = try JSONCodec.parse(result.stdout)
        #expect(printed["sources"]?["dns"] == .string("file \(directory.path)/partial.json"))
        #expect(printed["sources"]?["control"] == "embedded default")
        #expect(printed["sources"]?["interfaces"] == "discovered kernel devices")
        let configuration = try #require(printed["configuration"])
        #expect(configuration["dns"]?["servers"] == ["192.0.2.53"])
        #expect(configuration["interfaces"]?["lo"]?["type"] == "loopback")
        #expect(configuration["control"]?["max_pending_requests"] == 1024)
        // What it prints is a config file in its own right.
        try writeFile(directory.path + "/effective.json", JSONCodec.encode(configuration, style: .pretty))
        let check = try Subprocess.run(
            BuiltProducts.netsockd, ["--config", directory.path + "/effective.json", "--check-config"], directory: directory.path)
        #expect(check.status == 0, "\(check.stderr)")
    }

    /// SIGHUP finds devices that appeared since the start.
    @Test func sighupRescansTheDevices() throws {
        guard Privilege.rootTestsEnabled("sighupRescansTheDevices") else { return }
        let daemon = try DaemonLauncher(config: ["control": ["admin_group": nil]])
        let client = try daemon.client()
        let tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        let (device, peer) = ("nsdh\(tag)", "nsdq\(tag)")
        let made = try Subprocess.run("/sbin/ip", ["link", "add", device, "type", "veth", "peer", "name", peer], directory: "/tmp")
        #expect(made.status == 0, "\(made.stderr)")
        defer { _ = try? Subprocess.run("/sbin/ip", ["link", "del", device], directory: "/tmp") }
        daemon.process.signal(SIGHUP)
        #expect(waitUntil {
            let names = (try? client.call(API.DaemonInfo()))?.interfaces ?? []
            return names.contains(device) && names.contains(peer)
        })
    }
}

/// The daemon's rule for interface names, as the tests need it.
enum DaemonNameCheck {
    static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 15
            && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F || $0 == 0x2D || $0 == 0x2E }
    }
}
