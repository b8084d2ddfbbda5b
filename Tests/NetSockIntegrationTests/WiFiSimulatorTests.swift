#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// netsockd's Wi-Fi interface against `netsock-wifi-sim`: scans with each security kind
/// and a hidden network, every connect outcome, RSSI. The interface's device is `lo`, so
/// an association is followed at once by an address, as after DHCP.
@Suite struct WiFiSimulatorTests {
    static let accessPoints = """
        [{"ssid": "netsock", "bssid": "02:00:5e:00:53:01", "security": "wpa2", "pass": "netsock-pass", "rssi": -48, "channel": 6},
         {"ssid": "café", "bssid": "02:00:5e:00:53:02", "security": "none", "rssi": -70, "channel": 36},
         {"ssid": "secret", "bssid": "02:00:5e:00:53:03", "security": "wpa3", "pass": "sae-pass-1", "rssi": -60, "channel": 11, "hidden": true}]
        """

    func start(_ extra: [String] = []) throws -> (Subprocess, DaemonLauncher, TemporaryDirectory) {
        let directory = try TemporaryDirectory("netsock-wifi")
        try writeFile(directory.path + "/aps.json", Array(Self.accessPoints.utf8))
        let control = directory.path + "/wlan0"
        let simulator = try Subprocess(
            BuiltProducts.directory + "/netsock-wifi-sim", ["--ctrl", control, "--aps", directory.path + "/aps.json"] + extra, directory: directory.path)
        #expect(try waitUntil { simulator.stdout.contains("netsock-wifi-sim: 3 access point(s)") })
        let daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false],
            "interfaces": ["wifi0": ["type": "wifi", "stack": "kernel", "device": "lo", "dhcp": false, "wpa_supplicant": ["ctrl": .string(control)]]],
        ])
        return (simulator, daemon, directory)
    }

    func code(_ client: RPCClient, _ method: String, _ params: JSONObject) -> Int {
        NSAPIClient(client, interface: "wifi0").code(method, params)
    }

    @Test("scan lists every access point with Mbed's security, RSSI and channel; count limits it; a hidden one has no name")
    func scans() throws {
        let (simulator, daemon, directory) = try self.start()
        defer {
            simulator.terminate()
            directory.remove()
        }
        let client = try daemon.client()
        let list = try #require(try client.call(API.WiFiScan.name, ["interface": "wifi0"]).arrayValue)
        #expect(list.map { $0["ssid"] } == ["netsock", "café", ""])
        #expect(list.map { $0["security"] } == ["wpa2", "none", "wpa3"])
        #expect(list.map { $0["channel"] } == [6, 36, 11])
        #expect(list.map { $0["rssi"] } == [-48, -70, -60])
        #expect(list.first?["bssid"] == "02:00:5e:00:53:01")
        #expect(try client.call(API.WiFiScan.name, ["interface": "wifi0", "count": 1]).arrayValue?.count == 1)
    }

    @Test("connect: a wrong key is AUTH_FAILURE, an unknown network NO_SSID, the wrong security NO_CONNECTION; the right one global_up, hidden ones too")
    func connectOutcomes() throws {
        let (simulator, daemon, directory) = try self.start()
        defer {
            simulator.terminate()
            directory.remove()
        }
        let client = try daemon.client()
        func connect(_ ssid: String, _ pass: String?, _ security: String) -> Int {
            var params: JSONObject = ["interface": "wifi0", "ssid": .string(ssid), "security": .string(security)]
            if let pass { params["pass"] = .string(pass) }
            return self.code(client, API.InterfaceConnect.name, params)
        }
        #expect(connect("netsock", "wrong-pass", "wpa2") == NSAPICode.authFailure)
        #expect(connect("nowhere", "whatever1", "wpa2") == NSAPICode.noSSID)
        #expect(connect("netsock", nil, "none") == NSAPICode.noConnection)
        let down = try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])
        #expect(down["status"] == "disconnected")
        #expect(down["wifi"] == ["state": "idle", "ssid": nil, "bssid": nil, "security": nil], "\(down)")
        #expect(connect("netsock", "netsock-pass", "wpa2") == 0)
        let up = try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])
        #expect(up["status"] == "global_up")
        #expect(up["wifi"] == ["state": "connected", "ssid": "netsock", "bssid": "02:00:5e:00:53:01", "security": "wpa2"], "\(up)")
        #expect(try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"] == -48)
        // Scanning while connected works, and leaves the link alone.
        #expect(try client.call(API.WiFiScan.name, ["interface": "wifi0"]).arrayValue?.count == 3)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        #expect(connect("secret", "sae-pass-1", "wpa3") == 0)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        #expect(connect("café", nil, "none") == 0)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
    }

    @Test("netsockctl wifi scan, connect (passphrase from stdin), rssi and disconnect, in a pipe and on a terminal")
    func netsockctlWiFi() throws {
        let (simulator, daemon, directory) = try self.start()
        defer {
            simulator.terminate()
            directory.remove()
        }
        let scan = try daemon.ctl(["wifi", "scan"])
        #expect(scan.status == 0)
        let lines = scan.stdout.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines == ["SSID BSSID CHAN SIGNAL SECURITY", "netsock 02:00:5e:00:53:01 6 -48 dBm wpa2", "café 02:00:5e:00:53:02 36 -70 dBm none", "-- 02:00:5e:00:53:03 11 -60 dBm wpa3"], "\(scan.stdout)")
        let terminal = try daemon.ctlOnTerminal(["wifi", "scan", "--count", "1"])
        #expect(terminal.status == 0)
        #expect(terminal.output.contains("netsock") && !terminal.output.contains("café"), "\(terminal.output)")
        let wrong = try daemon.ctl(["wifi", "connect", "netsock", "--pass-stdin"], stdin: Array("not-the-pass\n".utf8))
        #expect(wrong.status == 1)
        #expect(wrong.stderr.contains("-3011"), "\(wrong.stderr)")
        let right = try daemon.ctl(["wifi", "connect", "netsock", "--pass-stdin"], stdin: Array("netsock-pass\n".utf8))
        #expect(right.status == 0)
        #expect(right.stdout == "global_up\n", "\(right.stdout) \(right.stderr)")
        #expect(try daemon.ctl(["wifi", "rssi"]).stdout == "-48 dBm\n")
        #expect(try daemon.ctl(["iface", "show", "wifi0"]).stdout.contains("wifi      connected to netsock (02:00:5e:00:53:01, wpa2)"))
        #expect(try daemon.ctl(["status"]).stdout.contains("wifi0: connected to netsock (02:00:5e:00:53:01, wpa2)"))
        #expect(try daemon.ctl(["wifi", "rssi", "--json"]).stdout.contains("\"rssi\":-48"))
        #expect(try daemon.ctl(["wifi", "disconnect"]).stdout == "disconnected\n")
        // The passphrase as `call` takes a secret, from a file.
        try writeFile(directory.path + "/pass", Array("netsock-pass\n".utf8))
        #expect(try daemon.ctl(["wifi", "connect", "netsock", "--secret-file", directory.path + "/pass"]).stdout == "global_up\n")
        #expect(try daemon.ctl(["wifi", "disconnect"]).stdout == "disconnected\n")
        #expect(try daemon.ctl(["wifi", "connect", "netsock", "--pass-file", "/nonexistent"]).status != 0)
    }

    @Test("a slow scan reports its progress and still answers; a fading signal is a signal_changed event and a lower RSSI")
    func slowScanAndFadingSignal() throws {
        let (simulator, daemon, directory) = try self.start(["--slow", "SCAN_RESULTS=300"])
        defer {
            simulator.terminate()
            directory.remove()
        }
        let client = try daemon.client()
        let id = JSONValue.integer(client.makeID())
        try client.send(["jsonrpc": "2.0", "id": id, "method": .string(API.WiFiScan.name), "params": ["interface": "wifi0"]])
        let response = try client.awaitResponse(id: id, timeoutMilliseconds: 10_000)
        guard case .success(let result) = response.outcome else {
            Issue.record("the scan failed")
            return
        }
        #expect(result.arrayValue?.count == 3)
        let progress = try #require(try client.nextNotification(timeoutMilliseconds: 1000))
        #expect(progress.method == "progress")
        #expect(progress.params["stage"] == "scanning")
        #expect(progress.params["request"] == id)
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0", "ssid": "netsock", "pass": "netsock-pass", "security": "wpa2"]) == 0)
        let watcher = try daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["wifi"]])
        simulator.signal(SIGHUP)
        let note = try #require(try watcher.nextNotification(timeoutMilliseconds: 5000))
        #expect(note.params["event"] == "signal_changed")
        #expect(note.params["data"]?["rssi"] == -58)
        #expect(try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"] == -58)
    }
}
