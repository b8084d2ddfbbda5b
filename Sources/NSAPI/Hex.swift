/// Bytes as hex text and back, for every text protocol here that carries bytes that way:
/// the control API's `hex` payloads, 3GPP TS 27.007 payloads in AT commands,
/// wpa_supplicant's SSIDs, BSSIDs and raw keys, IPv6 groups and HTTP chunk sizes.
public enum Hex {
    /// One hex digit's value (either case); nil for any other byte.
    @inlinable
    public static func digit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte &- UInt8(ascii: "A") &+ 10
        default: nil
        }
    }

    /// Two digits a byte, lower case unless `uppercase` (as AT commands write them).
    public static func encode(_ bytes: some Collection<UInt8>, uppercase: Bool = false) -> String {
        let digits: StaticString = uppercase ? "0123456789ABCDEF" : "0123456789abcdef"
        return digits.withUTF8Buffer { table in
            String(unsafeUninitializedCapacity: bytes.count * 2) { out in
                var index = 0
                for byte in bytes {
                    out[index] = table[Int(byte >> 4)]
                    out[index + 1] = table[Int(byte & 0xF)]
                    index += 2
                }
                return index
            }
        }
    }

    /// Pairs of digits (either case) to bytes; nil for an odd count or any other byte.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let input = Array(text.utf8)
        guard input.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 2)
        var index = 0
        while index < input.count {
            guard let high = self.digit(input[index]), let low = self.digit(input[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }
}
