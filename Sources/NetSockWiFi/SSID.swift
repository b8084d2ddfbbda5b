import NSAPI

/// SSIDs as wpa_supplicant writes and reads them. An SSID is up to 32 bytes, any bytes
/// (UTF-8 is a habit, not a rule); the control interface prints it with C escapes and
/// takes it either as a quoted string or as hex.
public enum SSID {
    public static let maximumLength = 32

    /// Undoes wpa_supplicant's printf escaping (`\xNN`, `\\`, `\"`, `\e`, `\n`, `\r`, `\t`),
    /// with or without surrounding quotes; nil for a broken escape or more than 32 bytes.
    public static func decodeEscaped(_ text: String) -> [UInt8]? {
        var bytes = Array(text.utf8)
        if bytes.count >= 2, bytes.first == UInt8(ascii: "\""), bytes.last == UInt8(ascii: "\"") { bytes = Array(bytes.dropFirst().dropLast()) }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard index < bytes.count else { return nil }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "e"): out.append(0x1B)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "x"):
                guard index + 1 < bytes.count, let high = Hex.digit(bytes[index]), let low = Hex.digit(bytes[index + 1]) else { return nil }
                out.append(high << 4 | low)
                index += 2
            default: return nil
            }
            guard out.count <= maximumLength else { return nil }
        }
        return out.count <= maximumLength ? out : nil
    }

    /// Writes an SSID as wpa_supplicant prints it (the inverse of `decodeEscaped`, no quotes).
    public static func escaped(_ ssid: some Collection<UInt8>) -> String {
        var out = ""
        for byte in ssid {
            switch byte {
            case 0x5C: out += "\\\\"
            case 0x22: out += "\\\""
            case 0x1B: out += "\\e"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default: out += "\\x" + Hex.encode(CollectionOfOne(byte))
            }
        }
        return out
    }

    /// The value for `SET_NETWORK <id> ssid`: a quoted string when the bytes are plain
    /// printable ASCII without a quote, hex otherwise (non-ASCII, control bytes, quotes).
    /// Nil when empty or over 32 bytes.
    public static func networkValue(_ ssid: some Collection<UInt8>) -> String? {
        guard !ssid.isEmpty, ssid.count <= maximumLength else { return nil }
        if ssid.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 }) { return "\"" + String(decoding: ssid, as: UTF8.self) + "\"" }
        return Hex.encode(ssid)
    }

    /// The value for `SET_NETWORK <id> psk`: a quoted passphrase of 8 to 63 printable ASCII
    /// characters, or 64 hex digits (the raw key) as they are; nil for anything else.
    public static func passphraseValue(_ passphrase: String) -> String? {
        let bytes = Array(passphrase.utf8)
        if bytes.count == 64, bytes.allSatisfy({ Hex.digit($0) != nil }) { return passphrase }
        guard (8...63).contains(bytes.count), bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 }) else { return nil }
        return "\"" + passphrase + "\""
    }

}
