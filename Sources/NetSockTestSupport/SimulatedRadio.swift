#if canImport(Glibc)
import Glibc
#endif
import NetSockJSON

/// `netsock-wifi-sim` with its data path (root): the station's device in a namespace of
/// its own (where the test's daemon runs too), the access point's end in another with
/// dnsmasq when `dhcp`, and the test peers' echo (TCP and UDP, one port) behind the
/// access point.
public final class SimulatedRadio {
    public static let accessPointAddress = "192.0.2.1"
    public static let accessPoints = """
        [{"ssid": "netsock", "bssid": "02:00:5e:00:53:01", "security": "wpa2", "pass": "netsock-pass", "rssi": -48, "channel": 6}]
        """
    public let stationNamespace: TestNamespace
    public let accessPointNamespace: TestNamespace
    public var station: String { self.stationNamespace.name }
    public var accessPoint: String { self.accessPointNamespace.name }
    public let device: String
    public let control: String
    public let echoPort: Int
    public let directory: TemporaryDirectory
    public let simulator: Subprocess
    private let echo: Subprocess
    private var stopped = false

    public init(dhcp: Bool) throws {
        let tag = String(UInt32.random(in: 0...0xFFFFF), radix: 16)
        self.stationNamespace = try TestNamespace("sta", tag: tag)
        self.accessPointNamespace = try TestNamespace("ap", tag: tag)
        self.device = "nsdw\(tag)"
        self.directory = try TemporaryDirectory("netsock-radio")
        self.control = self.directory.path + "/" + self.device
        try writeFile(self.directory.path + "/aps.json", Array(Self.accessPoints.utf8))
        var arguments = [
            "netns", "exec", self.stationNamespace.name, BuiltProducts.directory + "/netsock-wifi-sim", "--ctrl", self.control, "--aps",
            self.directory.path + "/aps.json", "--device", self.device, "--ap-netns", self.accessPointNamespace.name,
            "--ap-address", "\(Self.accessPointAddress)/24", "--dns-host", "ap.wifi.test=\(Self.accessPointAddress)",
        ]
        if dhcp { arguments += ["--dhcp-range", "192.0.2.100,192.0.2.150"] }
        self.simulator = try Subprocess("/sbin/ip", arguments, directory: self.directory.path)
        let simulator = self.simulator
        guard try waitUntil(timeoutSeconds: 20, { simulator.stdout.contains("data path") || simulator.wait(timeoutSeconds: 0) != nil }),
            simulator.stdout.contains("data path")
        else { throw SubprocessError(description: "netsock-wifi-sim did not start: \(simulator.stderr)") }
        // The test peers' inetd-style echo (one port for TCP and UDP) at the access
        // point's address; neither their DNS (dnsmasq here answers) nor their TLS.
        self.echo = try Subprocess(
            "/sbin/ip",
            ["netns", "exec", self.accessPointNamespace.name, "/usr/bin/python3", TestPeers.repositoryRoot() + "/Tests/Peers/netsock_peers.py",
             "--listen=\(Self.accessPointAddress)", "--no-dns", "--no-tls"],
            directory: self.directory.path)
        let echo = self.echo
        guard try waitUntil({ echo.stdout.contains("\n") || echo.wait(timeoutSeconds: 0) != nil }),
            let line = echo.stdout.split(separator: "\n").first, let port = (try? JSONCodec.parse(String(line)))?["echo"]?.intValue
        else { throw SubprocessError(description: "the echo peer did not start: \(echo.stderr)") }
        self.echoPort = Int(port)
    }

    /// Whether the station's device has carrier (is associated).
    public func hasCarrier() throws -> Bool {
        let shown = try Subprocess.run("/sbin/ip", ["-n", self.station, "link", "show", "dev", self.device], directory: self.directory.path)
        return shown.stdout.contains("LOWER_UP")
    }

    /// The simulator takes its data path away (SIGTERM), then the namespaces go.
    public func stop() {
        guard !self.stopped else { return }
        self.stopped = true
        self.echo.terminate()
        self.simulator.stop()
        self.stationNamespace.remove()
        self.accessPointNamespace.remove()
    }

    deinit { self.stop() }
}
