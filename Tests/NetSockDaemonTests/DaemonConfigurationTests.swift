import NSAPI
import NetSockDaemon
import NetSockJSON
import Testing

@Suite struct DaemonConfigurationTests {
    @Test func theAPIExampleParsesToItsValues() throws {
        let text = """
            {"control": {"socket": "/run/netsockd/netsockd.sock", "mode": "0660", "admin_group": "netsock",
              "max_clients": 256, "max_message_bytes": 1048576, "max_sockets_per_client": 64},
             "default_interface": "eth0",
             "dns": {"servers": ["192.0.2.53", "[2001:db8::53]:53"], "cache_size": 16, "timeout_ms": 2000, "attempts": 3, "max_async": 5},
             "interfaces": {
               "lo":   {"type": "loopback", "stack": "kernel", "device": "lo"},
               "eth0": {"type": "ethernet", "stack": "kernel", "device": "eth0"},
               "tap0": {"type": "ethernet", "stack": "ip", "link": {"tap": "nsd0"}, "dhcp": true},
               "cell0": {"type": "cellular", "stack": "modem", "device": "/dev/ttyUSB2", "dialect": "ublox", "apn": "internet"}}}
            """
        let configuration = try DaemonConfiguration(parsingText: Array(text.utf8))
        #expect(configuration.control.mode == 0o660)
        #expect(configuration.control.adminGroup == "netsock")
        #expect(configuration.dns.servers.map(\.description) == ["192.0.2.53:53", "[2001:db8::53]:53"])
        #expect(configuration.interfaces.map(\.name) == ["lo", "eth0", "tap0", "cell0"])
        #expect(configuration.interfaces[2].link == .tap("nsd0"))
        #expect(configuration.interfaces[2].dhcp == true)
        #expect(configuration.interfaces[3].stack == .modem)
        #expect(configuration.stackNames == ["kernel", "ip", "modem"])
        #expect(configuration.defaultInterface == "eth0")
    }

    @Test func emptyObjectGivesTheDefaults() throws {
        let configuration = try DaemonConfiguration(parsing: .object([:]))
        #expect(configuration == DaemonConfiguration())
        #expect(configuration.control.maxClients == 256)
        #expect(configuration.control.maxMessageBytes == 1 << 20)
        #expect(configuration.control.maxSocketsPerClient == 64)
        #expect(configuration.control.maxBatch == 100)
        #expect(configuration.dns.maxAsync == 5)
    }

    @Test(arguments: [
        (#"{"control": {"mode": "0999"}}"#, "control.mode"), (#"{"control": {"mode": "660"}}"#, ""),
        (#"{"control": {"mode": 660}}"#, "control.mode"), (#"{"control": {"socket": ""}}"#, "control.socket"),
        (#"{"control": {"admin_group": ""}}"#, "control.admin_group"), (#"{"control": {"max_batch": 0}}"#, "control.max_batch"),
        (#"{"control": {"max_message_bytes": 10}}"#, "control.max_message_bytes"), (#"{"control": []}"#, "control"),
        (#"{"dns": {"servers": "192.0.2.1"}}"#, "dns.servers"), (#"{"dns": {"servers": ["192.0.2.1:0"]}}"#, "dns.servers[0]"),
        (#"{"dns": {"attempts": 1.5}}"#, "dns.attempts"), (#"{"dns": {"bogus": 1}}"#, "dns.bogus"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth 0"}}}"#, "interfaces.x.device"),
        (#"{"interfaces": {"x": {"type": "ethernet", "stack": "quantum", "device": "eth0"}}}"#, "interfaces.x.stack"),
        (#"{"interfaces": {"x": {"type": "cellular", "stack": "kernel", "device": "eth0"}}}"#, "interfaces.x.type"),
        (#"{"interfaces": {"x": {"type": "ethernet", "stack": "ip", "link": {"tap": "a", "packet": "b"}}}}"#, "interfaces.x.link"),
        (#"{"interfaces": {"x": {"type": "ethernet", "stack": "ip", "link": {"tun": "a"}}}}"#, "interfaces.x.link.tun"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "apn": "internet"}}}"#, "interfaces.x.apn"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "dialect": "ublox"}}}"#, "interfaces.x.dialect"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "dhcp": "yes"}}}"#, "interfaces.x.dhcp"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "mtu": 1500}}}"#, "interfaces.x.mtu"),
        (#"{"interfaces": {"": {"type": "loopback", "device": "lo"}}}"#, "interfaces."),
        (#"{"interfaces": {"x": 5}}"#, "interfaces.x"), (#"{"default_interface": 5}"#, "default_interface"),
        // Cellular: the dialect, the line, the secrets.
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "quectel", "apn": "a", "pin": "1234", "username": "u", "password": "p", "baud": 921600, "flow_control": true, "trace": true}}}"#, ""),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2"}}}"#, "interfaces.c.dialect"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "sierra"}}}"#, "interfaces.c.dialect"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "ttyUSB2", "dialect": "ublox"}}}"#, "interfaces.c.device"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "ublox", "baud": 12345}}}"#, "interfaces.c.baud"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "ublox", "baud": "fast"}}}"#, "interfaces.c.baud"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "ublox", "flow_control": "yes"}}}"#, "interfaces.c.flow_control"),
        (#"{"interfaces": {"c": {"type": "cellular", "device": "/dev/ttyUSB2", "dialect": "ublox", "pin": 1234}}}"#, "interfaces.c.pin"),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "pin": "1234"}}}"#, "interfaces.x"),
        // Wi-Fi: a running wpa_supplicant or one to spawn, never both.
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"ctrl": "/run/wpa_supplicant/wlan0"}}}}"#, ""),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"spawn": true, "driver": "wired"}}}}"#, ""),
        (#"{"interfaces": {"x": {"type": "ethernet", "device": "eth0", "wpa_supplicant": {"ctrl": "/x"}}}}"#, "interfaces.x.wpa_supplicant"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"ctrl": "run/wlan0"}}}}"#, "interfaces.w.wpa_supplicant.ctrl"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"ctrl": "/x", "spawn": true}}}}"#, "interfaces.w.wpa_supplicant"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {}}}}"#, "interfaces.w.wpa_supplicant"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"spawn": true, "driver": "magic"}}}}"#, "interfaces.w.wpa_supplicant.driver"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"ctrl": "/x", "driver": "wired"}}}}"#, "interfaces.w.wpa_supplicant.driver"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": {"ctrl": "/x", "bogus": 1}}}}"#, "interfaces.w.wpa_supplicant.bogus"),
        (#"{"interfaces": {"w": {"type": "wifi", "device": "wlan0", "wpa_supplicant": "/x"}}}"#, "interfaces.w.wpa_supplicant"),
        // Wi-Fi on the ip stack: through the radio's device by AF_PACKET, which the spawned
        // wpa_supplicant then drives; a TAP device is no radio; spawn needs some device.
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "link": {"packet": "wlan0"}, "wpa_supplicant": {"spawn": true}}}}"#, ""),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "link": {"packet": "wlan0"}, "wpa_supplicant": {"ctrl": "/x"}}}}"#, ""),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "link": {"tap": "tap0"}, "wpa_supplicant": {"ctrl": "/x"}}}}"#, "interfaces.w.link"),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "modem", "device": "/dev/ttyUSB0", "wpa_supplicant": {"ctrl": "/x"}}}}"#, "interfaces.w.type"),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "kernel", "wpa_supplicant": {"spawn": true}}}}"#, "interfaces.w.device"),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "device": "wlan1", "link": {"packet": "wlan0"}, "wpa_supplicant": {"ctrl": "/x"}}}}"#, "interfaces.w.device"),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "device": "wlan0", "link": {"packet": "wlan0"}, "wpa_supplicant": {"ctrl": "/x"}}}}"#, ""),
        (#"{"interfaces": {"w": {"type": "wifi", "stack": "ip", "link": {"packet": "wlan0", "mac": "02:00:5e:00:53:07"}, "wpa_supplicant": {"ctrl": "/x"}}}}"#, "interfaces.w.link.mac"),
    ])
    func invalidValuesNameTheirKey(text: String, key: String) {
        do {
            let configuration = try DaemonConfiguration(parsingText: Array(text.utf8))
            #expect(key.isEmpty, "\(text) should be refused")
            #expect(configuration.control.mode == 0o660)
        } catch {
            #expect(!key.isEmpty, "\(text) should parse: \(error)")
            #expect(error.key == key, "\(text): \(error)")
        }
    }

    @Test("a mode with leading zeros is written back as one the parser takes (the config fuzz target's find)")
    func smallModesRoundTrip() throws {
        for mode in ["001", "0007", "077", "0660"] {
            let configuration = try DaemonConfiguration(parsingText: Array(#"{"control": {"mode": "\#(mode)"}}"#.utf8))
            let written = JSONCodec.encode(configuration.json)
            let again = try DaemonConfiguration(parsingText: written)
            #expect(again.control.mode == configuration.control.mode)
        }
    }

    @Test func hostileConfigTextIsRefusedNotCrashed() {
        let hostile: [[UInt8]] = [
            [], [0xFF, 0xFE], Array(String(repeating: "[", count: 50_000).utf8), Array(#"{"control": {"mode": "0660""#.utf8),
            Array(#"{"interfaces": {"a": {"type": "loopback", "device": "lo"}, "a": {}}}"#.utf8),
            Array(("{\"interfaces\": {" + (0..<5000).map { "\"i\($0)\": 1" }.joined(separator: ",") + "}}").utf8),
        ]
        for bytes in hostile {
            #expect(throws: ConfigurationError.self) { try DaemonConfiguration(parsingText: bytes) }
        }
    }

    @Test func embeddedDefaultMapsKernelDevices() {
        let configuration = DaemonConfiguration.embeddedDefault(devices: ["eth0", "lo", "wlan0", "bad name"], defaultRouteDevice: "wlan0")
        #expect(configuration.interfaces.map(\.name) == ["lo", "eth0", "wlan0"])
        #expect(configuration.interfaces[0].type == .loopback)
        #expect(configuration.interfaces[1].type == .ethernet)
        #expect(configuration.defaultInterface == "wlan0")
        #expect(configuration.stackNames == ["kernel"])
        #expect(DaemonConfiguration.embeddedDefault(devices: ["lo"], defaultRouteDevice: nil).defaultInterface == "lo")
        #expect(DaemonConfiguration.embeddedDefault(devices: ["lo", "eth1"], defaultRouteDevice: "ppp0").defaultInterface == "eth1")
    }
}
