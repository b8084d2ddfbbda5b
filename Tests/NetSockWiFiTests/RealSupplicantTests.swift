#if canImport(Glibc)
import Glibc
#endif
import NSAPI
import NetSockPOSIX
import NetSockTestSupport
import NetSockWiFi
import Testing

/// The grammar and the station machine against Debian's real wpa_supplicant, in a
/// namespace the test makes: `-Dnone` for the command grammar (network-block CRUD for
/// every security kind, STATUS, PING, LIST_NETWORKS, error replies) and `-Dwired` on a
/// veth pair for real connect and disconnect events through the monitor socket.
@Suite(.serialized) struct RealSupplicantTests {
    static func ask(_ socket: WPAControlSocket, _ command: String) throws -> WPAReply {
        WPAReply(try #require(try socket.request(command)))
    }

    @Test("-Dnone: every network block the station writes is accepted; STATUS, PING, LIST_NETWORKS and the error replies parse")
    func commandGrammar() throws {
        guard Privilege.rootTestsEnabled("RealSupplicantTests.commandGrammar") else { return }
        let supplicant = try WPASupplicantProcess(driver: "none")
        let socket = try WPAControlSocket(path: supplicant.control, localDirectory: supplicant.directory.path)
        #expect(try Self.ask(socket, "PING") == .pong)
        #expect(try Self.ask(socket, "NO_SUCH_COMMAND") == .unknownCommand)
        let kinds: [(SecurityType, String)] = [
            (.none, ""), (.wep, "abcde"), (.wep, "0123456789"), (.wpa, "secret123"), (.wpa2, "secret123"), (.wpaWPA2, String(repeating: "ab", count: 31) + "c"),
            (.wpa3, "secret123"), (.wpa3WPA2, "secret123"),
        ]
        for (index, (security, passphrase)) in kinds.enumerated() {
            let id = try #require(try Self.ask(socket, "ADD_NETWORK").number)
            let ssid: [UInt8] = index % 2 == 0 ? Array("netsock \(index)".utf8) : Array("café \"\(index)\"".utf8)
            for command in try NetworkBlock.commands(id: id, ssid: ssid, passphrase: passphrase, security: security, channel: index == 0 ? 6 : nil) {
                #expect(try Self.ask(socket, command) == .ok, "\(NetworkBlock.loggable(command)) for \(security)")
            }
            // The SSID comes back as written: printf-escaped, which decodes to the same bytes.
            let list = try Self.ask(socket, "LIST_NETWORKS").table
            #expect(list.header == ["network id", "ssid", "bssid", "flags"])
            let row = list.rows.first { $0.first == String(id) }
            #expect(row.flatMap { SSID.decodeEscaped($0[1]) } == ssid, "\(String(describing: row))")
        }
        #expect(try Self.ask(socket, "SET_NETWORK 0 psk \"short\"") == .fail)
        #expect(try Self.ask(socket, "SET_NETWORK 99 ssid \"x\"") == .fail)
        let status = try Self.ask(socket, "STATUS")
        #expect(status.value("wpa_state") != nil)
        #expect(status.value("address").flatMap(ScanResult.parseBSSID) != nil)
        #expect(try Self.ask(socket, "SIGNAL_POLL") == .fail)
        #expect(try Self.ask(socket, "REMOVE_NETWORK all") == .ok)
        #expect(try Self.ask(socket, "LIST_NETWORKS").table.rows.isEmpty)
    }

    @Test("-Dwired: the station connects, sees the real CONNECTED and DISCONNECTED events, and disconnects")
    func wiredEvents() throws {
        guard Privilege.rootTestsEnabled("RealSupplicantTests.wiredEvents") else { return }
        let supplicant = try WPASupplicantProcess(driver: "wired")
        let commands = try WPAControlSocket(path: supplicant.control, localDirectory: supplicant.directory.path)
        let monitor = try WPAControlSocket(path: supplicant.control, localDirectory: supplicant.directory.path)
        #expect(try Self.ask(monitor, "ATTACH") == .ok)
        var station = WiFiStation(connectTimeoutMilliseconds: 10_000)
        var outcomes: [WiFiStation.Output] = []
        /// Runs the station's commands through the command socket, feeding replies back.
        func drive(_ outputs: [WiFiStation.Output]) throws {
            var queue = outputs
            while !queue.isEmpty {
                let output = queue.removeFirst()
                guard case .send(let command, _) = output else {
                    outcomes.append(output)
                    continue
                }
                queue += station.reply(WPAReply(try #require(try commands.request(command))), now: nowMilliseconds64())
            }
        }
        /// Feeds monitor events until `until` holds or 10 s pass.
        func listen(until done: () -> Bool) throws {
            let deadline = nowMilliseconds() + 10_000
            while !done(), nowMilliseconds() < deadline {
                guard let datagram = monitor.receive(timeoutMilliseconds: 500), let event = WPAEvent(datagram) else { continue }
                try drive(station.event(event, now: nowMilliseconds64()))
            }
        }
        try drive(try station.connect(WiFiStation.Credentials(ssid: Array("netsock".utf8), passphrase: "", security: .none), now: nowMilliseconds64()))
        try listen { station.phase == .connected }
        #expect(station.phase == .connected)
        #expect(outcomes.contains(.connected(bssid: "01:80:c2:00:00:03")))
        #expect(WPAReply(try #require(try commands.request("STATUS"))).value("wpa_state") == "COMPLETED")
        // A disconnect from outside the station (another client) is a link loss to it.
        #expect(try Self.ask(commands, "DISCONNECT") == .ok)
        try listen { outcomes.contains { if case .disconnected = $0 { true } else { false } } }
        #expect(outcomes.contains(.disconnected(reason: 3, locallyGenerated: true)))
        #expect(try Self.ask(commands, "RECONNECT") == .ok)
        try listen { station.phase == .connected }
        #expect(station.phase == .connected)
        try drive(try station.disconnect())
        #expect(station.phase == .idle)
        #expect(WPAReply(try #require(try commands.request("LIST_NETWORKS"))).table.rows.isEmpty)
    }

    @Test("netsock-wifi-sim's supplicant answers a station's commands as the real one does (-Dnone)")
    func simulatorAgreesWithTheRealOne() throws {
        guard Privilege.rootTestsEnabled("RealSupplicantTests.simulatorAgreesWithTheRealOne") else { return }
        let supplicant = try WPASupplicantProcess(driver: "none")
        let socket = try WPAControlSocket(path: supplicant.control, localDirectory: supplicant.directory.path)
        var simulated = SimulatedSupplicant(accessPoints: [])
        /// The shape of a reply: the bare word, a number, or a table's header.
        func shape(_ reply: WPAReply) -> String {
            if reply.number != nil { return "number" }
            if case .text = reply {
                let header = reply.table.header
                return header.count > 1 ? "table " + header.joined(separator: "/") : "text"
            }
            return "\(reply)"
        }
        let script = [
            "PING", "ADD_NETWORK", "SET_NETWORK 0 ssid \"netsock\"", "SET_NETWORK 0 ssid 636166c3a9", "SET_NETWORK 0 psk \"short\"",
            "SET_NETWORK 0 psk \"long-enough\"", "SET_NETWORK 0 key_mgmt WPA-PSK", "SET_NETWORK 0 key_mgmt NOPE", "SET_NETWORK 9 ssid \"x\"",
            "SET_NETWORK 0 scan_ssid 1", "LIST_NETWORKS", "SIGNAL_POLL", "REMOVE_NETWORK 7", "REMOVE_NETWORK 0", "ADD_NETWORK", "REMOVE_NETWORK all",
            "NO_SUCH_COMMAND",
        ]
        for command in script {
            let real = WPAReply(try #require(try socket.request(command)))
            let ours = WPAReply(Array((simulated.command(command).reply + "\n").utf8))
            #expect(shape(ours) == shape(real), "\(command): the simulator says \(ours), wpa_supplicant \(real)")
        }
    }
}

func nowMilliseconds64() -> Int64 { Int64(nowMilliseconds()) }