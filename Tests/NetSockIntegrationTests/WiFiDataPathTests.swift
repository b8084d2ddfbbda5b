#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// Wi-Fi end to end: `netsock-wifi-sim --device` gives its radio a data path (a veth pair
/// whose far end, behind the access point, runs dnsmasq), so connect associates, takes an
/// address by DHCP, comes up, and sockets carry data to a peer behind the access point.
@Suite(.serialized) struct WiFiDataPathTests {
    /// Mbed's connect(ssid, pass, security) to the simulator's access point.
    static let connectToNetsock: JSONObject = ["interface": "wifi0", "ssid": "netsock", "pass": "netsock-pass", "security": "wpa2"]

    func daemon(_ radio: SimulatedRadio, stack: String, dhcp: Bool = false, timeoutMilliseconds: Int = 15_000) throws -> DaemonLauncher {
        var interface: JSONObject = [
            "type": "wifi", "stack": .string(stack), "wpa_supplicant": ["ctrl": .string(radio.control)],
            "connect_timeout_ms": JSONValue(timeoutMilliseconds),
        ]
        if stack == "ip" {
            interface["link"] = ["packet": .string(radio.device)]
        } else {
            interface["device"] = .string(radio.device)
            interface["dhcp"] = .bool(dhcp)
        }
        return try DaemonLauncher(
            config: [
                "control": ["admin_group": nil], "dns": ["servers": [], "use_resolv_conf": false, "timeout_ms": 2000],
                "interfaces": ["wifi0": .object(interface)],
            ],
            launcher: ["/sbin/ip", "netns", "exec", radio.station])
    }

    /// A TCP and a UDP round trip with the echo peer behind the access point.
    func exchange(_ client: NSAPIClient, _ radio: SimulatedRadio, _ text: String) throws {
        let tcp = try client.open(.tcp)
        #expect(client.connect(tcp, SimulatedRadio.accessPointAddress, radio.echoPort) == 0)
        let bytes = Array(text.utf8)
        #expect(client.send(tcp, bytes) == bytes.count)
        var received: [UInt8] = []
        while received.count < bytes.count, case .success(let chunk) = client.recv(tcp, 4096), !chunk.isEmpty { received += chunk }
        #expect(received == bytes)
        #expect(client.close(tcp) == 0)
        let udp = try client.open(.udp)
        #expect(client.sendto(udp, SimulatedRadio.accessPointAddress, radio.echoPort, bytes) == bytes.count)
        guard case .success(let (address, port, datagram)) = client.recvfrom(udp, 4096) else {
            Issue.record("no UDP echo")
            return
        }
        #expect(address == SimulatedRadio.accessPointAddress && port == radio.echoPort && datagram == bytes)
        #expect(client.close(udp) == 0)
    }

    func status(_ client: NSAPIClient) throws -> JSONValue { try client.rpc.call(API.InterfaceStatus.name, ["interface": "wifi0"]) }

    @Test("ip stack over the radio: connect associates, leases an address from dnsmasq and comes up; DNS and sockets work; the access point goes and comes back; disconnect and reconnect")
    func ipStackThroughDHCP() throws {
        guard Privilege.rootTestsEnabled("WiFiDataPathTests.ipStackThroughDHCP") else { return }
        let radio = try SimulatedRadio(dhcp: true)
        defer { radio.stop() }
        let daemon = try self.daemon(radio, stack: "ip")
        let client = NSAPIClient(try daemon.client(), interface: "wifi0")
        let watcher = try daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["wifi", "interface"]])
        #expect(try self.status(client)["status"] == "disconnected")
        #expect(try !radio.hasCarrier())

        let connect = Self.connectToNetsock
        #expect(try client.rpc.call(API.InterfaceConnect.name, connect, timeoutMilliseconds: 30_000)["status"] == "global_up")
        var names: [String] = []
        while !names.contains("global_up"), let note = try watcher.nextNotification(timeoutMilliseconds: 5000) {
            let name = note.params["event"]?.stringValue ?? ""
            names.append(name == "status_changed" ? note.params["data"]?["status"]?.stringValue ?? "" : name)
        }
        #expect(names == ["connecting", "associated", "global_up"], "\(names)")
        #expect(try radio.hasCarrier())
        let up = try self.status(client)
        let address = try #require(up["ipv4"]?["address"]?.stringValue)
        #expect(address.hasPrefix("192.0.2.1") && address != SimulatedRadio.accessPointAddress, "\(up)")
        #expect(up["ipv4"]?["gateway"] == .string(SimulatedRadio.accessPointAddress), "\(up)")
        #expect(up["dns"]?.arrayValue?.contains { $0.stringValue?.hasPrefix(SimulatedRadio.accessPointAddress) == true } == true, "\(up)")

        // The DNS server DHCP named answers for the name dnsmasq holds.
        let resolved = try client.rpc.call(API.DNSGetHostByName.name, ["name": "ap.wifi.test", "version": "ipv4", "interface": "wifi0"])
        #expect(resolved["address"] == .string(SimulatedRadio.accessPointAddress), "\(resolved)")
        try self.exchange(client, radio, "through the air")

        // The access point vanishes: no carrier, connecting; back: up with the same lease.
        radio.simulator.signal(SIGUSR1)
        #expect(try waitUntil { try self.status(client)["status"] == "connecting" })
        #expect(try waitUntil { try !radio.hasCarrier() })
        radio.simulator.signal(SIGUSR2)
        #expect(try waitUntil { try self.status(client)["status"] == "global_up" })
        #expect(try self.status(client)["ipv4"]?["address"] == .string(address))
        try self.exchange(client, radio, "back again")

        // Disconnect leaves the access point; each reconnect leases and carries data again.
        for round in 0..<3 {
            #expect(try client.rpc.call(API.InterfaceDisconnect.name, ["interface": "wifi0"])["status"] == "disconnected")
            #expect(try waitUntil { try !radio.hasCarrier() })
            #expect(try client.rpc.call(API.InterfaceConnect.name, ["interface": "wifi0"], timeoutMilliseconds: 30_000)["status"] == "global_up")
            try self.exchange(client, radio, "round \(round)")
        }
    }

    @Test("no DHCP server behind the access point: DHCP_FAILURE, and the station leaves the access point again")
    func dhcpFailureLeavesTheAccessPoint() throws {
        guard Privilege.rootTestsEnabled("WiFiDataPathTests.dhcpFailureLeavesTheAccessPoint") else { return }
        let radio = try SimulatedRadio(dhcp: false)
        defer { radio.stop() }
        let daemon = try self.daemon(radio, stack: "ip", timeoutMilliseconds: 1500)
        let client = NSAPIClient(try daemon.client(), interface: "wifi0")
        let connect = Self.connectToNetsock
        #expect(client.code(API.InterfaceConnect.name, connect) == NSAPICode.dhcpFailure)
        #expect(try self.status(client)["status"] == "disconnected")
        #expect(try waitUntil { try !radio.hasCarrier() })
        // A static network instead: up as soon as associated.
        _ = try client.rpc.call(API.InterfaceSetNetwork.name, ["interface": "wifi0", "address": "192.0.2.20", "netmask": "255.255.255.0", "gateway": ""])
        #expect(try client.rpc.call(API.InterfaceConnect.name, ["interface": "wifi0"], timeoutMilliseconds: 30_000)["status"] == "global_up")
        try self.exchange(client, radio, "static over the ip stack")
    }

    @Test("kernel stack over the radio: a static network, up once associated; the kernel's sockets reach the peer behind the access point; again with the address kept")
    func kernelStackWithStaticNetwork() throws {
        guard Privilege.rootTestsEnabled("WiFiDataPathTests.kernelStackWithStaticNetwork") else { return }
        let radio = try SimulatedRadio(dhcp: false)
        defer { radio.stop() }
        let daemon = try self.daemon(radio, stack: "kernel")
        let client = NSAPIClient(try daemon.client(), interface: "wifi0")
        _ = try client.rpc.call(API.InterfaceSetNetwork.name, ["interface": "wifi0", "address": "192.0.2.30", "netmask": "255.255.255.0", "gateway": ""])
        let connect = Self.connectToNetsock
        // The second time the address is on the device already when the association
        // comes: connect still ends global_up, not IS_CONNECTED.
        for round in 0..<2 {
            #expect(try client.rpc.call(API.InterfaceConnect.name, connect, timeoutMilliseconds: 30_000)["status"] == "global_up")
            #expect(try radio.hasCarrier())
            try self.exchange(client, radio, "through the kernel, round \(round)")
            #expect(try client.rpc.call(API.InterfaceDisconnect.name, ["interface": "wifi0"])["status"] == "disconnected")
            #expect(try waitUntil { try !radio.hasCarrier() })
            #expect(try self.status(client)["status"] == "disconnected")
        }
    }

    @Test("kernel stack with the host's DHCP client (dhcpcd, which follows carrier): connect waits past the link-local address for the lease; the kernel's sockets reach the peer; again after a reconnect")
    func kernelStackWithHostDHCPClient() throws {
        guard Privilege.rootTestsEnabled("WiFiDataPathTests.kernelStackWithHostDHCPClient") else { return }
        guard access("/usr/sbin/dhcpcd", X_OK) == 0 else {
            Issue.record("dhcpcd is not installed (make test installs dhcpcd-base)")
            return
        }
        let radio = try SimulatedRadio(dhcp: true)
        defer { radio.stop() }
        // The host's client as on a Raspberry Pi: it waits for carrier, then leases.
        // No hooks (-c /bin/true), so the host's resolv.conf stays as it is.
        let dhcpcd = try Subprocess(
            "/sbin/ip", ["netns", "exec", radio.station, "/usr/sbin/dhcpcd", "-B", "-4", "-c", "/bin/true", "-f", "/dev/null", "--noipv4ll", radio.device],
            directory: radio.directory.path)
        defer {
            dhcpcd.stop()
            unlink("/var/lib/dhcpcd/\(radio.device).lease")
        }
        #expect(try waitUntil { (dhcpcd.stdout + dhcpcd.stderr).contains("waiting for carrier") }, "\(dhcpcd.stderr)")
        let daemon = try self.daemon(radio, stack: "kernel", dhcp: true, timeoutMilliseconds: 30_000)
        let client = NSAPIClient(try daemon.client(), interface: "wifi0")
        let connect = Self.connectToNetsock
        for round in 0..<2 {
            #expect(try client.rpc.call(API.InterfaceConnect.name, connect, timeoutMilliseconds: 60_000)["status"] == "global_up")
            let up = try self.status(client)
            let address = try #require(up["ipv4"]?["address"]?.stringValue, "\(up)")
            #expect(address.hasPrefix("192.0.2.1") && address != SimulatedRadio.accessPointAddress, "\(up)")
            // dhcpcd puts the address first, then its routes (the subnet's, then the
            // default): the lease is whole once the gateway is there.
            #expect(try waitUntil { try self.status(client)["ipv4"]?["gateway"] == .string(SimulatedRadio.accessPointAddress) })
            try self.exchange(client, radio, "the host's lease, round \(round)")
            #expect(try client.rpc.call(API.InterfaceDisconnect.name, ["interface": "wifi0"])["status"] == "disconnected")
            #expect(try waitUntil { try !radio.hasCarrier() })
        }
    }

    @Test("a data path that cannot be made (a device name over 15 bytes) is a clear error, and nothing of it stays behind")
    func badDeviceLeavesNothing() throws {
        guard Privilege.rootTestsEnabled("WiFiDataPathTests.badDeviceLeavesNothing") else { return }
        let station = try TestNamespace("sta")
        let accessPoint = try TestNamespace("ap")
        let directory = try TemporaryDirectory("netsock-radio")
        let result = try Subprocess.run(
            "/sbin/ip",
            ["netns", "exec", station.name, BuiltProducts.directory + "/netsock-wifi-sim", "--ctrl", directory.path + "/w", "--device", "far-too-long-a-name",
             "--ap-netns", accessPoint.name, "--dhcp-range", "192.0.2.100,192.0.2.150"],
            directory: directory.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("ip link add far-too-long-a-name"), "\(result.stderr)")
        for namespace in [station, accessPoint] {
            let links = try Subprocess.run("/sbin/ip", ["-n", namespace.name, "-o", "link"], directory: directory.path).stdout
            #expect(links.split(separator: "\n").count == 1, "\(namespace.name): \(links)")  // lo alone
        }
    }
}
