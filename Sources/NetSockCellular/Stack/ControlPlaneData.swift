import NSAPI

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

    static func hex(_ bytes: some Collection<UInt8>) -> String { Hex.encode(bytes, uppercase: true) }

    static func unhex(_ text: String) -> [UInt8]? { Hex.decode(text) }
}
