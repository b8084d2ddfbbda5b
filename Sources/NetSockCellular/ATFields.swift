/// The parameters of an AT response line: `+CGCONTRDP: 1,5,"apn","10.0.0.2.255.0.0.0",...`
/// split at commas outside quotes, quotes removed, spaces around fields trimmed.
/// One pass, no recursion; an unterminated quote runs to the end of the line.
public enum ATFields {
    public static func split(_ text: String) -> [String] {
        var fields: [String] = []
        var current: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: "\"") {
                quoted.toggle()
                wasQuoted = true
                continue
            }
            if byte == UInt8(ascii: ","), !quoted {
                fields.append(Self.finish(current, wasQuoted))
                current.removeAll(keepingCapacity: true)
                wasQuoted = false
                continue
            }
            current.append(byte)
        }
        fields.append(Self.finish(current, wasQuoted))
        return fields
    }

    /// The fields after `prefix` (`+CSQ: 20,99` → ["20", "99"]); nil when the line has another.
    public static func after(_ prefix: String, in line: String) -> [String]? {
        guard line.hasPrefix(prefix) else { return nil }
        return self.split(String(line.dropFirst(prefix.count)))
    }

    private static func finish(_ bytes: [UInt8], _: Bool) -> String {
        // Spaces around a field are layout (`+CSQ: 20, 99`); modems put none inside quotes' ends.
        var slice = bytes[...]
        while slice.first == 0x20 { slice = slice.dropFirst() }
        while slice.last == 0x20 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }
}
