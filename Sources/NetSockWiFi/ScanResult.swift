public import NSAPI

/// One access point of `SCAN_RESULTS`, as Mbed's `nsapi_wifi_ap_t` holds it.
public struct ScanResult: Sendable, Equatable {
    public var bssid: [UInt8]
    public var ssid: [UInt8]
    public var security: SecurityType
    public var rssi: Int
    public var channel: Int
    public var frequency: Int

    public init(bssid: [UInt8], ssid: [UInt8], security: SecurityType, rssi: Int, channel: Int, frequency: Int) {
        self.bssid = bssid
        self.ssid = ssid
        self.security = security
        self.rssi = rssi
        self.channel = channel
        self.frequency = frequency
    }

    /// The rows of a `SCAN_RESULTS` reply (`bssid \t frequency \t signal \t flags \t ssid`);
    /// a malformed row is skipped, a hidden network keeps its empty SSID.
    public static func parse(_ reply: WPAReply) -> [ScanResult] {
        reply.table.rows.compactMap { row in
            guard row.count >= 4, let bssid = parseBSSID(row[0]), let frequency = Int(row[1]), let rssi = Int(row[2]) else { return nil }
            let ssid = row.count >= 5 ? SSID.decodeEscaped(row[4...].joined(separator: "\t")) ?? [] : []
            return ScanResult(
                bssid: bssid, ssid: ssid, security: security(flags: row[3]), rssi: rssi, channel: channel(frequency: frequency) ?? 0,
                frequency: frequency)
        }
    }

    /// `aa:bb:cc:dd:ee:ff` as six bytes: two hex digits each, nothing else.
    public static func parseBSSID(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard part.utf8.count == 2, let byte = Hex.decode(part)?.first else { return nil }
            bytes.append(byte)
        }
        return bytes
    }

    /// Six bytes as wpa_supplicant writes a BSSID, `aa:bb:cc:dd:ee:ff` (`parseBSSID`'s inverse).
    public static func bssidText(_ bytes: [UInt8]) -> String { bytes.map { Hex.encode(CollectionOfOne($0)) }.joined(separator: ":") }

    /// Mbed's security from wpa_supplicant's flags (`[WPA2-PSK-CCMP][ESS]`).
    public static func security(flags: String) -> SecurityType {
        let sae = flags.contains("SAE")
        let psk2 = flags.contains("[WPA2-PSK") || flags.contains("[RSN-PSK") || flags.contains("WPA2-PSK+SAE") || flags.contains("[WPA2-PSK+")
        let psk1 = flags.contains("[WPA-PSK")
        if flags.contains("EAP") { return .wpa2Enterprise }
        if sae && (psk2 || flags.contains("PSK+SAE")) { return .wpa3WPA2 }
        if sae { return .wpa3 }
        if psk1 && psk2 { return .wpaWPA2 }
        if psk2 { return .wpa2 }
        if psk1 { return .wpa }
        if flags.contains("[WEP]") { return .wep }
        return .none
    }

    /// The channel of a frequency in MHz: 2.4 GHz (2484 is 14), 5 GHz, 6 GHz; nil off the bands.
    public static func channel(frequency: Int) -> Int? {
        switch frequency {
        case 2484: 14
        case 2412...2472: (frequency - 2407) / 5
        case 5000...5895: (frequency - 5000) / 5
        case 5955...7115: (frequency - 5950) / 5
        default: nil
        }
    }

    /// The frequency of a 2.4 or 5 GHz channel (for `freq_list` after `set_channel`): 1 to
    /// 14, and the 5 GHz channels stations use (36 to 64, 100 to 144, 149 to 165, every
    /// fourth), as Mbed's WIFI-SET-CHANNEL test expects; nil for any other.
    public static func frequency(channel: Int) -> Int? {
        switch channel {
        case 14: return 2484
        case 1...13: return 2407 + 5 * channel
        case 36...64, 100...144, 149...165:
            return channel % 4 == (channel >= 149 ? 1 : 0) ? 5000 + 5 * channel : nil
        default: return nil
        }
    }
}
