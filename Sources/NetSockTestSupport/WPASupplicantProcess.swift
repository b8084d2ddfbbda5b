#if canImport(Glibc)
import Glibc
#endif

/// Debian's wpa_supplicant on the `v0` end of a veth pair (`v1` is the other) in a network
/// namespace of its own, with its control directory: `-Dnone` for the command grammar,
/// `-Dwired` (with `ap_scan=0`) for real connect and disconnect events.
public final class WPASupplicantProcess: @unchecked Sendable {
    public let network: TestNamespace
    public var namespace: String { self.network.name }
    public let directory: TemporaryDirectory
    public let process: Subprocess
    /// The control socket of `v0`.
    public let control: String

    public init(driver: String) throws {
        self.network = try TestNamespace("wpa")
        self.directory = try TemporaryDirectory("netsock-wpa")
        try self.network.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        try self.network.ip(["link", "set", "v0", "up"])
        try self.network.ip(["link", "set", "v1", "up"])
        let conf = self.directory.path + "/wpa.conf"
        try writeFile(conf, Array("ctrl_interface=\(self.directory.path)/ctrl\n\(driver == "wired" ? "ap_scan=0\n" : "")".utf8))
        self.process = try Subprocess(
            "/sbin/ip", ["netns", "exec", self.network.name, "/usr/sbin/wpa_supplicant", "-D\(driver)", "-iv0", "-c", conf],
            directory: self.directory.path)
        self.control = self.directory.path + "/ctrl/v0"
        guard try waitUntil(timeoutSeconds: 10, { access(self.control, F_OK) == 0 }) else {
            throw SubprocessError(description: "wpa_supplicant did not start: \(self.process.stdout) \(self.process.stderr)")
        }
    }

    deinit {
        self.process.terminate()
        self.network.remove()
    }
}

