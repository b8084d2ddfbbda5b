import NSAPI
import NetSockWiFi
import Testing

/// The station machine on scripted replies and events (as wpa_supplicant gives them),
/// with time as a number: every outcome of connect and scan, and the deadlines.
@Suite struct WiFiStationTests {
    static func reply(_ text: String) -> WPAReply { WPAReply(Array(text.utf8)) }
    static func event(_ text: String) -> WPAEvent { WPAEvent(Array(text.utf8))! }

    static func commands(_ outputs: [WiFiStation.Output]) -> [String] {
        outputs.compactMap { if case .send(let command, _) = $0 { command } else { nil } }
    }

    /// Answers every command with OK (ADD_NETWORK with 0) and returns what else came out.
    static func answer(_ station: inout WiFiStation, _ outputs: [WiFiStation.Output]) -> [WiFiStation.Output] {
        var others: [WiFiStation.Output] = []
        var queue = outputs
        while !queue.isEmpty {
            let output = queue.removeFirst()
            guard case .send(let command, _) = output else {
                others.append(output)
                continue
            }
            queue += station.reply(command == "ADD_NETWORK" ? Self.reply("0\n") : Self.reply("OK\n"), now: 0)
        }
        return others
    }

    static let credentials = WiFiStation.Credentials(ssid: Array("netsock".utf8), passphrase: "secret123", security: .wpa2)

    @Test("connect: the network block, then CONNECTED is success; the passphrase only in the command, never in loggable")
    func connects() throws {
        var station = WiFiStation()
        let first = try station.connect(Self.credentials, now: 0)
        #expect(Self.commands(first) == ["ADD_NETWORK"])
        let block = station.reply(Self.reply("0\n"), now: 1)
        #expect(Self.commands(block).last == "SELECT_NETWORK 0")
        #expect(Self.commands(block).contains("SET_NETWORK 0 psk \"secret123\""))
        #expect(block.allSatisfy { if case .send(_, let loggable) = $0 { !loggable.contains("secret123") } else { true } })
        _ = Self.answer(&station, [])
        for _ in block { _ = station.reply(Self.reply("OK\n"), now: 2) }
        #expect(throws: NSAPIError.busy) { try station.connect(Self.credentials, now: 3) }
        let done = station.event(Self.event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:5e:00:53:01 completed [id=0 id_str=]"), now: 4)
        #expect(done == [.connected(bssid: "02:00:5e:00:53:01")])
        #expect(station.phase == .connected)
        #expect(station.bssid == "02:00:5e:00:53:01")
        #expect(station.network?.ssid == Array("netsock".utf8) && station.network?.security == .wpa2)
        #expect(throws: NSAPIError.isConnected) { try station.connect(Self.credentials, now: 5) }
        let down = try station.disconnect()
        #expect(Self.commands(down) == ["DISCONNECT", "REMOVE_NETWORK 0"])
        _ = Self.answer(&station, [])
        _ = station.reply(Self.reply("OK\n"), now: 6)
        _ = station.reply(Self.reply("OK\n"), now: 6)
        #expect(station.phase == .idle)
        #expect(station.bssid == nil && station.network == nil)
        #expect(throws: NSAPIError.noConnection) { try station.disconnect() }
    }

    @Test("connect failures map to Mbed's codes and remove the network block", arguments: [
        ("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"netsock\" auth_failures=1 duration=10 reason=WRONG_KEY", NSAPIError.authFailure),
        ("<3>WPA: 4-Way Handshake failed - pre-shared key may be incorrect", .authFailure),
        ("<3>CTRL-EVENT-NETWORK-NOT-FOUND", .noSSID),
        ("<3>CTRL-EVENT-ASSOC-REJECT bssid=02:00:5e:00:53:01 status_code=17", .noConnection),
    ])
    func failures(event: String, error: NSAPIError) throws {
        var station = WiFiStation()
        var outputs = try station.connect(Self.credentials, now: 0)
        outputs = Self.answer(&station, outputs)
        #expect(outputs.isEmpty)
        let failed = station.event(Self.event(event), now: 10)
        guard case .connectFailed(let code, _)? = failed.first else {
            Issue.record("no failure: \(failed)")
            return
        }
        #expect(code == error)
        #expect(Self.commands(failed) == ["REMOVE_NETWORK 0"])
        #expect(station.phase == .idle)
    }

    @Test("no outcome by the deadline is CONNECTION_TIMEOUT; bad credentials are PARAMETER at once")
    func timeoutAndParameters() throws {
        var station = WiFiStation(connectTimeoutMilliseconds: 1000)
        _ = Self.answer(&station, try station.connect(Self.credentials, now: 0))
        #expect(station.poll(now: 999).isEmpty)
        guard case .connectFailed(let code, _)? = station.poll(now: 1000).first else {
            Issue.record("no timeout")
            return
        }
        #expect(code == .connectionTimeout)
        #expect(throws: NSAPIError.parameter) {
            try station.connect(WiFiStation.Credentials(ssid: Array("x".utf8), passphrase: "short", security: .wpa2), now: 0)
        }
        #expect(throws: NSAPIError.parameter) { try station.connect(WiFiStation.Credentials(ssid: [], passphrase: "", security: .none), now: 0) }
        #expect(throws: NSAPIError.unsupported) {
            try station.connect(WiFiStation.Credentials(ssid: Array("x".utf8), passphrase: "", security: .eapTLS), now: 0)
        }
    }

    @Test("a refused network block fails the connect with PARAMETER")
    func refusedBlock() throws {
        var station = WiFiStation()
        _ = try station.connect(Self.credentials, now: 0)
        let block = station.reply(Self.reply("0\n"), now: 0)
        let refused = station.reply(Self.reply("FAIL\n"), now: 0)
        #expect(refused.first.map { if case .connectFailed(.parameter, _) = $0 { true } else { false } } == true)
        for _ in block.dropFirst() { _ = station.reply(Self.reply("OK\n"), now: 0) }
        #expect(station.phase == .idle)
    }

    @Test("a link lost after connect is reported; the supplicant's reconnect brings it back")
    func linkLoss() throws {
        var station = WiFiStation()
        _ = Self.answer(&station, try station.connect(Self.credentials, now: 0))
        _ = station.event(Self.event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:5e:00:53:01 completed [id=0 id_str=]"), now: 1)
        #expect(station.event(Self.event("<3>CTRL-EVENT-DISCONNECTED bssid=02:00:5e:00:53:01 reason=4"), now: 2) == [.disconnected(reason: 4, locallyGenerated: false)])
        #expect(station.event(Self.event("<3>CTRL-EVENT-CONNECTED - Connection to 02:00:5e:00:53:01 completed [id=0 id_str=]"), now: 3) == [.connected(bssid: "02:00:5e:00:53:01")])
    }

    @Test("scan: SCAN, the results event, SCAN_RESULTS; a busy scan is joined; a failed one is DEVICE_ERROR; a silent one times out")
    func scans() {
        var station = WiFiStation(scanTimeoutMilliseconds: 5000)
        #expect(Self.commands(station.scan(now: 0)) == ["SCAN"])
        #expect(station.scan(now: 1).isEmpty, "a second scan joins the first")
        #expect(station.reply(Self.reply("FAIL-BUSY\n"), now: 1).isEmpty)
        #expect(Self.commands(station.event(Self.event("<3>CTRL-EVENT-SCAN-RESULTS "), now: 2)) == ["SCAN_RESULTS"])
        let results = station.reply(Self.reply("bssid / frequency / signal level / flags / ssid\n02:00:5e:00:53:01\t2412\t-45\t[WPA2-PSK-CCMP][ESS]\tnetsock\n"), now: 3)
        guard case .scanned(let list)? = results.first else {
            Issue.record("no results")
            return
        }
        #expect(list.map(\.ssid) == [Array("netsock".utf8)])
        _ = station.scan(now: 10)
        _ = station.reply(Self.reply("OK\n"), now: 10)
        #expect(station.event(Self.event("<3>CTRL-EVENT-SCAN-FAILED ret=-1"), now: 11) == [.scanFailed(.deviceError, "scan failed (ret=-1)")])
        _ = station.scan(now: 20)
        _ = station.reply(Self.reply("OK\n"), now: 20)
        #expect(station.poll(now: 5020) == [.scanFailed(.timeout, "no scan results within 5000 ms")])
    }

    @Test("SIGNAL_POLL gives the RSSI, and 0 without a radio link (FAIL), as Mbed's get_rssi")
    func rssi() {
        var station = WiFiStation()
        _ = station.pollSignal()
        #expect(station.reply(Self.reply("RSSI=-52\nLINKSPEED=65\nNOISE=9999\nFREQUENCY=2412\n"), now: 0) == [.rssi(-52)])
        _ = station.pollSignal()
        #expect(station.reply(Self.reply("FAIL\n"), now: 0) == [.rssi(0)])
    }
}
