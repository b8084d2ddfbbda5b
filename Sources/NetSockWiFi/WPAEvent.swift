/// An event of wpa_supplicant's monitor socket (`<N>CTRL-EVENT-...`), typed where the
/// Wi-Fi interface acts on it; the rest keeps its name and text.
public struct WPAEvent: Sendable, Equatable {
    /// 0 msgdump … 4 error; 2 (info) when the `<N>` prefix is missing.
    public var priority: Int
    public var kind: Kind

    public enum Kind: Sendable, Equatable {
        /// `CTRL-EVENT-CONNECTED - Connection to <bssid> completed [id=<n> id_str=]`
        case connected(bssid: String?, networkID: Int?)
        /// `CTRL-EVENT-DISCONNECTED bssid=<b> reason=<n> [locally_generated=1]`
        case disconnected(bssid: String?, reason: Int?, locallyGenerated: Bool)
        case scanStarted
        case scanResults
        /// `CTRL-EVENT-SCAN-FAILED ret=<n>`
        case scanFailed(code: Int?)
        /// `CTRL-EVENT-SSID-TEMP-DISABLED id=<n> ssid="<s>" auth_failures=<n> duration=<n> reason=<WRONG_KEY|...>`
        case temporarilyDisabled(networkID: Int?, ssid: [UInt8]?, authFailures: Int?, reason: String?)
        case networkNotFound
        /// `CTRL-EVENT-ASSOC-REJECT bssid=<b> status_code=<n>`
        case associationRejected(bssid: String?, status: Int?)
        /// `CTRL-EVENT-SIGNAL-CHANGE above=<0|1> signal=<dBm> noise=... txrate=...`
        case signalChanged(rssi: Int?)
        /// `CTRL-EVENT-TERMINATING`: the daemon is going away.
        case terminating
        /// `WPA: 4-Way Handshake failed - pre-shared key may be incorrect`
        case handshakeFailed
        /// Any other line: its first word and the rest.
        case other(name: String, text: String)
    }

    /// Parses one event datagram; nil for an empty one.
    public init?(_ bytes: some Collection<UInt8>) {
        var text = String(decoding: bytes.prefix(WPAReply.maximumBytes), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        var priority = 2
        if text.first == "<", let close = text.firstIndex(of: ">"), text.distance(from: text.startIndex, to: close) <= 3,
            let level = Int(text[text.index(after: text.startIndex)..<close])
        {
            priority = level
            text = String(text[text.index(after: close)...])
        }
        guard !text.isEmpty else { return nil }
        self.priority = priority
        let name = String(text.prefix { $0 != " " })
        let fields = WPAEvent.fields(text)
        switch name {
        case "CTRL-EVENT-CONNECTED":
            let words = text.split(separator: " ")
            let bssid = words.firstIndex(of: "to").flatMap { $0 + 1 < words.count ? String(words[$0 + 1]) : nil }
            let id = fields["[id"].flatMap { Int($0) } ?? fields["id"].flatMap { Int($0) }
            self.kind = .connected(bssid: bssid, networkID: id)
        case "CTRL-EVENT-DISCONNECTED":
            self.kind = .disconnected(bssid: fields["bssid"], reason: fields["reason"].flatMap { Int($0) }, locallyGenerated: fields["locally_generated"] == "1")
        case "CTRL-EVENT-SCAN-STARTED": self.kind = .scanStarted
        case "CTRL-EVENT-SCAN-RESULTS": self.kind = .scanResults
        case "CTRL-EVENT-SCAN-FAILED": self.kind = .scanFailed(code: fields["ret"].flatMap { Int($0) })
        case "CTRL-EVENT-SSID-TEMP-DISABLED":
            self.kind = .temporarilyDisabled(
                networkID: fields["id"].flatMap { Int($0) }, ssid: fields["ssid"].flatMap(SSID.decodeEscaped),
                authFailures: fields["auth_failures"].flatMap { Int($0) }, reason: fields["reason"])
        case "CTRL-EVENT-NETWORK-NOT-FOUND": self.kind = .networkNotFound
        case "CTRL-EVENT-ASSOC-REJECT":
            self.kind = .associationRejected(bssid: fields["bssid"], status: fields["status_code"].flatMap { Int($0) })
        case "CTRL-EVENT-SIGNAL-CHANGE": self.kind = .signalChanged(rssi: fields["signal"].flatMap { Int($0) })
        case "CTRL-EVENT-TERMINATING": self.kind = .terminating
        default:
            if text.hasPrefix("WPA: 4-Way Handshake failed") {
                self.kind = .handshakeFailed
            } else {
                self.kind = .other(name: name, text: String(text.dropFirst(name.count).drop { $0 == " " }))
            }
        }
    }

    /// `key=value` words after the event's name; a quoted value (`ssid="a b"`) runs to its
    /// closing quote, with `\"` and `\\` inside it kept for `SSID.decodeEscaped`.
    static func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        let bytes = Array(text.utf8)
        var index = 0
        while index < bytes.count {
            while index < bytes.count && bytes[index] == 0x20 { index += 1 }
            let keyStart = index
            while index < bytes.count && bytes[index] != 0x20 && bytes[index] != UInt8(ascii: "=") { index += 1 }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "=") else {
                while index < bytes.count && bytes[index] != 0x20 { index += 1 }
                continue
            }
            let key = String(decoding: bytes[keyStart..<index], as: UTF8.self)
            index += 1
            var value: [UInt8] = []
            if index < bytes.count && bytes[index] == UInt8(ascii: "\"") {
                value.append(bytes[index])
                index += 1
                while index < bytes.count && bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") && index + 1 < bytes.count {
                        value.append(bytes[index])
                        index += 1
                    }
                    value.append(bytes[index])
                    index += 1
                }
                if index < bytes.count {
                    value.append(bytes[index])
                    index += 1
                }
            } else {
                while index < bytes.count && bytes[index] != 0x20 {
                    value.append(bytes[index])
                    index += 1
                }
            }
            if result[key] == nil { result[key] = String(decoding: value, as: UTF8.self) }
        }
        return result
    }
}
