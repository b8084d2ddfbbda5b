/// The AT trace a person reads: commands with secrets masked, the modem's bytes with
/// control characters shown (`<cr><lf>`), each cut at a readable length.
public enum ATTrace {
    /// Commands whose arguments are secrets whatever the caller says: the SIM PIN and
    /// PUK, PDP authentication, u-blox PSD user and password, Quectel context credentials.
    static let secretPrefixes = ["AT+CPIN=", "AT+CGAUTH=", "AT+UPSD=0,2,", "AT+UPSD=0,3,", "AT+QICSGP=", "AT+UAUTHREQ=", "AT+CPWD=", "AT+CLCK="]

    public static func sent(_ command: ATCommand) -> String {
        let text = command.text
        let secret = command.isSecret || Self.secretPrefixes.contains { text.uppercased().hasPrefix($0) }
        guard secret else { return "AT TX: " + Self.printable(Array(text.utf8)) }
        let name = text.split(separator: "=", maxSplits: 1).first.map(String.init) ?? text
        return "AT TX: \(name)=<secret>"
    }

    public static func received(_ bytes: some Collection<UInt8>) -> String {
        "AT RX (\(bytes.count)): " + Self.printable(bytes)
    }

    /// At most `limit` bytes shown, the rest counted.
    static func printable(_ bytes: some Collection<UInt8>, limit: Int = 256) -> String {
        var text = ""
        for byte in bytes.prefix(limit) {
            switch byte {
            case 13: text += "<cr>"
            case 10: text += "<lf>"
            case 0x20..<0x7F: text.unicodeScalars.append(Unicode.Scalar(byte))
            default: text += "<\(String(byte, radix: 16))>"
            }
        }
        if bytes.count > limit { text += "... (\(bytes.count - limit) more)" }
        return text
    }
}
