#if canImport(Glibc)
import Glibc
#endif
import CNetSockLinux
import NetSockPOSIX

/// The simulated radio's data path: the station's device is one end of a veth pair whose
/// other end, the access point's side, sits in a network namespace with the access
/// point's address (and dnsmasq for DHCP and DNS when asked). The far end is up only
/// while associated, so the device has carrier exactly then, as a radio's link does.
final class SimulatedDataPath {
    let device: String
    let peer: String
    let namespace: String
    private let createdNamespace: Bool
    private var dnsmasq: ChildProcess?
    private var associated = false
    private let ip: String

    static let ipBinaries = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"]
    static let dnsmasqBinaries = ["/usr/sbin/dnsmasq", "/sbin/dnsmasq", "/usr/bin/dnsmasq"]

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// `address` is the access point's (CIDR); `dhcpRange` ("FIRST,LAST") starts dnsmasq,
    /// which also answers DNS for `hosts` (name → address) on the access point's address.
    /// With a `bridge`, the access point's end joins that bridge (the wired LAN the
    /// access point bridges to) and takes no address.
    init(
        device: String, namespace: String, hardwareAddress: String, address: String, bridge: String?, dhcpRange: String?,
        hosts: [(String, String)], log: String = "/dev/stderr"
    ) throws {
        guard let ip = Self.ipBinaries.first(where: { access($0, X_OK) == 0 }) else { throw Failure(description: "ip (iproute2) is not installed") }
        self.ip = ip
        // The far end's name: the device's with "ap" after it, within IFNAMSIZ.
        self.device = device
        self.peer = String(device.prefix(13)) + "ap"
        self.namespace = namespace
        func run(_ words: [String]) throws {
            let code = try ChildProcess.run([ip] + words, output: log)
            guard code == 0 else { throw Failure(description: "ip \(words.joined(separator: " ")) failed (\(code)); see \(log)") }
        }
        let named = "/run/netns/\(namespace)"
        // A namespace made inside another's `ip netns exec`, or left by a killed
        // process, is a plain file here: say so rather than put the pair nowhere.
        if access(named, F_OK) == 0 && !Self.isNamespace(named) {
            throw Failure(description: "\(named) is not a network namespace here; remove it, or make it with ip netns add outside any ip netns exec")
        }
        // Only what this simulator made is ever removed: a device of that name is someone's.
        if access("/sys/class/net/\(device)", F_OK) == 0 {
            throw Failure(description: "a device \(device) exists already; choose another --device (or ip link del \(device))")
        }
        self.createdNamespace = access(named, F_OK) != 0
        // What is made is taken away again when a later step fails.
        do {
            if self.createdNamespace { try run(["netns", "add", namespace]) }
            try run(["link", "add", device, "address", hardwareAddress, "type", "veth", "peer", "name", self.peer, "netns", namespace])
            try run(["-n", namespace, "link", "set", "lo", "up"])
            if let bridge {
                try run(["-n", namespace, "link", "set", self.peer, "master", bridge])
            } else {
                try run(["-n", namespace, "addr", "add", address, "dev", self.peer])
            }
            // wpa_supplicant sets its device up when it starts; carrier waits for association.
            try run(["link", "set", device, "up"])
            if let dhcpRange, bridge == nil {
                guard let binary = Self.dnsmasqBinaries.first(where: { access($0, X_OK) == 0 }) else {
                    throw Failure(description: "dnsmasq is not installed (apt-get install dnsmasq-base)")
                }
                let gateway = String(address.prefix { $0 != "/" })
                var words = [
                    ip, "netns", "exec", namespace, binary, "--keep-in-foreground", "--conf-file=/dev/null", "--interface=\(self.peer)",
                    "--except-interface=lo", "--bind-dynamic", "--port=53", "--no-resolv", "--no-hosts", "--leasefile-ro", "--pid-file=",
                    "--user=root", "--dhcp-authoritative", "--dhcp-range=\(dhcpRange),1h", "--dhcp-option=option:router,\(gateway)",
                    "--dhcp-option=option:dns-server,\(gateway)", "--log-facility=-", "--log-dhcp",
                ]
                words += hosts.map { "--host-record=\($0.0),\($0.1)" }
                let process = try ChildProcess.spawn(words, output: log)
                self.dnsmasq = process
                // Ready when its DHCP port is bound (port 67 is 0043 in /proc's hex).
                var ready = false
                for _ in 0..<500 where !ready {
                    if let code = process.exitCode() {
                        self.dnsmasq = nil
                        throw Failure(description: "dnsmasq exited (\(code)); see \(log)")
                    }
                    let table = (try? FileDescriptorIO.readFile("/proc/\(process.pid)/net/udp", limit: 1 << 20)) ?? []
                    ready = String(decoding: table, as: UTF8.self).contains(":0043 ")
                    if !ready { usleep(10_000) }
                }
                guard ready else { throw Failure(description: "dnsmasq did not start; see \(log)") }
            }
        } catch {
            self.remove()
            throw error
        }
    }

    /// A bind mount of a namespace (nsfs), not the empty file it is mounted on.
    static func isNamespace(_ path: String) -> Bool {
        cnetsock_filesystem_type(path) == 0x6E73_6673  // NSFS_MAGIC
    }

    /// Association gives the device carrier; losing the link takes it away.
    func follow(associated: Bool) {
        guard associated != self.associated else { return }
        self.associated = associated
        _ = try? ChildProcess.run([self.ip, "-n", self.namespace, "link", "set", self.peer, associated ? "up" : "down"])
    }

    /// Takes the pair (and a namespace it made) away, and dnsmasq with them.
    func remove() {
        self.dnsmasq?.stop()
        self.dnsmasq = nil
        if access("/sys/class/net/\(self.device)", F_OK) == 0 { _ = try? ChildProcess.run([self.ip, "link", "del", self.device]) }
        if self.createdNamespace { _ = try? ChildProcess.run([self.ip, "netns", "del", self.namespace]) }
    }
}
