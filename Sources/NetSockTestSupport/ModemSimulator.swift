#if canImport(Glibc)
import Glibc
#endif
import NetSockClient
import NetSockJSON

/// `netsock-modem-sim` for a test: a pty behind a symlink in a directory of its own,
/// with the faults the test gives, its operator DNS forwarded to the test peers' dnsmasq.
public final class ModemSimulator: @unchecked Sendable {
    public let dialect: String
    public let link: String
    public let process: Subprocess
    let directory: TemporaryDirectory

    public init(dialect: String, faults: String? = nil, pin: String? = nil, lineRate: Int? = nil) throws {
        self.dialect = dialect
        self.directory = try TemporaryDirectory("netsock-modem")
        self.link = self.directory.path + "/modem"
        let peers = TestPeers.shared
        var arguments = ["--dialect", dialect, "--link", self.link, "--dns", "\(peers.address):\(peers.dns)"]
        if let faults {
            let path = self.directory.path + "/faults.json"
            try writeFile(path, Array(faults.utf8))
            arguments += ["--faults", path]
        }
        if let pin { arguments += ["--pin", pin] }
        if let lineRate { arguments += ["--line-rate", String(lineRate)] }
        self.process = try Subprocess(BuiltProducts.directory + "/netsock-modem-sim", arguments, directory: self.directory.path)
        let ready = try waitUntil(timeoutSeconds: 20) { self.process.stdout.contains("netsock-modem-sim: ") }
        guard ready else { throw SubprocessError(description: "netsock-modem-sim did not start: \(self.process.stderr)") }
    }

    /// The interface entry for netsockd's config.
    public func interfaceConfig(extra: JSONObject = [:]) -> JSONValue {
        var entry: JSONObject = [
            "type": "cellular", "stack": "modem", "device": .string(self.link), "dialect": .string(self.dialect), "apn": "internet",
            "connect_timeout_ms": 60_000,
        ]
        for (key, value) in extra { entry[key] = value }
        return .object(entry)
    }

    /// The network detaches the modem (`+CGEV: NW DETACH`).
    public func detach() { self.process.signal(SIGUSR1) }
    /// The network deactivates the context (`+CGEV: NW PDN DEACT`).
    public func deactivate() { self.process.signal(SIGUSR2) }
}

/// netsockd with one cellular interface, `cell0`, on a simulated modem.
public final class CellularDaemon: @unchecked Sendable {
    public let modem: ModemSimulator
    public let daemon: DaemonLauncher

    public init(
        dialect: String = "ublox", faults: String? = nil, pin: String? = nil, lineRate: Int? = nil, interface: JSONObject = [:],
        connect: Bool = true
    ) throws {
        self.modem = try ModemSimulator(dialect: dialect, faults: faults, pin: pin, lineRate: lineRate)
        self.daemon = try DaemonLauncher(config: [
            "control": ["admin_group": nil], "default_interface": "cell0",
            "dns": ["servers": [], "use_resolv_conf": false],
            "interfaces": ["lo": ["type": "loopback", "stack": "kernel", "device": "lo"], "cell0": self.modem.interfaceConfig(extra: interface)],
        ])
        if connect { _ = try self.daemon.client().call(API.InterfaceConnect(interface: "cell0"), timeoutMilliseconds: 60_000) }
    }

    public func client() throws -> NSAPIClient { NSAPIClient(try self.daemon.client(), interface: "cell0") }
}
