import NSAPI

/// How socket payloads travel in JSON: base64 (RFC 4648, padded), UTF-8 text, or hex.
public enum ByteEncoding: String, Sendable, CaseIterable {
    case base64
    case text
    case hex

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    /// Standard padded base64 (RFC 4648 §4).
    public static func base64(_ bytes: some Collection<UInt8>) -> String {
        let input = Array(bytes)
        let outputCount = (input.count + 2) / 3 * 4
        let encoded = [UInt8](unsafeUninitializedCapacity: outputCount) { output, initialized in
            self.alphabet.withUnsafeBufferPointer { alphabet in
                input.withUnsafeBufferPointer { source in
                    var read = 0
                    var written = 0
                    while read + 3 <= source.count {
                        let group = UInt32(source[read]) << 16 | UInt32(source[read + 1]) << 8 | UInt32(source[read + 2])
                        output[written] = alphabet[Int(group >> 18)]
                        output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                        output[written + 2] = alphabet[Int(group >> 6 & 0x3F)]
                        output[written + 3] = alphabet[Int(group & 0x3F)]
                        read += 3
                        written += 4
                    }
                    let rest = source.count - read
                    if rest > 0 {
                        let group = UInt32(source[read]) << 16 | (rest == 2 ? UInt32(source[read + 1]) << 8 : 0)
                        output[written] = alphabet[Int(group >> 18)]
                        output[written + 1] = alphabet[Int(group >> 12 & 0x3F)]
                        output[written + 2] = rest == 2 ? alphabet[Int(group >> 6 & 0x3F)] : UInt8(ascii: "=")
                        output[written + 3] = UInt8(ascii: "=")
                        written += 4
                    }
                    initialized = written
                }
            }
        }
        return String(decoding: encoded, as: UTF8.self)
    }

    /// Strict decoding: padded, canonical (unused bits zero), no whitespace; `nil` otherwise.
    public static func decodeBase64(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { input -> [UInt8]? in
            guard input.count % 4 == 0 else { return nil }
            let groups = input.count / 4
            var failed = false
            let decoded = self.reverse.withUnsafeBufferPointer { table in
                [UInt8](unsafeUninitializedCapacity: groups * 3) { output, initialized in
                    var written = 0
                    for group in 0..<groups {
                        let offset = group * 4
                        let a = table[Int(input[offset])]
                        let b = table[Int(input[offset + 1])]
                        var c = table[Int(input[offset + 2])]
                        var d = table[Int(input[offset + 3])]
                        var padding = 0
                        if group == groups - 1 {
                            if input[offset + 3] == UInt8(ascii: "=") {
                                padding = 1
                                d = 0
                                if input[offset + 2] == UInt8(ascii: "=") {
                                    padding = 2
                                    c = 0
                                }
                            }
                        }
                        // 0xFF marks a byte outside the alphabet, "=" included where it may not stand.
                        guard (a | b | c | d) & 0xC0 == 0 else {
                            failed = true
                            break
                        }
                        let value = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                        output[written] = UInt8(value >> 16)
                        written += 1
                        if padding < 2 {
                            output[written] = UInt8(value >> 8 & 0xFF)
                            written += 1
                        }
                        if padding < 1 {
                            output[written] = UInt8(value & 0xFF)
                            written += 1
                        }
                        // Canonical form: the bits the padding drops must be zero.
                        if (padding == 2 && b & 0xF != 0) || (padding == 1 && c & 0x3 != 0) {
                            failed = true
                            break
                        }
                    }
                    initialized = written
                }
            }
            return failed ? nil : decoded
        }
    }

    public static func hex(_ bytes: some Collection<UInt8>) -> String { Hex.encode(bytes) }

    public static func decodeHex(_ text: String) -> [UInt8]? { Hex.decode(text) }

    /// Encodes received bytes; text that is not valid UTF-8 falls back to base64, and the
    /// encoding actually used is returned, so no received byte is ever lost or altered.
    public func encode(_ bytes: [UInt8]) -> (text: String, used: ByteEncoding) {
        switch self {
        case .base64: return (Self.base64(bytes), .base64)
        case .hex: return (Self.hex(bytes), .hex)
        case .text:
            if let text = String(validating: bytes, as: UTF8.self) { return (text, .text) }
            return (Self.base64(bytes), .base64)
        }
    }
}
