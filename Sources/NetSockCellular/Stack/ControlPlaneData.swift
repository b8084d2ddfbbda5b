/// Non-IP data over the control plane (27.007 §10.1.43–44): `+CSODCP` sends, `+CRTDCP`
/// reports what the network sent. The payload is written as hex in quotes, so bytes a
/// line-based channel treats as line ends (CR, LF) travel safely.
public enum ControlPlaneData {
    /// Mbed's `cellular.max-cp-data-recv-len`: the largest message either way.
    public static let maximumMessage = 1358
    public static let urcPrefix = "+CRTDCP:"

    /// Turns on `+CRTDCP` reporting.
    public static var enableReports: ATCommand { ATCommand("AT+CRTDCP=1") }

    public static func send(contextID: Int, _ payload: some Collection<UInt8>) -> ATCommand {
        ATCommand("AT+CSODCP=\(contextID),\(payload.count),\"\(hex(payload))\"", timeout: .seconds(10))
    }

    /// The context and bytes of a `+CRTDCP: <cid>,<len>,"<hex>"` report; nil when malformed.
    public static func received(_ urc: String) -> (contextID: Int, bytes: [UInt8])? {
        guard let fields = ATFields.after(urcPrefix, in: urc), fields.count == 3, let cid = Int(fields[0]), let length = Int(fields[1]),
            length >= 0, length <= maximumMessage, let bytes = unhex(fields[2]), bytes.count == length
        else { return nil }
        return (cid, bytes)
    }

    /// The message of an `AT+CSODCP=<cid>,<len>,"<hex>"` command line (the simulator's side).
    public static func sent(_ command: String) -> (contextID: Int, bytes: [UInt8])? {
        guard let fields = ATFields.after("AT+CSODCP=", in: command), fields.count >= 3, let cid = Int(fields[0]), let length = Int(fields[1]),
            let bytes = unhex(fields[2]), bytes.count == length
        else { return nil }
        return (cid, bytes)
    }

    public static func report(contextID: Int, _ bytes: [UInt8]) -> String { "+CRTDCP: \(contextID),\(bytes.count),\"\(hex(bytes))\"" }

    static func hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func unhex(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
            default: nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
