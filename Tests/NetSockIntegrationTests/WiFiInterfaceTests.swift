#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// netsockd's Wi-Fi interface against Debian's real wpa_supplicant, with the wired driver
/// on a veth pair standing in for the radio (the daemon runs in the namespace with it):
/// credentials, connect to global_up with its events, RSSI, disconnect, repeats.
@Suite(.serialized) struct WiFiInterfaceTests {
    func daemon(_ supplicant: WPASupplicantProcess) throws -> DaemonLauncher {
        try DaemonLauncher(
            config: [
                "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false],
                "interfaces": [
                    "wifi0": [
                        "type": "wifi", "stack": "kernel", "device": "v0", "dhcp": false,
                        "wpa_supplicant": ["ctrl": .string(supplicant.control)], "connect_timeout_ms": 10_000,
                    ]
                ],
            ],
            launcher: ["/sbin/ip", "netns", "exec", supplicant.namespace])
    }

    func code(_ client: RPCClient, _ method: String, _ params: JSONObject) -> Int {
        NSAPIClient(client, interface: "wifi0").code(method, params)
    }

    @Test("credentials by Mbed's rules, connect to global_up with its events, RSSI 0 without a radio, disconnect, ten repeats")
    func connectAndDisconnect() throws {
        guard Privilege.rootTestsEnabled("WiFiInterfaceTests.connectAndDisconnect") else { return }
        let supplicant = try WPASupplicantProcess(driver: "wired")
        let daemon = try self.daemon(supplicant)
        let client = try daemon.client()
        #expect(try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])["status"] == "disconnected")
        // WIFI-02: no credentials; disconnect when down.
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == NSAPICode.parameter)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == NSAPICode.noConnection)
        // WIFI-03's table, a few rows.
        #expect(self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": ""]) == NSAPICode.parameter)
        #expect(self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": "OK", "security": "wep"]) == NSAPICode.parameter)
        #expect(self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": "OK", "security": "wpa_wpa2"]) == NSAPICode.parameter)
        #expect(
            self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": "OK", "pass": .string(String(repeating: "a", count: 64)), "security": "wpa2"])
                == NSAPICode.parameter)
        #expect(self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": "OK", "pass": "12345678", "security": "wpa_wpa2"]) == 0)
        #expect(self.code(client, API.WiFiSetCredentials.name, ["interface": "wifi0", "ssid": "netsock", "security": "none"]) == 0)
        #expect(self.code(client, API.WiFiSetChannel.name, ["interface": "wifi0", "channel": 15]) == NSAPICode.parameter)
        #expect(try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"] == 0)
        _ = try client.call(API.InterfaceSetNetwork.name, ["interface": "wifi0", "address": "192.0.2.20", "netmask": "255.255.255.0", "gateway": ""])

        let watcher = try daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["wifi", "interface"]])
        #expect(try client.call(API.InterfaceConnect.name, ["interface": "wifi0"], timeoutMilliseconds: 20_000)["status"] == "global_up")
        var names: [String] = []
        while !names.contains("global_up"), let note = try watcher.nextNotification(timeoutMilliseconds: 5000) {
            let name = note.params["event"]?.stringValue ?? ""
            names.append(name == "status_changed" ? note.params["data"]?["status"]?.stringValue ?? "" : name)
        }
        #expect(names == ["connecting", "associated", "global_up"], "\(names)")
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == NSAPICode.isConnected)
        #expect(try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"] == 0)
        #expect(try client.call(API.InterfaceDisconnect.name, ["interface": "wifi0"])["status"] == "disconnected")
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == NSAPICode.noConnection)
        // WIFI-14: ten times, with connect's own credentials (Mbed's connect(ssid, pass, security)).
        for _ in 0..<10 {
            #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0", "ssid": "netsock", "security": "none"]) == 0)
            #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        }
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0", "ssid": ""]) == NSAPICode.parameter)
    }

    @Test("spawn: netsockd runs wpa_supplicant itself, connects through it, starts it again when it dies, and stops it with itself")
    func spawnedSupplicant() throws {
        guard Privilege.rootTestsEnabled("WiFiInterfaceTests.spawnedSupplicant") else { return }
        let namespace = try TestNamespace("wpas")
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try namespace.ip(["link", "set", "v0", "up"])
        try namespace.ip(["link", "set", "v1", "up"])
        let daemon = try DaemonLauncher(
            config: [
                "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false],
                "interfaces": [
                    "wifi0": ["type": "wifi", "stack": "kernel", "device": "v0", "dhcp": false, "wpa_supplicant": ["spawn": true, "driver": "wired"]]
                ],
            ],
            launcher: namespace.launcher)
        let client = try daemon.client()
        _ = try client.call(API.InterfaceSetNetwork.name, ["interface": "wifi0", "address": "192.0.2.30", "netmask": "255.255.255.0", "gateway": ""])
        let connect: JSONObject = ["interface": "wifi0", "ssid": "netsock", "security": "none"]
        // The supplicant it started needs a moment to open its control socket.
        #expect(try waitUntil { self.code(client, API.InterfaceConnect.name, connect) == 0 })
        #expect(try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])["status"] == "global_up")
        func spawned() throws -> [String] {
            try Subprocess.run("/usr/bin/pgrep", ["-f", "wpa_supplicant -Dwired -iv0 -c /tmp/netsockd-wpa"], directory: "/tmp").stdout
                .split(separator: "\n").map(String.init)
        }
        let first = try spawned()
        #expect(first.count == 1)
        for pid in first { kill(pid_t(pid) ?? 0, SIGKILL) }
        #expect(try waitUntil { try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])["status"] == "disconnected" })
        #expect(try waitUntil(timeoutSeconds: 30) { self.code(client, API.InterfaceConnect.name, connect) == 0 })
        #expect(try spawned().count == 1)
        daemon.stop()
        #expect(try waitUntil { try spawned().isEmpty })
    }

    @Test("spawn on the ip stack: wpa_supplicant drives link.packet's device, and the ip stack leases an address over it from dnsmasq and resolves through the server the lease named")
    func spawnedSupplicantOnTheIPStack() throws {
        guard Privilege.rootTestsEnabled("WiFiInterfaceTests.spawnedSupplicantOnTheIPStack") else { return }
        let station = try TestNamespace("wpas")
        let network = try TestNamespace("lan")
        try station.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1", "netns", network.name])
        try station.ip(["link", "set", "v0", "up"])
        try network.ip(["link", "set", "v1", "up"])
        try network.ip(["addr", "add", "192.0.2.1/24", "dev", "v1"])
        let directory = try TemporaryDirectory("netsock-wpa-ip")
        let dnsmasq = try Subprocess(
            "/sbin/ip",
            ["netns", "exec", network.name, "/usr/sbin/dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--interface=v1",
             "--except-interface=lo", "--bind-interfaces", "--port=53", "--no-resolv", "--no-hosts", "--leasefile-ro", "--pid-file=",
             "--user=root", "--dhcp-range=192.0.2.100,192.0.2.150,1h", "--dhcp-option=option:dns-server,192.0.2.1",
             "--address=/wired.test/192.0.2.1", "--log-facility=-"],
            directory: directory.path)
        defer { dnsmasq.terminate() }
        #expect(try waitUntil { try Subprocess.run("/sbin/ip", ["netns", "exec", network.name, "/usr/bin/ss", "-Hlun", "sport = :67"], directory: "/tmp").stdout.contains(":67") })
        let daemon = try DaemonLauncher(
            config: [
                "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false, "timeout_ms": 2000],
                "interfaces": [
                    "wifi0": ["type": "wifi", "stack": "ip", "link": ["packet": "v0"], "wpa_supplicant": ["spawn": true, "driver": "wired"]]
                ],
            ],
            launcher: station.launcher)
        let client = try daemon.client()
        let connect: JSONObject = ["interface": "wifi0", "ssid": "netsock", "security": "none"]
        // The supplicant it started needs a moment to open its control socket.
        #expect(try waitUntil(timeoutSeconds: 40) { self.code(client, API.InterfaceConnect.name, connect) == 0 })
        let up = try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])
        #expect(up["status"] == "global_up" && up["stack"] == "ip", "\(up)")
        #expect(up["ipv4"]?["address"]?.stringValue?.hasPrefix("192.0.2.1") == true, "\(up)")
        let resolved = try client.call(API.DNSGetHostByName.name, ["name": "wired.test", "version": "ipv4", "interface": "wifi0"])
        #expect(resolved["address"] == "192.0.2.1", "\(resolved)")
        #expect(try client.call(API.InterfaceDisconnect.name, ["interface": "wifi0"])["status"] == "disconnected")
        daemon.stop()
    }
}
