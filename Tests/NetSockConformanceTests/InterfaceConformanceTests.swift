#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// A veth pair whose far end lives in its own network namespace, with an address
/// and an echo peer there: a second host on this machine.
final class VethHost {
    let namespace: String
    let device: String
    let peerDevice: String
    let directory: TemporaryDirectory
    private var echo: Subprocess?
    static let localAddress = "198.51.100.1"
    static let peerAddress = "198.51.100.2"

    init() throws {
        let tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        self.namespace = "nsd-test-\(tag)"
        self.device = "nsdv\(tag)"
        self.peerDevice = "nsdp\(tag)"
        self.directory = try TemporaryDirectory("netsock-veth")
        try self.ip(["netns", "add", self.namespace])
        TestResources.created(namespace: self.namespace)
        try self.ip(["link", "add", self.device, "type", "veth", "peer", "name", self.peerDevice])
        try self.ip(["link", "set", self.peerDevice, "netns", self.namespace])
        try self.ip(["netns", "exec", self.namespace, "ip", "addr", "add", "\(Self.peerAddress)/24", "dev", self.peerDevice])
        try self.ip(["netns", "exec", self.namespace, "ip", "link", "set", self.peerDevice, "up"])
        try self.ip(["netns", "exec", self.namespace, "ip", "link", "set", "lo", "up"])
    }

    @discardableResult
    func ip(_ arguments: [String]) throws -> String {
        let result = try Subprocess.run("/sbin/ip", arguments, directory: self.directory.path)
        guard result.status == 0 else { throw SubprocessError(description: "ip \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout
    }

    /// A TCP echo server inside the namespace (socat, forking per connection).
    func startEcho(port: Int) throws {
        self.echo = try Subprocess(
            "/sbin/ip", ["netns", "exec", self.namespace, "socat", "TCP-LISTEN:\(port),reuseaddr,fork", "EXEC:cat"],
            directory: self.directory.path)
        // Ready when the namespace's kernel lists the listener.
        let listening = try waitUntil {
            try self.ip(["netns", "exec", self.namespace, "ss", "-Hltn", "sport = :\(port)"]).contains(":\(port)")
        }
        if !listening { throw SubprocessError(description: "socat did not listen on port \(port)") }
    }

    deinit {
        self.echo?.terminate()
        // Children of the echo server outlive it while their connection is open, and a
        // connection over a deleted veth never ends: everything in the namespace goes.
        TestResources.killProcesses(inNamespace: self.namespace)
        _ = try? self.ip(["link", "del", self.device])
        _ = try? self.ip(["netns", "del", self.namespace])
        TestResources.released(namespace: self.namespace)
    }
}

/// Mbed's network interface suite (connectivity/netsocket/tests/TESTS/network/interface)
/// on a kernel interface backed by a veth pair, plus the status events in order.
@Suite(.serialized) struct InterfaceConformanceTests {
    static let interfaceName = "veth0"

    /// The veth host, the daemon and a client, alive together for one test.
    final class Fixture {
        let host: VethHost
        let daemon: DaemonLauncher
        let client: NSAPIClient
        init(host: VethHost, daemon: DaemonLauncher, client: NSAPIClient) {
            self.host = host
            self.daemon = daemon
            self.client = client
        }
    }

    /// A daemon with the veth as interface `veth0`, on a static address.
    func setUp() throws -> Fixture? {
        guard Privilege.rootTestsEnabled("InterfaceConformanceTests") else { return nil }
        let host = try VethHost()
        let daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil],
            "dns": ["use_resolv_conf": false],
            "interfaces": [
                "lo": ["type": "loopback", "device": "lo"],
                .init(stringLiteral: Self.interfaceName): ["type": "ethernet", "device": .string(host.device), "dhcp": false],
            ],
        ])
        let client = NSAPIClient(try daemon.client(), interface: Self.interfaceName)
        #expect(
            client.code(
                API.InterfaceSetNetwork.name,
                ["interface": .string(Self.interfaceName), "address": .string(VethHost.localAddress), "netmask": "255.255.255.0", "gateway": "198.51.100.254"])
                == 0)
        return Fixture(host: host, daemon: daemon, client: client)
    }

    func status(_ client: NSAPIClient) -> String {
        (try? client.rpc.call(API.InterfaceStatus.name, ["interface": .string(Self.interfaceName)]))?["status"]?.stringValue ?? "?"
    }

    /// The statuses of `status_changed` events for the interface, repeats dropped, until `last` or a timeout.
    func statuses(_ client: NSAPIClient, until last: String) -> [String] {
        var seen: [String] = []
        while seen.last != last, let notification = try? client.rpc.nextNotification(timeoutMilliseconds: 5000) {
            guard notification.params["topic"] == "interface", notification.params["event"] == "status_changed",
                notification.params["data"]?["interface"] == .string(Self.interfaceName),
                let status = notification.params["data"]?["status"]?.stringValue
            else { continue }
            if seen.last != status { seen.append(status) }
        }
        return seen
    }

    @Test("IF-01 NETWORKINTERFACE_CONN_DISC_REPEAT") func connectDisconnectRepeat() throws {
        guard let fixture = try self.setUp() else { return }
        let client = fixture.client
        for _ in 0..<5 {
            #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == 0)
            #expect(client.code(API.InterfaceDisconnect.name, ["interface": .string(Self.interfaceName)]) == 0)
        }
        withExtendedLifetime(fixture) {}
    }

    @Test("IF-02 NETWORKINTERFACE_STATUS: connecting, (local_up), global_up, then disconnected") func statusSequence() throws {
        guard let fixture = try self.setUp() else { return }
        let client = fixture.client
        _ = try client.rpc.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        for _ in 0..<5 {
            let connected = try client.rpc.call(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)])
            #expect(connected["status"] == "global_up")
            let up = self.statuses(client, until: "global_up")
            #expect(up == ["connecting", "global_up"] || up == ["connecting", "local_up", "global_up"], "\(up)")
            #expect(try client.rpc.call(API.InterfaceDisconnect.name, ["interface": .string(Self.interfaceName)])["status"] == "disconnected")
            #expect(self.statuses(client, until: "disconnected") == ["disconnected"])
        }
        withExtendedLifetime(fixture) {}
    }

    @Test("IF-03 NETWORKINTERFACE_STATUS_NONBLOCK") func statusNonblock() throws {
        guard let fixture = try self.setUp() else { return }
        let client = fixture.client
        _ = try client.rpc.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        for _ in 0..<5 {
            let started = try client.rpc.call(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName), "blocking": false])
            #expect(started["status"] == "connecting", "returns at once")
            let up = self.statuses(client, until: "global_up")
            #expect(up.first == "connecting" && up.last == "global_up", "\(up)")
            #expect(client.code(API.InterfaceDisconnect.name, ["interface": .string(Self.interfaceName)]) == 0)
            #expect(self.statuses(client, until: "disconnected") == ["disconnected"])
            usleep(1000)
        }
        withExtendedLifetime(fixture) {}
    }

    @Test("IF-04 NETWORKINTERFACE_STATUS_GET") func statusGet() throws {
        guard let fixture = try self.setUp() else { return }
        let client = fixture.client
        #expect(self.status(client) == "disconnected")
        for _ in 0..<5 {
            #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == 0)
            #expect(self.status(client) == "global_up")
            #expect(client.code(API.InterfaceDisconnect.name, ["interface": .string(Self.interfaceName)]) == 0)
            #expect(self.status(client) == "disconnected", "right after disconnect returns")
        }
        withExtendedLifetime(fixture) {}
    }

    @Test("Mbed return codes: IS_CONNECTED when up, NO_CONNECTION when down") func returnCodes() throws {
        guard let fixture = try self.setUp() else { return }
        let client = fixture.client
        #expect(client.code(API.InterfaceDisconnect.name, ["interface": .string(Self.interfaceName)]) == -3004)
        #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == 0)
        #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == -3015)
        #expect(client.code(API.InterfaceConnect.name, ["interface": "nope"]) == -32602)
        withExtendedLifetime(fixture) {}
    }

    @Test("Status, addresses and MAC come from the kernel; external changes are events") func kernelView() throws {
        guard let fixture = try self.setUp() else { return }
        let (host, client) = (fixture.host, fixture.client)
        #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == 0)
        let status = try client.rpc.call(API.InterfaceStatus.name, ["interface": .string(Self.interfaceName)])
        #expect(status["ipv4"]?["address"] == .string(VethHost.localAddress))
        #expect(status["ipv4"]?["netmask"] == "255.255.255.0")
        #expect(status["ipv4"]?["gateway"] == "198.51.100.254", "the default route via the gateway, with its own metric")
        #expect(try host.ip(["route", "show", "default"]).contains("198.51.100.254"))
        #expect(status["mac"]?.stringValue?.count == 17)
        #expect(status["dhcp"] == false)
        _ = try client.rpc.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        try host.ip(["link", "set", host.device, "down"])
        #expect(self.statuses(client, until: "disconnected").last == "disconnected", "someone else's `ip link set down` is seen")
        withExtendedLifetime(fixture) {}
    }

    @Test("Sockets on the interface reach the host behind it (SO_BINDTODEVICE)") func trafficThroughTheInterface() throws {
        guard let fixture = try self.setUp() else { return }
        let (host, client) = (fixture.host, fixture.client)
        try host.startEcho(port: 7)
        #expect(client.code(API.InterfaceConnect.name, ["interface": .string(Self.interfaceName)]) == 0)
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, VethHost.peerAddress, 7) == 0)
        let payload = Array("through the veth".utf8)
        #expect(client.send(socket, payload) == payload.count)
        var received: [UInt8] = []
        while received.count < payload.count, case .success(let chunk) = client.recv(socket, 100), !chunk.isEmpty { received += chunk }
        #expect(received == payload)
        let summary = try client.rpc.call(API.SocketList.name).arrayValue?.first
        #expect(summary?["interface"] == .string(Self.interfaceName))
        // The same peer is not reachable through lo: the socket really is bound to its device.
        let wrong = NSAPIClient(client.rpc, interface: "lo")
        let other = try wrong.open(.tcp)
        _ = client.code(API.SocketSetTimeout.name, ["socket": JSONValue(other), "timeout_ms": 2000])
        #expect(client.connect(other, VethHost.peerAddress, 7) != 0)
        withExtendedLifetime(fixture) {}
    }

    @Test("netsockctl iface up/down/set/dhcp/default and wait-online on a real interface") func commandLine() throws {
        guard let fixture = try self.setUp() else { return }
        let daemon = fixture.daemon
        let name = Self.interfaceName
        #expect(try daemon.ctl(["iface", "set", name, "--address", VethHost.localAddress, "--netmask", "24"]).status == 0)
        let offline = try daemon.ctl(["wait-online", "--interface", name, "--timeout", "1"])
        #expect(offline.status == 3, "not online before the timeout")
        // On a terminal: a spinner with the stages, then the coloured status.
        let up = try daemon.ctlOnTerminal(["iface", "up", name, "--wait-for", "global_up", "--timeout", "20"])
        #expect(up.status == 0, "\(up.output)")
        #expect(up.output.contains("up \(name): "), "the spinner names what it waits for")
        #expect(up.output.contains("\(name): \u{1B}[32mglobal_up"))
        let again = try daemon.ctl(["iface", "up", name])
        #expect(again.status == 0 && again.stdout == "\(name): global_up\n", "already up is success, and a pipe gets no spinner")
        #expect(try daemon.ctl(["wait-online", "--interface", name, "--timeout", "5"]).stdout == "\(name): online\n")
        #expect(try daemon.ctl(["iface", "default", name]).status == 0)
        let row = try daemon.ctl(["iface", "list"]).stdout.split(separator: "\n").first { $0.hasPrefix(name) }
        #expect(row?.contains("global_up") == true && row?.hasSuffix("*") == true, "the default is marked")
        #expect(try daemon.ctl(["iface", "dhcp", name, "maybe"]).status == 2)
        #expect(try daemon.ctl(["iface", "dhcp", name, "off"]).status == 0)
        let down = try daemon.ctl(["iface", "down", name])
        #expect(down.status == 0 && down.stdout == "\(name): disconnected\n")
        let twice = try daemon.ctl(["iface", "down", name])
        #expect(twice.status == 1 && twice.stderr.contains("NSAPI_ERROR_NO_CONNECTION (-3004)"))
        let json = try daemon.ctl(["iface", "up", name, "--json"])
        #expect(try JSONCodec.parse(json.stdout) == ["interface": .string(name), "status": "global_up"])
        let unprivileged = try Subprocess.run(
            "/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", BuiltProducts.netsockctl, "-s", daemon.socketPath, "iface", "down", name],
            directory: daemon.directory.path)
        #expect(unprivileged.status == 4 || unprivileged.status == 6, "not permitted (or no access to the socket file)")
        withExtendedLifetime(fixture) {}
    }
}
