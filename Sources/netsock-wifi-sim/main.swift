#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import NSAPI
import NetSockJSON
import NetSockPOSIX
import NetSockWiFi

/// Set by SIGUSR1 (the connected AP vanishes) and SIGUSR2 (every AP is back).
nonisolated(unsafe) var vanishRequested: sig_atomic_t = 0
nonisolated(unsafe) var returnRequested: sig_atomic_t = 0
/// Set by SIGHUP: every signal weakens by 10 dB.
nonisolated(unsafe) var fadeRequested: sig_atomic_t = 0
/// Set by SIGTERM and SIGINT: the data path is taken down before exit.
nonisolated(unsafe) var stopRequested: sig_atomic_t = 0

/// `netsock-wifi-sim`: a wpa_supplicant control interface over a simulated radio, for
/// netsockd's Wi-Fi interfaces and anyone's own control-interface scripts.
struct WiFiSimCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "netsock-wifi-sim",
        abstract: "A simulated wpa_supplicant control interface with scripted access points.",
        discussion: """
            Listens on the Unix datagram socket --ctrl as wpa_supplicant's control interface for one \
            device does, and answers what a station asks (PING, ATTACH, SCAN, SCAN_RESULTS, ADD_NETWORK, \
            SET_NETWORK, SELECT_NETWORK, DISCONNECT, RECONNECT, REMOVE_NETWORK, LIST_NETWORKS, STATUS, \
            SIGNAL_POLL) over the access points of --aps, a JSON list of {"ssid", "bssid", "security" \
            (none, wep, wpa, wpa2, wpa_wpa2, wpa3, wpa3_wpa2), "pass", "rssi", "channel", "hidden"}. \
            A wrong key gives CTRL-EVENT-SSID-TEMP-DISABLED reason=WRONG_KEY, an absent network \
            CTRL-EVENT-NETWORK-NOT-FOUND, a security mismatch CTRL-EVENT-ASSOC-REJECT. SIGUSR1 makes the \
            connected access point vanish (CTRL-EVENT-DISCONNECTED), SIGUSR2 brings every one back (and the selected network reconnects, as wpa_supplicant does), SIGHUP weakens every signal by 10 dB (CTRL-EVENT-SIGNAL-CHANGE). --slow CMD=MS answers a command (by prefix) that much later.

            With --device (root), the radio has a data path: the device is made as one end of a veth pair \
            whose other end sits in the network namespace --ap-netns with the access point's address \
            (--ap-address), or joined to the bridge --ap-bridge there (a wired LAN behind the access \
            point). That end is up only while associated, so the device has carrier exactly then. \
            --dhcp-range FIRST,LAST runs dnsmasq there, for DHCP (router and DNS server: the access \
            point) and DNS (--dns-host NAME=ADDRESS). SIGTERM and SIGINT take it all away again.
            """)

    @Option(help: "The control socket to create (replaced if it exists).") var ctrl: String
    @Option(help: "A JSON file of access points (see above).") var aps: String?
    @Option(help: "Commands (by prefix) answered FAIL-BUSY.") var busy: [String] = []
    @Option(help: "A command (by prefix) answered late: CMD=MS, as SCAN=3000.") var slow: [String] = []
    @Option(help: "The station's device to make, one end of a veth pair (the data path).") var device: String?
    @Option(help: "The station's hardware address (STATUS's address=, and the device's).") var mac = "02:00:5e:00:53:0a"
    @Option(help: "The network namespace of the access point's end (made if absent).") var apNetns = "netsock-wifi-ap"
    @Option(help: "The access point's address on its end, CIDR.") var apAddress = "192.0.2.1/24"
    @Option(help: "A bridge in --ap-netns the access point's end joins instead of taking --ap-address.") var apBridge: String?
    @Option(help: "Runs dnsmasq on the access point's end, leasing FIRST,LAST.") var dhcpRange: String?
    @Option(help: "A name dnsmasq answers: NAME=ADDRESS.") var dnsHost: [String] = []

    func run() throws {
        var points = [SimulatedAccessPoint(ssid: Array("netsock".utf8), bssid: [2, 0, 0x5E, 0, 0x53, 1], security: .wpa2, passphrase: "netsock-pass")]
        if let path = self.aps {
            guard case .array(let list) = try JSONCodec.parse(try FileDescriptorIO.readFile(path, limit: 1 << 20)) else {
                throw ValidationError("--aps must hold a JSON list")
            }
            points = try list.enumerated().map { index, entry in
                guard let ssid = entry["ssid"]?.stringValue else { throw ValidationError("access point \(index): ssid is required") }
                let bssid = entry["bssid"]?.stringValue.flatMap(ScanResult.parseBSSID) ?? [2, 0, 0x5E, 0, 0x53, UInt8(truncatingIfNeeded: index + 1)]
                let security = SecurityType(apiName: entry["security"]?.stringValue ?? "none") ?? .none
                let channel = Int(entry["channel"]?.intValue ?? 1)
                return SimulatedAccessPoint(
                    ssid: Array(ssid.utf8), bssid: bssid, security: security, passphrase: entry["pass"]?.stringValue,
                    rssi: Int(entry["rssi"]?.intValue ?? -50), frequency: ScanResult.frequency(channel: channel) ?? 2412,
                    hidden: entry["hidden"]?.boolValue ?? false)
            }
        }
        guard let station = ScanResult.parseBSSID(self.mac) else { throw ValidationError("--mac must be a hardware address such as 02:00:5e:00:53:0a") }
        var supplicant = SimulatedSupplicant(accessPoints: points, address: station)
        supplicant.busy = Set(self.busy)
        let all = points
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SystemError.last("socket") }
        unlink(self.ctrl)
        let bound = try UnixSocket.withAddress(self.ctrl) { address, length in bind(fd, address, length) }
        guard bound == 0 else { throw SystemError.last("bind \(self.ctrl)") }
        signal(SIGUSR1) { _ in vanishRequested = 1 }
        signal(SIGUSR2) { _ in returnRequested = 1 }
        signal(SIGHUP) { _ in fadeRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        signal(SIGINT) { _ in stopRequested = 1 }
        var dataPath: SimulatedDataPath?
        if let device = self.device {
            if self.apBridge != nil && self.dhcpRange != nil { throw ValidationError("--dhcp-range needs the access point's own address, not --ap-bridge") }
            let hosts: [(String, String)] = try self.dnsHost.map { rule in
                guard let equals = rule.firstIndex(of: "=") else { throw ValidationError("--dns-host takes NAME=ADDRESS") }
                return (String(rule[..<equals]), String(rule[rule.index(after: equals)...]))
            }
            dataPath = try SimulatedDataPath(
                device: device, namespace: self.apNetns, hardwareAddress: ScanResult.bssidText(supplicant.address),
                address: self.apAddress, bridge: self.apBridge, dhcpRange: self.dhcpRange, hosts: hosts)
        }
        defer { dataPath?.remove() }
        let delays: [(String, Int)] = self.slow.compactMap { rule in
            guard let equals = rule.firstIndex(of: "="), let ms = Int(rule[rule.index(after: equals)...]) else { return nil }
            return (String(rule[..<equals]), ms)
        }
        let ready = "netsock-wifi-sim: \(points.count) access point(s) on \(self.ctrl)\(dataPath.map { ", data path \($0.device) <-> \($0.peer) in \($0.namespace)" } ?? "")\n"
        _ = ready.utf8CString.withUnsafeBufferPointer { Glibc.write(1, $0.baseAddress, $0.count - 1) }
        var monitors: [sockaddr_un] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        func send(_ text: String, to peer: sockaddr_un) {
            var peer = peer
            let bytes = Array(text.utf8)
            _ = bytes.withUnsafeBytes { raw in
                withUnsafePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, raw.baseAddress, raw.count, Int32(MSG_DONTWAIT), $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            }
        }
        func broadcast(_ events: [String]) {
            // As a radio's driver: carrier changes before the supplicant's event says so.
            dataPath?.follow(associated: supplicant.isConnected)
            for event in events { for monitor in monitors { send(event, to: monitor) } }
        }
        while stopRequested == 0 {
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&entry, 1, 100)
            if vanishRequested != 0 {
                vanishRequested = 0
                if let bssid = supplicant.connectedBSSID { broadcast(supplicant.remove(bssid: bssid)) }
            }
            if returnRequested != 0 {
                returnRequested = 0
                broadcast(supplicant.restore(all))
            }
            if fadeRequested != 0 {
                fadeRequested = 0
                broadcast(supplicant.signalChange(by: -10))
            }
            guard entry.revents & Int16(POLLIN) != 0 else { continue }
            var peer = sockaddr_un()
            var length = socklen_t(MemoryLayout<sockaddr_un>.size)
            let count = buffer.withUnsafeMutableBytes { raw in
                withUnsafeMutablePointer(to: &peer) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) } }
            }
            guard count > 0 else { continue }
            var text = String(decoding: buffer.prefix(count), as: UTF8.self)
            while text.last == "\n" { text.removeLast() }
            switch text {
            case "ATTACH":
                monitors.removeAll { Self.same($0, peer) }
                monitors.append(peer)
                send("OK\n", to: peer)
            case "DETACH":
                monitors.removeAll { Self.same($0, peer) }
                send("OK\n", to: peer)
            default:
                // A slow radio: this reply (and everything behind it) waits.
                if let delay = delays.first(where: { text.hasPrefix($0.0) })?.1 { usleep(useconds_t(delay) * 1000) }
                let (reply, events) = supplicant.command(text)
                // As wpa_supplicant: events may go out before the reply.
                broadcast(events.filter { $0.contains("DISCONNECTED") })
                send(reply + "\n", to: peer)
                broadcast(events.filter { !$0.contains("DISCONNECTED") })
            }
        }
    }

    static func same(_ a: sockaddr_un, _ b: sockaddr_un) -> Bool {
        var a = a
        var b = b
        return withUnsafeBytes(of: &a.sun_path) { x in withUnsafeBytes(of: &b.sun_path) { y in x.elementsEqual(y) } }
    }
}

WiFiSimCommand.main()
