import NetSockClient
import NetSockJSON
import NetSockRPC
import NetSockTestSupport
import Testing

/// netsockd with netsock-modem-sim on a pty: the cellular interface's connect, events,
/// methods, and every fault the simulator can play, each survived with the right NSAPI
/// error and no byte lost or duplicated.
@Suite struct CellularInterfaceTests {
    let peers = TestPeers.shared

    /// Events of `topics` until `stop` says so (or 30 s pass), as (event, data).
    func events(_ client: RPCClient, until stop: (String, JSONValue) -> Bool) throws -> [(String, JSONValue)] {
        var seen: [(String, JSONValue)] = []
        let deadline = nowMilliseconds() + 30_000
        while nowMilliseconds() < deadline, let notification = try client.nextNotification(timeoutMilliseconds: deadline - nowMilliseconds()) {
            guard notification.method == "events.notify", let name = notification.params["event"]?.stringValue else { continue }
            let data = notification.params["data"] ?? .null
            seen.append((name, data))
            if stop(name, data) { break }
        }
        return seen
    }

    /// Echoes `count` bytes through a TCP socket of the modem stack and checks every byte.
    func echoes(_ client: NSAPIClient, count: Int, seed: UInt64) throws -> Bool {
        let socket = try client.open(.tcp)
        defer { _ = client.close(socket) }
        guard client.connect(socket, self.peers.address, self.peers.echo) == NSAPI.ok else { return false }
        client.setTimeout(socket, 20_000)
        var data = TestData(seed: seed)
        let payload = data.ascii(count)
        var received: [UInt8] = []
        var offset = 0
        while offset < payload.count || received.count < payload.count {
            if offset < payload.count {
                let sent = client.send(socket, Array(payload[offset..<min(payload.count, offset + 4096)]))
                guard sent > 0 else { return false }
                offset += sent
            }
            while received.count < offset {
                guard case .success(let chunk) = client.recv(socket, 8192), !chunk.isEmpty else { return false }
                received += chunk
            }
        }
        return received == payload
    }

    @Test("connect reaches global_up with Mbed's cellular event sequence; status, info and cellular.at show the modem")
    func connectShowsTheSequenceAndTheModem() throws {
        let environment = try CellularDaemon(dialect: "quectel", connect: false)
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["interface", "cellular"]])
        let client = try environment.client()
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.ok)
        let seen = try self.events(watcher) { name, data in name == "status_changed" && data["status"] == "global_up" }
        let names = seen.map(\.0)
        let expected = [
            "status_changed", "device_ready", "sim_status_changed", "signal_quality", "registration_status_changed", "attach_network",
            "activate_pdp_context", "status_changed",
        ]
        #expect(names.filter(expected.contains) == expected, "\(names)")
        #expect(seen.first?.1["status"] == "connecting")
        #expect(seen.first { $0.0 == "signal_quality" }?.1["rssi"] == -73)
        #expect(seen.first { $0.0 == "registration_status_changed" }?.1["status"] == "home")
        #expect(seen.first { $0.0 == "activate_pdp_context" }?.1["address"]?.stringValue?.hasPrefix("198.51.100.") == true)
        #expect(seen.allSatisfy { $0.1["interface"] == "cell0" })

        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.isConnected)
        let status = try client.rpc.call(API.InterfaceStatus.name, ["interface": "cell0"])
        #expect(status["ipv4"]?["address"]?.stringValue?.hasPrefix("198.51.100.") == true)
        #expect(status["dns"]?.arrayValue?.first == "198.51.100.53")
        #expect(status["cellular"]?["state"] == "connected")
        #expect(status["cellular"]?["dialect"] == "quectel")
        // The identity comes just after the context, IMEI (+CGSN) then operator (+COPS?):
        // wait for both rather than race the second.
        #expect(try waitUntil {
            let info = try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])
            return info["imei"] == "356938035643809" && info["operator"] == "netsock sim"
        })
        let info = try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])
        #expect(info["operator"] == "netsock sim")
        #expect(info["registration"] == "home")
        #expect(info["rssi"] == -73)

        let csq = try client.rpc.call(API.CellularAT.name, ["interface": "cell0", "command": "AT+CSQ"])
        #expect(csq["lines"] == ["+CSQ: 20,99"])
        #expect(csq["final"] == "OK")
        let unknown = try client.rpc.call(API.CellularAT.name, ["interface": "cell0", "command": "AT+NOSUCH"])
        #expect(unknown["final"] == "+CME ERROR: 4")
        let refused = expectRPCError { try client.rpc.call(API.CellularAT.name, ["interface": "cell0", "command": "ATD\r\nAT"]) }
        #expect(refused?.code == -32602)
        #expect(expectRPCError { try client.rpc.call(API.CellularInfo.name, ["interface": "lo"]) }?.code == NSAPI.unsupported)

        #expect(try self.echoes(client, count: 50_000, seed: 1))
        #expect(client.code(API.InterfaceDisconnect(interface: "cell0")) == NSAPI.ok)
        #expect(client.code(API.InterfaceDisconnect(interface: "cell0")) == NSAPI.noConnection)
        let after = try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])
        #expect(after["state"] == "off")
    }

    @Test("netsockctl shows the modem in status and iface show, and cellular at prints its reply")
    func netsockctlShowsTheModem() throws {
        let environment = try CellularDaemon()
        let client = try environment.client()
        #expect(try waitUntil { try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])["operator"] == "netsock sim" })
        let status = try environment.daemon.ctl(["status"])
        #expect(status.status == 0)
        #expect(status.stdout.contains("cell0: connected, netsock sim (home), -73 dBm, 198.51.100."), "\(status.stdout)")
        let show = try environment.daemon.ctl(["iface", "show", "cell0"])
        #expect(show.stdout.contains("connected, netsock sim (home), -73 dBm"), "\(show.stdout)")
        #expect(show.stdout.contains("356938035643809"))
        let csq = try environment.daemon.ctl(["cellular", "at", "AT+CSQ"])
        #expect(csq.status == 0)
        #expect(csq.stdout == "+CSQ: 20,99\nOK\n", "\(csq.stdout)")
        let refused = try environment.daemon.ctl(["cellular", "at", "AT+NOSUCH"])
        #expect(refused.status == 1)
        #expect(refused.stdout.hasSuffix("+CME ERROR: 4\n"))
        let info = try environment.daemon.ctl(["cellular", "info", "--json"])
        #expect(info.stdout.contains("\"imei\""))
    }

    @Test("a wrong PIN is AUTH_FAILURE and never shown; the right one set with cellular.set_sim_pin connects")
    func wrongPINThenRightPIN() throws {
        let environment = try CellularDaemon(pin: "1234", interface: ["pin": "9999", "trace": true], connect: false)
        let client = try environment.client()
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.authFailure)
        #expect(try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])["state"] == "off")
        #expect(client.code(API.CellularSetSIMPin.name, ["interface": "cell0", "pin": "12a4"]) == -32602)
        #expect(client.code(API.CellularSetSIMPin.name, ["interface": "cell0", "pin": "1234"]) == NSAPI.ok)
        let credentials: JSONObject = ["interface": "cell0", "apn": "m2m.example", "username": "meter", "password": "pa55word"]
        #expect(client.code(API.CellularSetCredentials.name, credentials) == NSAPI.ok)
        #expect(client.code(API.CellularSetCredentials.name, ["interface": "cell0", "apn": "a\"b"]) == -32602)
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.ok)
        #expect(environment.daemon.logLines(containing: "pa55word") == 0)
        #expect(environment.daemon.logLines(containing: "9999") == 0)
        #expect(environment.daemon.logLines(containing: "1234") == 0)
    }

    @Test("a command the modem refuses is retried with Mbed's back-off (state_retry events) until the connect's time is up")
    func refusedAttachIsRetried() throws {
        let environment = try CellularDaemon(faults: #"{"cme_errors": {"AT+CGATT=1": 30}}"#, interface: ["connect_timeout_ms": 4000], connect: false)
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["cellular"]])
        let client = try environment.client()
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.noConnection)
        let retries = try self.events(watcher) { name, data in name == "state_retry" && data["attempt"] == 2 }.filter { $0.0 == "state_retry" }
        #expect(retries.map { $0.1["retry_in_ms"] } == [1000, 2000])
        #expect(retries.first?.1["state"] == "attaching_network")
        #expect(try client.rpc.call(API.InterfaceStatus.name, ["interface": "cell0"])["status"] == "disconnected")
    }

    @Test("a registration script (searching, denied, searching, home) is followed to global_up")
    func registrationScript() throws {
        let environment = try CellularDaemon(faults: #"{"registration": [2, 3, 2, 1], "tick_ms": 100}"#, connect: false)
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["cellular"]])
        let client = try environment.client()
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.ok)
        let seen = try self.events(watcher) { name, _ in name == "activate_pdp_context" }
        let statuses = seen.filter { $0.0 == "registration_status_changed" }.compactMap { $0.1["status"]?.stringValue }
        #expect(statuses.contains("searching"))
        #expect(statuses.last == "home")
    }

    @Test("chunked replies, URCs inside responses, late replies and a silent command leave the bytes intact and the line usable")
    func noisyModem() throws {
        let faults = #"{"chunking": true, "inject_urc": "+CEREG: 1", "late_ms": {"AT+CSQ": 300}, "silent": ["AT+CGSN"]}"#
        let environment = try CellularDaemon(dialect: "ublox", faults: faults)
        let client = try environment.client()
        #expect(try self.echoes(client, count: 20_000, seed: 2))
        // The silent AT+CGSN timed out (no IMEI); the next command is answered all the same.
        let csq = try client.rpc.call(API.CellularAT.name, ["interface": "cell0", "command": "AT+CSQ", "timeout_ms": 5000])
        #expect(csq["final"] == "OK")
        #expect(try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])["imei"] == .null)
    }

    @Test("lost data URCs are made up for by polling: TCP and UDP bytes all arrive", arguments: ["ublox", "quectel"])
    func lostDataURCs(dialect: String) throws {
        let environment = try CellularDaemon(dialect: dialect, faults: #"{"lose_data_urcs_every": 2}"#)
        let client = try environment.client()
        #expect(try self.echoes(client, count: 30_000, seed: 3))
        let socket = try client.open(.udp)
        client.setTimeout(socket, 5000)
        var data = TestData(seed: 4)
        for size in [1, 100, 1000] {
            let payload = data.ascii(size)
            #expect(client.sendto(socket, self.peers.address, self.peers.echo, payload) == size)
            let got = client.recvfrom(socket, 2000)
            #expect((try? got.get().2) == payload)
        }
        #expect(client.close(socket) == NSAPI.ok)
    }

    @Test("the network detaching the modem takes the interface down and fails its sockets; a reconnect works", arguments: ["ublox", "quectel"])
    func networkDetach(dialect: String) throws {
        try self.loses(dialect: dialect) { $0.detach() }
    }

    @Test("the network deactivating the context takes the interface down and fails its sockets; a reconnect works")
    func contextDeactivation() throws {
        try self.loses(dialect: "ublox") { $0.deactivate() }
    }

    func loses(dialect: String, _ fault: (ModemSimulator) -> Void) throws {
        let environment = try CellularDaemon(dialect: dialect)
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        let client = try environment.client()
        let socket = try client.open(.tcp)
        #expect(client.connect(socket, self.peers.address, self.peers.echo) == NSAPI.ok)
        fault(environment.modem)
        let seen = try self.events(watcher) { name, data in name == "status_changed" && data["status"] == "disconnected" }
        #expect(seen.last?.1["status"] == "disconnected")
        client.setTimeout(socket, 1000)
        #expect(client.recv(socket, 10) == .failure(Code(NSAPI.noConnection)))
        #expect(client.close(socket) == NSAPI.ok)
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.ok)
        #expect(try self.echoes(client, count: 5000, seed: 5))
    }

    @Test("the modem's line hanging up takes the interface down with the reason in cellular.info")
    func lineHangsUp() throws {
        let environment = try CellularDaemon()
        let watcher = try environment.daemon.client()
        _ = try watcher.call(API.EventsSubscribe.name, ["topics": ["interface"]])
        environment.modem.process.terminate()
        let seen = try self.events(watcher) { name, data in name == "status_changed" && data["status"] == "disconnected" }
        #expect(seen.last?.1["status"] == "disconnected")
        let client = try environment.client()
        #expect(try client.rpc.call(API.CellularInfo.name, ["interface": "cell0"])["error"] == "the modem's line hung up")
        #expect(client.code(API.InterfaceConnect(interface: "cell0")) == NSAPI.deviceError)
    }
}

/// The NSAPI codes these tests compare.
private typealias NSAPI = NSAPICode
