public import NSAPI

/// The `SET_NETWORK` commands that make wpa_supplicant's network block for Mbed's
/// `connect(ssid, pass, security, channel)`, in order after `ADD_NETWORK` gave `id`.
/// Secrets are in them: the caller never logs these commands, only `loggable`.
public enum NetworkBlock {
    public enum Failure: Error, Equatable {
        /// Mbed's set_credentials rules: an SSID of 1 to 32 bytes, a passphrase of 8 to
        /// 63 characters or 64 hex digits for the WPA kinds, a WEP key of 5/13 characters
        /// or 10/26 hex digits; UNSUPPORTED for kinds wpa_supplicant's PSK path cannot do.
        case invalidSSID
        case invalidPassphrase
        case unsupportedSecurity
    }

    public static func commands(id: Int, ssid: [UInt8], passphrase: String, security: SecurityType, channel: Int?) throws(Failure) -> [String] {
        guard let ssidValue = SSID.networkValue(ssid) else { throw .invalidSSID }
        var commands = ["SET_NETWORK \(id) ssid \(ssidValue)", "SET_NETWORK \(id) scan_ssid 1"]
        switch security {
        case .none:
            commands.append("SET_NETWORK \(id) key_mgmt NONE")
        case .wep:
            let bytes = Array(passphrase.utf8)
            let hex = bytes.allSatisfy { Hex.digit($0) != nil }
            let key: String
            switch (bytes.count, hex) {
            case (0, _): throw .invalidPassphrase
            case (5, _), (13, _): key = "\"" + passphrase + "\""
            case (10, true), (26, true): key = passphrase
            // Mbed's test allows UNSUPPORTED for a WEP key of another length.
            default: throw .unsupportedSecurity
            }
            commands += ["SET_NETWORK \(id) key_mgmt NONE", "SET_NETWORK \(id) wep_key0 \(key)", "SET_NETWORK \(id) wep_tx_keyidx 0"]
        case .wpa, .wpa2, .wpaWPA2, .wpa3, .wpa3WPA2:
            // Mbed's passphrase: 8 to 63 characters (a 64-character one is PARAMETER, WIFI-03).
            guard passphrase.utf8.count <= 63, let psk = SSID.passphraseValue(passphrase) else { throw .invalidPassphrase }
            let (keyManagement, pmf): (String, Int?) =
                switch security {
                case .wpa3: ("SAE", 2)
                case .wpa3WPA2: ("WPA-PSK SAE", 1)
                default: ("WPA-PSK", nil)
                }
            commands += ["SET_NETWORK \(id) key_mgmt \(keyManagement)", "SET_NETWORK \(id) \(security == .wpa3 ? "sae_password" : "psk") \(psk)"]
            if security == .wpa3WPA2 { commands.append("SET_NETWORK \(id) sae_password \(psk)") }
            if let pmf { commands.append("SET_NETWORK \(id) ieee80211w \(pmf)") }
        default:
            throw .unsupportedSecurity
        }
        if let channel, channel != 0 {
            guard let frequency = ScanResult.frequency(channel: channel) else { throw .unsupportedSecurity }
            commands.append("SET_NETWORK \(id) freq_list \(frequency)")
        }
        return commands
    }

    /// A command as a log may show it: the value of a secret field is masked.
    public static func loggable(_ command: String) -> String {
        let words = command.split(separator: " ", maxSplits: 3)
        guard words.count == 4, words[0] == "SET_NETWORK", ["psk", "sae_password", "wep_key0", "password"].contains(String(words[2])) else {
            return command
        }
        return "\(words[0]) \(words[1]) \(words[2]) <masked>"
    }
}
