#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// netsockd with a Wi-Fi interface on `netsock-wifi-sim`: a secure and an unsecure access point.
final class WiFiSuiteDaemon: @unchecked Sendable {
    let directory: TemporaryDirectory
    let simulator: Subprocess
    let daemon: DaemonLauncher
    static let secureSSID = "netsock-secure"
    static let securePass = "netsock-pass"
    static let unsecureSSID = "netsock-open"

    init() throws {
        self.directory = try TemporaryDirectory("netsock-wifi")
        let aps = """
            [{"ssid": "\(Self.secureSSID)", "security": "wpa_wpa2", "pass": "\(Self.securePass)", "rssi": -45, "channel": 6},
             {"ssid": "\(Self.unsecureSSID)", "security": "none", "rssi": -65, "channel": 1}]
            """
        try writeFile(self.directory.path + "/aps.json", Array(aps.utf8))
        let control = self.directory.path + "/wlan0"
        let simulator = try Subprocess(
            BuiltProducts.directory + "/netsock-wifi-sim", ["--ctrl", control, "--aps", self.directory.path + "/aps.json"], directory: self.directory.path)
        guard try waitUntil({ simulator.stdout.contains("netsock-wifi-sim:") }) else { throw SubprocessError(description: "netsock-wifi-sim did not start") }
        self.simulator = simulator
        self.daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false],
            "interfaces": ["wifi0": ["type": "wifi", "stack": "kernel", "device": "lo", "dhcp": false, "wpa_supplicant": ["ctrl": .string(control)]]],
        ])
    }
}

/// Mbed's Wi-Fi suite (connectivity/netsocket/tests/TESTS/network/wifi), WIFI-01 … WIFI-16
/// with WIFI-03's table, through JSON-RPC against the simulator. Each case has its own
/// daemon and radio (connects and credentials are per interface).
@Suite struct WiFiConformanceTests {
    func code(_ client: RPCClient, _ method: String, _ params: JSONObject) -> Int {
        NSAPIClient(client, interface: "wifi0").code(method, params)
    }

    func credentials(_ ssid: String?, _ pass: String?, _ security: String) -> JSONObject {
        var params: JSONObject = ["interface": "wifi0", "security": .string(security)]
        if let ssid { params["ssid"] = .string(ssid) } else { params["ssid"] = "" }
        if let pass { params["pass"] = .string(pass) }
        return params
    }

    @Test("WIFI-01/02 WIFI-CONSTRUCTOR, WIFI-CONNECT-NOCREDENTIALS: the interface exists; connect is PARAMETER, disconnect NO_CONNECTION")
    func noCredentials() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        #expect(try client.call(API.InterfaceList.name).arrayValue?.first?["type"] == "wifi")
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == NSAPI.parameter)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == NSAPI.noConnection)
    }

    @Test("WIFI-03 WIFI-SET-CREDENTIAL, every row of its table")
    func setCredentials() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        let rows: [(String?, String?, String, [Int])] = [
            (nil, nil, "none", [NSAPI.parameter]), ("", "", "none", [NSAPI.parameter]), ("OK", nil, "none", [0]), ("OK", "", "none", [0]),
            ("OK", nil, "wep", [NSAPI.parameter]), ("OK", nil, "wpa_wpa2", [NSAPI.parameter]), ("OK", "", "wpa_wpa2", [NSAPI.parameter]),
            ("OK", nil, "wpa3_wpa2", [NSAPI.parameter]), ("OK", "12345678", "wep", [0, NSAPI.unsupported]), ("OK", "12345678", "wpa", [0, NSAPI.unsupported]),
            ("OK", "12345678", "wpa2", [0, NSAPI.unsupported]), ("OK", "12345678", "wpa3", [0, NSAPI.unsupported]), ("OK", "12345678", "wpa_wpa2", [0]),
            ("OK", "12345678", "wpa3_wpa2", [0]), ("OK", String(repeating: "a", count: 63), "wpa_wpa2", [0]),
            ("OK", String(repeating: "a", count: 64), "wpa_wpa2", [NSAPI.parameter]),
        ]
        for (ssid, pass, security, allowed) in rows {
            let got = self.code(client, API.WiFiSetCredentials.name, self.credentials(ssid, pass, security))
            #expect(allowed.contains(got), "set_credentials(\(ssid ?? "NULL"), \(pass.map { "\($0.count) chars" } ?? "NULL"), \(security)) gave \(got)")
        }
    }

    @Test("WIFI-04 WIFI-SET-CHANNEL: 0, 1, 13, 36 OK; 15, 30, 169 PARAMETER")
    func setChannel() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        for (channel, expected) in [(0, 0), (1, 0), (13, 0), (15, NSAPI.parameter), (30, NSAPI.parameter), (36, 0), (169, NSAPI.parameter)] {
            #expect(self.code(client, API.WiFiSetChannel.name, ["interface": "wifi0", "channel": JSONValue(channel)]) == expected, "channel \(channel)")
        }
    }

    @Test("WIFI-05 WIFI-GET-RSSI: 0 before connect, between -100 and -10 dBm after")
    func rssi() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        #expect(self.code(client, API.WiFiSetCredentials.name, self.credentials(WiFiSuiteDaemon.secureSSID, WiFiSuiteDaemon.securePass, "wpa_wpa2")) == 0)
        #expect(try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"] == 0)
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == 0)
        let rssi = try client.call(API.WiFiRSSI.name, ["interface": "wifi0"])["rssi"]?.intValue ?? 0
        #expect((-100 ... -10).contains(rssi))
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
    }

    @Test("WIFI-06/07/08/09/12/13 connect's own parameters: empty PARAMETER, secure OK, right channel OK, wrong channel NO_CONNECTION, wrong key AUTH_FAILURE")
    func connectParameters() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        func connect(_ params: JSONObject) -> Int {
            var all = params
            all["interface"] = "wifi0"
            return self.code(client, API.InterfaceConnect.name, all)
        }
        #expect(connect(["ssid": "", "pass": ""]) == NSAPI.parameter)
        #expect(connect(["ssid": .string(WiFiSuiteDaemon.secureSSID), "pass": .string(WiFiSuiteDaemon.securePass), "security": "wpa_wpa2"]) == 0)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        #expect(connect(["ssid": .string(WiFiSuiteDaemon.secureSSID), "pass": .string(WiFiSuiteDaemon.securePass), "security": "wpa_wpa2", "channel": 6]) == 0)
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        let wrongChannel = connect(["ssid": .string(WiFiSuiteDaemon.secureSSID), "pass": .string(WiFiSuiteDaemon.securePass), "security": "wpa_wpa2", "channel": 11])
        #expect([NSAPI.noConnection, NSAPI.connectionTimeout].contains(wrongChannel))
        #expect(self.code(client, API.WiFiSetChannel.name, ["interface": "wifi0", "channel": 0]) == 0)
        #expect(self.code(client, API.WiFiSetCredentials.name, self.credentials(WiFiSuiteDaemon.secureSSID, "aaaaaaaa", "wpa_wpa2")) == 0)
        #expect([NSAPI.authFailure, NSAPI.noConnection, NSAPI.connectionTimeout].contains(connect([:])))
    }

    @Test("WIFI-10/14 WIFI-CONNECT, WIFI-CONNECT-DISCONNECT-REPEAT: unsecure with no and an empty password, then ten cycles")
    func connectRepeat() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        for pass in [nil, ""] as [String?] {
            #expect(self.code(client, API.WiFiSetCredentials.name, self.credentials(WiFiSuiteDaemon.unsecureSSID, pass, "none")) == 0)
            #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == 0)
            #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        }
        #expect(self.code(client, API.WiFiSetCredentials.name, self.credentials(WiFiSuiteDaemon.secureSSID, WiFiSuiteDaemon.securePass, "wpa_wpa2")) == 0)
        for _ in 0..<10 {
            #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"]) == 0)
            #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        }
    }

    @Test("WIFI-11 WIFI_CONNECT_DISCONNECT_NONBLOCK: credentials while connecting are BUSY; status connecting then global_up")
    func nonblocking() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        #expect(self.code(client, API.WiFiSetCredentials.name, self.credentials(WiFiSuiteDaemon.unsecureSSID, nil, "none")) == 0)
        #expect(try client.call(API.InterfaceConnect.name, ["interface": "wifi0", "blocking": false])["status"] == "connecting")
        let during = self.code(client, API.WiFiSetCredentials.name, self.credentials("1234", "12345678", "wpa_wpa2"))
        #expect([NSAPI.busy, 0].contains(during))
        #expect([NSAPI.busy, NSAPI.isConnected].contains(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0"])))
        var statuses: [String] = []
        while !statuses.contains("global_up"), let note = try watcher.nextNotification(timeoutMilliseconds: 5000) {
            if let status = note.params["data"]?["status"]?.stringValue { statuses.append(status) }
        }
        #expect(statuses == ["connecting", "global_up"])
        #expect(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"]) == 0)
        #expect([NSAPI.busy, NSAPI.noConnection].contains(self.code(client, API.InterfaceDisconnect.name, ["interface": "wifi0"])))
    }

    @Test("WIFI-15/16 WIFI-SCAN-NULL, WIFI-SCAN: both networks with their security, RSSI in range; scanning while connected")
    func scan() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        let list = try #require(try client.call(API.WiFiScan.name, ["interface": "wifi0"]).arrayValue)
        #expect(list.count >= 2)
        #expect(list.first { $0["ssid"]?.stringValue == WiFiSuiteDaemon.secureSSID }?["security"] == "wpa_wpa2")
        #expect(list.first { $0["ssid"]?.stringValue == WiFiSuiteDaemon.unsecureSSID }?["security"] == "none")
        #expect(list.allSatisfy { (-100 ... -10).contains($0["rssi"]?.intValue ?? 0) })
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0", "ssid": .string(WiFiSuiteDaemon.unsecureSSID)]) == 0)
        #expect(try client.call(API.WiFiScan.name, ["interface": "wifi0", "count": 1]).arrayValue?.count == 1)
        #expect(try client.call(API.InterfaceStatus.name, ["interface": "wifi0"])["status"] == "global_up")
    }

    @Test("an access point that vanishes takes the link down; when it comes back the link and global_up return")
    func vanishingAccessPoint() throws {
        let environment = try WiFiSuiteDaemon()
        let client = try environment.daemon.client()
        let watcher = try environment.daemon.client()
        #expect(self.code(client, API.InterfaceConnect.name, ["interface": "wifi0", "ssid": .string(WiFiSuiteDaemon.unsecureSSID)]) == 0)
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["interface", "wifi"]])
        environment.simulator.signal(SIGUSR1)
        var seen: [String] = []
        func wait(for status: String) throws {
            while !seen.contains(status), let note = try watcher.nextNotification(timeoutMilliseconds: 5000) {
                seen.append(note.params["data"]?["status"]?.stringValue ?? note.params["event"]?.stringValue ?? "")
            }
        }
        try wait(for: "connecting")
        #expect(seen == ["disconnected", "connecting"], "\(seen)")
        environment.simulator.signal(SIGUSR2)
        try wait(for: "global_up")
        #expect(seen == ["disconnected", "connecting", "associated", "global_up"], "\(seen)")
    }
}
