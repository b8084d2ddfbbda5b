/// Byte scans over JSON string contents, eight bytes at a time.
///
/// A *plain* byte is printable ASCII other than `"` and `\` (0x20...0x7E less 0x22 and
/// 0x5C): inside a JSON string it stands for itself, and jansson writes it unescaped.
/// Base64 is all plain, which is why payloads can skip jansson's per-character lexer
/// and writer (see ``LongStrings``). Pure: bytes in, counts out.
public enum PlainText {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The high bit of each byte of `word` that is zero.
    @inline(__always)
    private static func zeroBytes(_ word: UInt64) -> UInt64 { (word &- ones) & ~word & highs }

    /// Bytes from `start` to the first that is `"` or `\` (or `count` if none).
    public static func quoteOrBackslash(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            let hits = self.zeroBytes(word ^ (ones &* 0x22)) | self.zeroBytes(word ^ (ones &* 0x5C))
            if hits != 0 { return index + (hits.littleEndian.trailingZeroBitCount >> 3) }
            index += 8
        }
        while index < count {
            let byte = bytes[index]
            if byte == 0x22 || byte == 0x5C { return index }
            index += 1
        }
        return count
    }

    /// Bytes from `start` to the first that is not plain (or `count` if all are).
    public static func plainRun(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var index = start
        let count = bytes.count
        while index + 8 <= count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            // Below 0x20, 0x7F and above (high bit, or 0x7F which +1 carries into it),
            // a quote, a backslash.
            let control = (word &- ones &* 0x20) & ~word & highs
            let high = (word | (word &+ ones)) & highs
            let quote = self.zeroBytes(word ^ (ones &* 0x22))
            let backslash = self.zeroBytes(word ^ (ones &* 0x5C))
            let hits = control | high | quote | backslash
            if hits != 0 { break }
            index += 8
        }
        while index < count, self.isPlain(bytes[index]) { index += 1 }
        return index
    }

    @inline(__always)
    public static func isPlain(_ byte: UInt8) -> Bool { byte >= 0x20 && byte < 0x7F && byte != 0x22 && byte != 0x5C }

    /// Whether every byte is plain.
    public static func isPlain(_ bytes: UnsafeRawBufferPointer) -> Bool { self.plainRun(bytes, from: 0) == bytes.count }
}
