import NSAPI
import NetSockWiFi
import Testing

/// The control-interface grammar on replies and events as wpa_supplicant 2.10 writes them
/// (the reference's captures, as facts), every truncation of them, and hostile bytes.
@Suite struct WPAControlTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    static let status = """
        bssid=01:80:c2:00:00:03
        freq=0
        ssid=
        id=0
        mode=station
        pairwise_cipher=NONE
        group_cipher=NONE
        key_mgmt=NONE
        wpa_state=COMPLETED
        address=02:00:5e:00:53:0a
        uuid=0f3e0a7e-8a8f-5a7b-9c1f-1a2b3c4d5e6f

        """

    static let scanResults =
        "bssid / frequency / signal level / flags / ssid\n"
        + "02:00:5e:00:53:01\t2412\t-45\t[WPA2-PSK-CCMP][ESS]\tnetsock\n"
        + "02:00:5e:00:53:02\t5180\t-67\t[WPA-PSK-TKIP][WPA2-PSK-CCMP][ESS]\tcaf\\xc3\\xa9 \\\"quoted\\\"\n"
        + "02:00:5e:00:53:03\t2437\t-80\t[ESS]\t\n"
        + "02:00:5e:00:53:04\t2484\t-70\t[RSN-SAE-CCMP][ESS]\twpa3\n"
        + "02:00:5e:00:53:05\t5955\t-60\t[WPA2-PSK+SAE-CCMP][ESS]\ttransition\n"
        + "02:00:5e:00:53:06\t2462\t-55\t[WPA2-EAP-CCMP][ESS]\tcorp\n"
        + "02:00:5e:00:53:07\t2422\t-90\t[WEP][ESS]\told\n"

    @Test("the bare replies, numbers and key=value blocks")
    func replies() {
        #expect(WPAReply(Self.bytes("OK\n")) == .ok)
        #expect(WPAReply(Self.bytes("FAIL\n")) == .fail)
        #expect(WPAReply(Self.bytes("FAIL-BUSY\n")) == .failBusy)
        #expect(WPAReply(Self.bytes("UNKNOWN COMMAND\n")) == .unknownCommand)
        #expect(WPAReply(Self.bytes("PONG\n")) == .pong)
        #expect(WPAReply(Self.bytes("0\n")).number == 0)
        #expect(WPAReply(Self.bytes("12")).number == 12)
        #expect(WPAReply(Self.bytes("1a\n")).number == nil)
        #expect(WPAReply(Self.bytes("99999999999\n")).number == nil)
        let status = WPAReply(Self.bytes(Self.status))
        #expect(status.value("wpa_state") == "COMPLETED")
        #expect(status.value("ssid") == "")
        #expect(status.value("bssid") == "01:80:c2:00:00:03")
        let signal = WPAReply(Self.bytes("RSSI=-52\nLINKSPEED=65\nNOISE=9999\nFREQUENCY=2412\n"))
        #expect(signal.value("RSSI") == "-52")
        #expect(signal.value("FREQUENCY") == "2412")
    }

    @Test("SCAN_RESULTS: security from flags, channel from frequency, escaped and hidden SSIDs")
    func scanResults() {
        let results = ScanResult.parse(WPAReply(Self.bytes(Self.scanResults)))
        #expect(results.count == 7)
        #expect(results.map(\.security) == [.wpa2, .wpaWPA2, .none, .wpa3, .wpa3WPA2, .wpa2Enterprise, .wep])
        #expect(results.map(\.channel) == [1, 36, 6, 14, 1, 11, 3])
        #expect(results[1].ssid == Array("café \"quoted\"".utf8))
        #expect(results[2].ssid.isEmpty)
        #expect(results[0].bssid == [2, 0, 0x5E, 0, 0x53, 1])
        #expect(results[0].rssi == -45)
        // A BSSID is six pairs of hex digits and nothing else; written back the same way.
        #expect(ScanResult.bssidText([2, 0, 0x5E, 0, 0x53, 0xAB]) == "02:00:5e:00:53:ab")
        #expect(ScanResult.parseBSSID("02:00:5E:00:53:AB") == [2, 0, 0x5E, 0, 0x53, 0xAB])
        for bad in ["02:00:5e:00:53", "02:00:5e:00:53:ab:cd", "+2:00:5e:00:53:ab", "2:00:5e:00:53:ab", "02:00:5e:00:53:g1", "02-00-5e-00-53-ab", "", "é1:00:5e:00:53:ab"] {
            #expect(ScanResult.parseBSSID(bad) == nil, "\(bad)")
        }
        let list = WPAReply(Self.bytes("network id / ssid / bssid / flags\n0\tTestAP\tany\t[DISABLED]\n")).table
        #expect(list.header == ["network id", "ssid", "bssid", "flags"])
        #expect(list.rows == [["0", "TestAP", "any", "[DISABLED]"]])
    }

    @Test("events: connected, disconnected, wrong key, not found, rejected, scans, signal")
    func events() {
        func kind(_ text: String) -> WPAEvent.Kind? { WPAEvent(Self.bytes(text))?.kind }
        #expect(kind("<3>CTRL-EVENT-CONNECTED - Connection to 01:80:c2:00:00:03 completed [id=0 id_str=]") == .connected(bssid: "01:80:c2:00:00:03", networkID: 0))
        #expect(kind("<3>CTRL-EVENT-DISCONNECTED bssid=01:80:c2:00:00:03 reason=3 locally_generated=1") == .disconnected(bssid: "01:80:c2:00:00:03", reason: 3, locallyGenerated: true))
        #expect(kind("<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"a \\\"b\\\" c\" auth_failures=1 duration=10 reason=WRONG_KEY") == .temporarilyDisabled(networkID: 0, ssid: Array("a \"b\" c".utf8), authFailures: 1, reason: "WRONG_KEY"))
        #expect(kind("<3>CTRL-EVENT-NETWORK-NOT-FOUND") == .networkNotFound)
        #expect(kind("<3>CTRL-EVENT-ASSOC-REJECT bssid=02:00:5e:00:53:01 status_code=17") == .associationRejected(bssid: "02:00:5e:00:53:01", status: 17))
        #expect(kind("<3>CTRL-EVENT-SCAN-FAILED ret=-1") == .scanFailed(code: -1))
        #expect(kind("<3>CTRL-EVENT-SCAN-RESULTS ") == .scanResults)
        #expect(kind("<3>CTRL-EVENT-SIGNAL-CHANGE above=0 signal=-71 noise=-95 txrate=6500") == .signalChanged(rssi: -71))
        #expect(kind("<3>WPA: 4-Way Handshake failed - pre-shared key may be incorrect") == .handshakeFailed)
        #expect(kind("<3>CTRL-EVENT-SUBNET-STATUS-UPDATE status=0") == .other(name: "CTRL-EVENT-SUBNET-STATUS-UPDATE", text: "status=0"))
        #expect(WPAEvent(Self.bytes("<4>CTRL-EVENT-TERMINATING"))?.priority == 4)
        #expect(WPAEvent(Self.bytes("CTRL-EVENT-TERMINATING"))?.priority == 2)
        #expect(WPAEvent(Self.bytes("")) == nil)
        #expect(WPAEvent(Self.bytes("<3>")) == nil)
    }

    @Test("SSIDs round-trip through the escaping, and go to SET_NETWORK quoted or as hex")
    func ssids() {
        for ssid in [Array("netsock".utf8), Array("café".utf8), [0, 1, 0x22, 0x5C, 0xFF, 0x0A, 0x1B], Array(repeating: 0x41, count: 32)] {
            #expect(SSID.decodeEscaped(SSID.escaped(ssid)) == ssid)
            #expect(SSID.decodeEscaped("\"" + SSID.escaped(ssid) + "\"") == ssid)
        }
        #expect(SSID.networkValue(Array("netsock".utf8)) == "\"netsock\"")
        #expect(SSID.networkValue(Array("café".utf8)) == "636166c3a9")
        #expect(SSID.networkValue(Array("a\"b".utf8)) == "612262")
        #expect(SSID.networkValue([]) == nil)
        #expect(SSID.networkValue([UInt8](repeating: 0x41, count: 33)) == nil)
        #expect(SSID.decodeEscaped("\\x4") == nil)
        #expect(SSID.decodeEscaped("\\q") == nil)
        #expect(SSID.decodeEscaped("trailing\\") == nil)
        #expect(SSID.decodeEscaped(String(repeating: "\\x41", count: 33)) == nil)
        #expect(SSID.passphraseValue("12345678") == "\"12345678\"")
        #expect(SSID.passphraseValue("1234567") == nil)
        #expect(SSID.passphraseValue(String(repeating: "a", count: 64)) == String(repeating: "a", count: 64))
        #expect(SSID.passphraseValue(String(repeating: "g", count: 64)) == nil)
        #expect(SSID.passphraseValue("with\"quote") == nil)
    }

    @Test("channels and frequencies on the 2.4, 5 and 6 GHz bands")
    func channels() {
        #expect(ScanResult.channel(frequency: 2412) == 1)
        #expect(ScanResult.channel(frequency: 2472) == 13)
        #expect(ScanResult.channel(frequency: 2484) == 14)
        #expect(ScanResult.channel(frequency: 5180) == 36)
        #expect(ScanResult.channel(frequency: 5825) == 165)
        #expect(ScanResult.channel(frequency: 5955) == 1)
        #expect(ScanResult.channel(frequency: 900) == nil)
        for channel in [1, 6, 13, 14, 36, 165] { #expect(ScanResult.frequency(channel: channel).flatMap(ScanResult.channel) == channel) }
        #expect(ScanResult.frequency(channel: 0) == nil)
    }

    @Test("network blocks per security kind; secrets masked in what a log shows")
    func networkBlocks() throws {
        let wpa2 = try NetworkBlock.commands(id: 0, ssid: Array("netsock".utf8), passphrase: "secret123", security: .wpa2, channel: 6)
        #expect(wpa2 == [
            "SET_NETWORK 0 ssid \"netsock\"", "SET_NETWORK 0 scan_ssid 1", "SET_NETWORK 0 key_mgmt WPA-PSK", "SET_NETWORK 0 psk \"secret123\"",
            "SET_NETWORK 0 freq_list 2437",
        ])
        #expect(wpa2.map(NetworkBlock.loggable).allSatisfy { !$0.contains("secret123") })
        let open = try NetworkBlock.commands(id: 1, ssid: Array("cafe".utf8), passphrase: "", security: .none, channel: nil)
        #expect(open.last == "SET_NETWORK 1 key_mgmt NONE")
        let wpa3 = try NetworkBlock.commands(id: 2, ssid: Array("x".utf8), passphrase: "password1", security: .wpa3, channel: nil)
        #expect(wpa3.contains("SET_NETWORK 2 key_mgmt SAE") && wpa3.contains("SET_NETWORK 2 ieee80211w 2"))
        #expect(throws: NetworkBlock.Failure.invalidPassphrase) {
            try NetworkBlock.commands(id: 0, ssid: Array("x".utf8), passphrase: "short", security: .wpa2, channel: nil)
        }
        #expect(throws: NetworkBlock.Failure.invalidSSID) { try NetworkBlock.commands(id: 0, ssid: [], passphrase: "", security: .none, channel: nil) }
        #expect(throws: NetworkBlock.Failure.unsupportedSecurity) {
            try NetworkBlock.commands(id: 0, ssid: Array("x".utf8), passphrase: "", security: .eapTLS, channel: nil)
        }
        #expect(throws: NetworkBlock.Failure.invalidPassphrase) {
            try NetworkBlock.commands(id: 0, ssid: Array("x".utf8), passphrase: String(repeating: "a", count: 64), security: .wpaWPA2, channel: nil)
        }
        #expect(throws: NetworkBlock.Failure.invalidPassphrase) { try NetworkBlock.commands(id: 0, ssid: Array("x".utf8), passphrase: "", security: .wep, channel: nil) }
        #expect(throws: NetworkBlock.Failure.unsupportedSecurity) {
            try NetworkBlock.commands(id: 0, ssid: Array("x".utf8), passphrase: "12345678", security: .wep, channel: nil)
        }
        let wep = try NetworkBlock.commands(id: 3, ssid: Array("x".utf8), passphrase: "abcde", security: .wep, channel: nil)
        #expect(wep.contains("SET_NETWORK 3 wep_key0 \"abcde\""))
        #expect(NetworkBlock.loggable("SET_NETWORK 3 wep_key0 \"abcde\"") == "SET_NETWORK 3 wep_key0 <masked>")
    }

    @Test("every truncation of captured replies and events parses without a crash")
    func truncations() {
        for text in [Self.status, Self.scanResults, "<3>CTRL-EVENT-SSID-TEMP-DISABLED id=0 ssid=\"a \\\"b\\\" c\" auth_failures=1 reason=WRONG_KEY"] {
            let bytes = Self.bytes(text)
            for end in 0...bytes.count {
                let reply = WPAReply(bytes[..<end])
                _ = ScanResult.parse(reply)
                _ = reply.keyValues
                _ = WPAEvent(bytes[..<end])
            }
        }
    }

    @Test("hostile replies: binary junk, endless lines, huge numbers, broken escapes")
    func hostile() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for _ in 0..<500 {
            let count = Int(state % 300)
            let junk = (0..<count).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            _ = ScanResult.parse(WPAReply(junk))
            _ = WPAEvent(junk)
        }
        let endless = [UInt8](repeating: 0x41, count: 1 << 20)
        if case .text(let text) = WPAReply(endless) { #expect(text.utf8.count == WPAReply.maximumBytes) } else { Issue.record("not text") }
        #expect(ScanResult.parse(WPAReply(Self.bytes("h\nzz:zz:zz:zz:zz:zz\t1\t2\t[ESS]\tx\n02:00:5e:00:53:01\tnope\t-1\t[ESS]\tx\n"))).isEmpty)
        #expect(WPAEvent(Self.bytes("<99999999999>CTRL-EVENT-CONNECTED"))?.priority == 2)
        #expect(WPAEvent(Self.bytes("<3>CTRL-EVENT-SSID-TEMP-DISABLED ssid=\"unterminated \\"))?.kind == .temporarilyDisabled(networkID: nil, ssid: nil, authFailures: nil, reason: nil))
    }
}
