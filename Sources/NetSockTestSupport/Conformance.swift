#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import Synchronization
import NetSockJSON
import NetSockPOSIX
import NetSockRPC

/// The local peers of the Mbed test plan (`Tests/Peers/netsock_peers.py`): inetd's
/// echo, discard, daytime and chargen on TCP and UDP, stunnel in front of them for
/// TLS, dnsmasq for the test host names, and a silent and a slow DNS port. Started once per test process; the
/// script exits when this process does.
public final class TestPeers: @unchecked Sendable {
    public let echo: Int
    public let discard: Int
    public let daytime: Int
    public let chargen: Int
    public let dns: Int
    public let silentDNS: Int
    public let slowDNS: Int
    /// stunnel in front of the TCP services and of echo with bad certificates, and
    /// hostile TLS peers, by name (`tls_echo`, `tls_expired`, `tls_garbage`, ...).
    public let tls: [String: Int]
    /// The test PKI (`make_test_certs.sh`): ca.pem, client.pem and client.key among it.
    public let tlsDirectory: String
    /// Where they listen: loopback, or the kernel's side of the ip stack's test network.
    public let address: String
    private let process: Subprocess
    private let directory: TemporaryDirectory

    public static let shared: TestPeers = {
        do {
            return try TestPeers()
        } catch {
            fatalError("cannot start the test peers: \(error)")
        }
    }()

    init() throws {
        self.directory = try TemporaryDirectory("netsock-peers")
        let script = Self.repositoryRoot() + "/Tests/Peers/netsock_peers.py"
        if let network = ConformanceNetwork.shared {
            self.address = ConformanceNetwork.peerAddress
            self.process = try Subprocess(
                "/sbin/ip", ["netns", "exec", network.namespace, "/usr/bin/python3", script, "--listen=\(self.address)"],
                directory: self.directory.path)
        } else {
            self.address = "127.0.0.1"
            self.process = try Subprocess("/usr/bin/python3", [script], directory: self.directory.path)
        }
        var ports: JSONValue?
        for _ in 0..<300 {
            if let text = try? readText(self.process.stdoutPath), let line = text.split(separator: "\n").first,
                let parsed = try? JSONCodec.parse(String(line))
            {
                ports = parsed
                break
            }
            if self.process.wait(timeoutSeconds: 0) != nil { break }
            usleep(20_000)
        }
        guard let ports, let echo = ports["echo"]?.intValue else {
            throw SubprocessError(description: "peers did not start: \(self.process.stderr)")
        }
        func port(_ name: String) -> Int { Int(ports[name]?.intValue ?? 0) }
        self.echo = Int(echo)
        self.discard = port("discard")
        self.daytime = port("daytime")
        self.chargen = port("chargen")
        self.dns = port("dns")
        self.silentDNS = port("dns_silent")
        self.slowDNS = port("dns_slow")
        var tls: [String: Int] = [:]
        if case .object(let all) = ports {
            for (name, value) in all where name.hasPrefix("tls_") { if let number = value.intValue { tls[name] = Int(number) } }
        }
        self.tls = tls
        self.tlsDirectory = ports["tls_directory"]?.stringValue ?? ""
    }

    public static func repositoryRoot(_ file: String = #filePath) -> String {
        var path = file
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }
}

/// A daemon for one conformance suite, on the interface the suite runs against
/// (`NETSOCK_CONFORMANCE_INTERFACE`, default `lo`), with dnsmasq as its only DNS server.
public final class ConformanceDaemon: @unchecked Sendable {
    public let daemon: DaemonLauncher
    public let peers: TestPeers
    public let interface: String
    /// The simulated modem behind `cell0` on a `modem-ublox`/`modem-quectel` run.
    public let modem: ModemSimulator?
    /// The simulated radio behind `wifi0` on a `wifi` run.
    public let radio: ConformanceRadio?
    /// The most one datagram may carry on this interface (a modem's own limit), nil for no limit below 64 KB.
    public var maximumDatagram: Int? { self.modem.map { $0.dialect == "ublox" ? 1024 : 1460 } }
    /// The name the suites resolve to reach the echo host, as Mbed's ECHO_SERVER_ADDR.
    public let echoHost = "echo.netsock.test"

    public init(dnsServers: [String]? = nil, dns: JSONObject = [:], control: JSONObject = [:]) throws {
        self.peers = TestPeers.shared
        let network = ConformanceNetwork.shared
        let modemDialect = ConformanceNetwork.stack.hasPrefix("modem-") ? String(ConformanceNetwork.stack.dropFirst(6)) : nil
        self.modem = try modemDialect.map { try ModemSimulator(dialect: $0) }
        self.radio = try ConformanceNetwork.stack == "wifi" ? network.map { try $0.plugInRadio() } : nil
        self.interface =
            self.radio != nil ? "wifi0" : network != nil ? "ip0" : self.modem != nil ? "cell0"
            : getenv("NETSOCK_CONFORMANCE_INTERFACE").map { String(cString: $0) } ?? "lo"
        var dnsConfig: JSONObject = [
            "servers": JSONValue(dnsServers ?? ["\(self.peers.address):\(self.peers.dns)"]), "use_resolv_conf": false,
            "timeout_ms": 1000, "attempts": 1,
        ]
        for (key, value) in dns { dnsConfig[key] = value }
        var controlConfig: JSONObject = ["admin_group": nil]
        for (key, value) in control { controlConfig[key] = value }
        var interfaces = Self.interfaces(self.interface)
        if let modem = self.modem {
            interfaces["cell0"] = modem.interfaceConfig(extra: ["trace": true])
        }
        if let radio, let network {
            let link: JSONObject = ["packet": .string(radio.device), "pcap": .string(network.directory.path + "/\(radio.device).pcap")]
            interfaces["wifi0"] = [
                "type": "wifi", "stack": "ip", "link": .object(link), "dhcp": false, "wpa_supplicant": ["ctrl": .string(radio.control)],
            ]
        }
        let tap = self.radio == nil ? try network?.plugIn() : nil
        if let tap, let network {
            // Each daemon's frames go to a capture beside the network, for a failure's post-mortem.
            let link: JSONObject = ["tap": .string(tap.device), "pcap": .string(network.directory.path + "/\(tap.device).pcap")]
            interfaces["ip0"] = ["type": "ethernet", "stack": "ip", "link": .object(link), "dhcp": false]
        }
        self.daemon = try DaemonLauncher(
            config: [
                "control": .object(controlConfig), "default_interface": .string(self.interface), "dns": .object(dnsConfig),
                "interfaces": .object(interfaces),
            ],
            launcher: network.map { ["/sbin/ip", "netns", "exec", $0.namespace] } ?? [])
        if let tap {
            // The ip interface starts down: give it its address and bring it up, as an
            // Mbed application calls set_network and connect before the tests.
            let client = try self.daemon.client()
            _ = try client.call(API.InterfaceSetNetwork(interface: "ip0", address: tap.address, netmask: "255.255.255.0", gateway: ""))
            _ = try client.call(API.InterfaceConnect(interface: "ip0"))
        }
        if let radio {
            // As an Mbed application brings its WiFiInterface up: set_network, then
            // connect(ssid, pass, security).
            let client = try self.daemon.client()
            _ = try client.call(API.InterfaceSetNetwork(interface: "wifi0", address: radio.address, netmask: "255.255.255.0", gateway: ""))
            _ = try client.call(
                API.InterfaceConnect.name, ["interface": "wifi0", "ssid": "netsock", "pass": "netsock-pass", "security": "wpa2"],
                timeoutMilliseconds: 30_000)
        }
        if self.modem != nil {
            // As an Mbed application brings its CellularInterface up before the tests.
            _ = try self.daemon.client().call(API.InterfaceConnect(interface: "cell0"), timeoutMilliseconds: 60_000)
        }
    }

    /// The interface under test, plus `lo` so loopback peers stay reachable.
    private static func interfaces(_ name: String) -> JSONObject {
        var result: JSONObject = ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"]]
        if name != "lo" && name != "ip0" && name != "cell0" && name != "wifi0" { result[name] = ["type": "ethernet", "stack": "kernel", "device": .string(name)] }
        return result
    }

    public func client() throws -> NSAPIClient { NSAPIClient(try self.daemon.client(), interface: self.interface) }
}

/// Calls as an Mbed application makes them: each returns the result, or the
/// `nsapi_error_t` (or JSON-RPC error) code.
public final class NSAPIClient {
    public let rpc: RPCClient
    public let interface: String

    public init(_ rpc: RPCClient, interface: String) {
        self.rpc = rpc
        self.interface = interface
    }

    /// The result, or the error code as Mbed returns it.
    public func call(_ method: String, _ params: JSONObject = [:], timeoutMilliseconds: Int = 60_000) -> Result<JSONValue, RPCError> {
        do {
            return .success(try self.rpc.call(method, params, timeoutMilliseconds: timeoutMilliseconds))
        } catch {
            if case .rpc(let rpcError) = error { return .failure(rpcError) }
            return .failure(RPCError.internalError("\(error)"))
        }
    }

    /// 0 for success, else the error code (NSAPI codes are negative -3001...).
    public func code(_ method: String, _ params: JSONObject = [:]) -> Int {
        switch self.call(method, params) {
        case .success: 0
        case .failure(let error): error.code
        }
    }

    /// A typed call: the result, or the error as Mbed returns it.
    public func call<Method: APIMethod>(_ method: Method, timeoutMilliseconds: Int = 60_000) -> Result<Method.Result, RPCError> {
        do {
            return .success(try self.rpc.call(method, timeoutMilliseconds: timeoutMilliseconds))
        } catch {
            if case .rpc(let rpcError) = error { return .failure(rpcError) }
            return .failure(RPCError.internalError("\(error)"))
        }
    }

    /// 0 for success, else the error code.
    public func code<Method: APIMethod>(_ method: Method) -> Int {
        switch self.call(method) {
        case .success: 0
        case .failure(let error): error.code
        }
    }

    public func open(_ proto: API.SocketProtocol) throws -> Int {
        try self.rpc.call(API.SocketOpen(protocol: proto, interface: self.interface)).socket
    }

    /// `send`: bytes sent, or the error code.
    public func send(_ socket: Int, _ bytes: [UInt8]) -> Int {
        switch self.call(API.SocketSend(socket: socket, data: ByteEncoding.base64(bytes))) {
        case .success(let result): result.sent
        case .failure(let error): error.code
        }
    }

    /// `recv`: the bytes (empty when the peer closed), or the error code.
    public func recv(_ socket: Int, _ size: Int) -> Result<[UInt8], Code> {
        switch self.call(API.SocketRecv(socket: socket, size: size)) {
        case .success(let result): .success(ByteEncoding.decodeBase64(result.data) ?? [])
        case .failure(let error): .failure(Code(error.code))
        }
    }

    public func sendto(_ socket: Int, _ address: String, _ port: Int, _ bytes: [UInt8]) -> Int {
        switch self.call(API.SocketSendTo(socket: socket, address: address, port: port, data: ByteEncoding.base64(bytes))) {
        case .success(let result): result.sent
        case .failure(let error): error.code
        }
    }

    /// `recvfrom`: source address, port and bytes, or the error code.
    public func recvfrom(_ socket: Int, _ size: Int) -> Result<(String, Int, [UInt8]), Code> {
        switch self.call(API.SocketRecvFrom(socket: socket, size: size)) {
        case .success(let result): .success((result.address ?? "", result.port, ByteEncoding.decodeBase64(result.data) ?? []))
        case .failure(let error): .failure(Code(error.code))
        }
    }

    /// Waits for a `socket.sigio` for `socket` (other notifications are skipped).
    public func waitSigio(_ socket: Int, timeoutMilliseconds: Int) -> Bool {
        let deadline = nowMilliseconds() + timeoutMilliseconds
        while nowMilliseconds() < deadline {
            guard let notification = try? self.rpc.nextNotification(timeoutMilliseconds: deadline - nowMilliseconds()) else { return false }
            if let sigio = API.SigioNotification(notification), sigio.socket == socket { return true }
        }
        return false
    }
}

/// The Mbed calls the suites make, by name.
extension NSAPIClient {
    /// Resolves Mbed's ECHO_SERVER_ADDR as every socket test does.
    public func echoAddress(_ environment: ConformanceDaemon) -> String {
        (try? self.rpc.call(API.DNSGetHostByName.name, ["name": .string(environment.echoHost), "version": "ipv4"]))?["address"]?.stringValue
            ?? TestPeers.shared.address
    }

    public func connect(_ socket: Int, _ address: String, _ port: Int) -> Int {
        self.code(API.SocketConnect.name, ["socket": JSONValue(socket), "address": .string(address), "port": JSONValue(port)])
    }

    public func setTimeout(_ socket: Int, _ milliseconds: Int) {
        _ = self.code(API.SocketSetTimeout.name, ["socket": JSONValue(socket), "timeout_ms": JSONValue(milliseconds)])
    }

    public func setBlocking(_ socket: Int, _ blocking: Bool) {
        _ = self.code(API.SocketSetBlocking.name, ["socket": JSONValue(socket), "blocking": .bool(blocking)])
    }

    public func sigio(_ socket: Int, _ enabled: Bool) {
        _ = self.code(API.SocketSigio.name, ["socket": JSONValue(socket), "enabled": .bool(enabled)])
    }

    public func close(_ socket: Int) -> Int { self.code(API.SocketClose.name, ["socket": JSONValue(socket)]) }

    public func bind(_ socket: Int, _ address: String?, _ port: Int) -> Int {
        var params: JSONObject = ["socket": JSONValue(socket), "port": JSONValue(port)]
        if let address { params["address"] = .string(address) }
        return self.code(API.SocketBind.name, params)
    }

    public func reopen(_ socket: Int, _ proto: String) -> Int {
        self.code(API.SocketOpen.name, ["protocol": .string(proto), "interface": .string(self.interface), "socket": JSONValue(socket)])
    }

    /// Opens sockets until one fails; returns how many opened and the failure, then closes them.
    public func openUntilFailure(_ proto: String) -> (Int, Int) {
        var opened: [Int] = []
        var failure = 0
        while opened.count < 10_000 {
            switch self.call(API.SocketOpen.name, ["protocol": .string(proto), "interface": .string(self.interface)]) {
            case .success(let result): opened.append(Int(result["socket"]?.intValue ?? 0))
            case .failure(let error):
                failure = error.code
                for socket in opened { _ = self.close(socket) }
                return (opened.count, failure)
            }
        }
        return (opened.count, failure)
    }

    /// The interface's own IPv4 address.
    public func ownAddress() -> String {
        (try? self.rpc.call(API.InterfaceStatus.name, ["interface": .string(self.interface)]))?["ipv4"]?["address"]?.stringValue ?? "127.0.0.1"
    }
}

/// NSAPI codes as the Mbed tests compare them (the suites call this `NSAPI`).
public enum NSAPICode {
    public static let ok = 0
    public static let wouldBlock = -3001
    public static let unsupported = -3002
    public static let parameter = -3003
    public static let noConnection = -3004
    public static let noSocket = -3005
    public static let noAddress = -3006
    public static let noMemory = -3007
    public static let noSSID = -3008
    public static let dnsFailure = -3009
    public static let dhcpFailure = -3010
    public static let authFailure = -3011
    public static let deviceError = -3012
    public static let inProgress = -3013
    public static let already = -3014
    public static let isConnected = -3015
    public static let connectionTimeout = -3017
    public static let timeout = -3019
    public static let busy = -3020
}

/// An error code as a value that `Result` can carry.
public struct Code: Error, Equatable, CustomStringConvertible {
    public let value: Int
    public init(_ value: Int) { self.value = value }
    public var description: String { "\(self.value)" }
}

public func nowMilliseconds() -> Int { MonotonicClock.milliseconds() }

/// Deterministic test data: Mbed's `fill_tx_buffer_ascii` draws '0'...'Z'.
public struct TestData {
    private var state: UInt64
    public init(seed: UInt64) { self.state = seed | 1 }
    public mutating func ascii(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            self.state ^= self.state << 13
            self.state ^= self.state >> 7
            self.state ^= self.state << 17
            return UInt8(ascii: "0") + UInt8(self.state % 43)
        }
    }
}

/// The test network of a conformance run on the `ip` stack (`NETSOCK_CONFORMANCE_STACK=ip`,
/// as root): a namespace whose bridge holds the kernel's address 192.0.2.1 and the peers,
/// and a TAP port on the bridge for each daemon, which runs inside the namespace with
/// interface `ip0` at its own 192.0.2.x. Removed at exit with the other test namespaces.
public final class ConformanceNetwork: @unchecked Sendable {
    public static let peerAddress = "192.0.2.1"
    public static let stack = getenv("NETSOCK_CONFORMANCE_STACK").map { String(cString: $0) } ?? "kernel"

    public static let shared: ConformanceNetwork? = {
        guard ConformanceNetwork.stack == "ip" || ConformanceNetwork.stack == "wifi" else { return nil }
        do { return try ConformanceNetwork() } catch { fatalError("cannot build the ip stack's test network: \(error)") }
    }()

    public let namespace: String
    let directory: TemporaryDirectory
    private let tag: String
    private let ports = Mutex<Int>(0)

    init() throws {
        self.tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        self.namespace = "nsd-test-conf-\(self.tag)"
        self.directory = try TemporaryDirectory("netsock-conf")
        try self.ip(["netns", "add", self.namespace])
        TestResources.created(namespace: self.namespace)
        try self.ip(["-n", self.namespace, "link", "set", "lo", "up"])
        // A fixed address: a bridge otherwise takes its lowest port's, and changes it as
        // daemons' ports come and go, which stale ARP entries would then point past.
        try self.ip(["-n", self.namespace, "link", "add", "br0", "address", "02:00:5e:00:53:01", "type", "bridge"])
        try self.ip(["-n", self.namespace, "addr", "add", "\(Self.peerAddress)/24", "dev", "br0"])
        try self.ip(["-n", self.namespace, "link", "set", "br0", "up"])
    }

    /// A new TAP port on the bridge and the address its daemon takes.
    func plugIn() throws -> (device: String, address: String) {
        let number = self.ports.withLock { value in
            value += 1
            return value
        }
        precondition(number < 240, "more daemons than addresses in 192.0.2.0/24")
        let device = "nsdq\(self.tag)\(number)"
        try self.ip(["-n", self.namespace, "tuntap", "add", "dev", device, "mode", "tap"])
        try self.ip(["-n", self.namespace, "link", "set", device, "master", "br0", "up"])
        return (device, "192.0.2.\(10 + number)")
    }

    /// A `netsock-wifi-sim` whose access point bridges to the test network (its end joins
    /// br0), and the address its daemon takes.
    func plugInRadio() throws -> ConformanceRadio {
        let number = self.ports.withLock { value in
            value += 1
            return value
        }
        precondition(number < 240, "more daemons than addresses in 192.0.2.0/24")
        let device = "nsdw\(self.tag)\(number)"
        let control = self.directory.path + "/" + device
        let mac = "02:00:5e:01:00:" + String(number, radix: 16).leftPadded(to: 2)
        try writeFile(control + ".aps.json", Array(SimulatedRadio.accessPoints.utf8))
        let simulator = try Subprocess(
            "/sbin/ip",
            ["netns", "exec", self.namespace, BuiltProducts.directory + "/netsock-wifi-sim", "--ctrl", control, "--aps", control + ".aps.json",
             "--device", device, "--mac", mac, "--ap-netns", self.namespace, "--ap-bridge", "br0"],
            directory: self.directory.path)
        guard waitUntil({ simulator.stdout.contains("data path") || simulator.wait(timeoutSeconds: 0) != nil }), simulator.stdout.contains("data path") else {
            throw SubprocessError(description: "netsock-wifi-sim did not start: \(simulator.stderr)")
        }
        // The station's device shares this namespace with the kernel that owns 192.0.2.1:
        // the kernel must not answer ARP for it there, from the station's address.
        try self.ip(["netns", "exec", self.namespace, "/bin/sh", "-c", "echo 8 > /proc/sys/net/ipv4/conf/\(device)/arp_ignore"])
        return ConformanceRadio(device: device, control: control, address: "192.0.2.\(10 + number)", simulator: simulator)
    }

    private func ip(_ arguments: [String]) throws {
        let result = try Subprocess.run("/sbin/ip", arguments, directory: self.directory.path)
        guard result.status == 0 else { throw SubprocessError(description: "ip \(arguments.joined(separator: " ")): \(result.stderr)") }
    }
}

/// A Wi-Fi daemon's radio on the conformance network; SIGTERM takes its data path away.
public final class ConformanceRadio {
    public let device: String
    public let control: String
    public let address: String
    let simulator: Subprocess

    init(device: String, control: String, address: String, simulator: Subprocess) {
        self.device = device
        self.control = control
        self.address = address
        self.simulator = simulator
    }

    deinit {
        self.simulator.stop()
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - self.count)) + self }
}
