/// Long plain string values, taken out of a JSON text before jansson parses it.
///
/// jansson lexes a string one character at a time through a stream abstraction, about
/// 25 ns a byte: a 64 KiB payload in base64 costs it 2 ms, more than everything else
/// the daemon does with the request. A string value whose bytes are all plain
/// (``PlainText``) means exactly its bytes, so nothing is lost by not lexing it: the
/// scan here finds such values, the text jansson parses has them emptied (`""`), and
/// the parsed value gets them back by their place in document order.
///
/// The scan follows only what decides where strings are: quotes and backslashes
/// inside them, and whether a string is a key (the next byte that is not whitespace is
/// `:`). Keys are never taken, so duplicate-key checks see every key. Values are
/// counted in document order, which is the order jansson's objects iterate in (their
/// insertion order) and arrays in: the n-th string value of the emptied text is the
/// n-th of the original. Pure: bytes in, values out.
enum LongStrings {
    /// Values shorter than this are left to jansson: taking them would save little.
    static let minimumLength = 256

    struct Extraction {
        /// The text with each taken value emptied.
        var skeleton: [UInt8]
        /// Each taken value: its ordinal among the string values, and its bytes (no quotes).
        var values: [(ordinal: Int, range: Range<Int>)]
    }

    /// The text with long plain string values emptied, or nil when it has none.
    static func extract(_ bytes: UnsafeRawBufferPointer) -> Extraction? {
        var taken: [(ordinal: Int, range: Range<Int>)] = []
        var ordinal = 0
        // A string that has just closed, until the next significant byte says what it was.
        var pending: (range: Range<Int>, plain: Bool)?
        var index = 0
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
                continue
            default:
                break
            }
            if let string = pending {
                pending = nil
                if byte != UInt8(ascii: ":") {
                    if string.plain && string.range.count >= Self.minimumLength { taken.append((ordinal, string.range)) }
                    ordinal += 1
                }
            }
            guard byte == UInt8(ascii: "\"") else {
                index += 1
                continue
            }
            // A string: its contents run to the first quote not escaped.
            let start = index + 1
            var cursor = start
            var plain = true
            while true {
                cursor = PlainText.quoteOrBackslash(bytes, from: cursor)
                guard cursor < count else { break }
                if bytes[cursor] == UInt8(ascii: "\"") { break }
                plain = false
                cursor += 2  // A backslash and what it escapes.
            }
            guard cursor < count else { break }  // Unterminated: jansson reports it.
            let range = start..<cursor
            if plain && range.count >= Self.minimumLength {
                plain = PlainText.isPlain(UnsafeRawBufferPointer(rebasing: bytes[range]))
            }
            pending = (range, plain)
            index = cursor + 1
        }
        if let string = pending, string.plain && string.range.count >= Self.minimumLength {
            taken.append((ordinal, string.range))
        }
        guard !taken.isEmpty else { return nil }
        var skeleton: [UInt8] = []
        skeleton.reserveCapacity(count - taken.reduce(0) { $0 + $1.range.count })
        var copied = 0
        for value in taken {
            skeleton.append(contentsOf: bytes[copied..<value.range.lowerBound])
            copied = value.range.upperBound
        }
        skeleton.append(contentsOf: bytes[copied..<count])
        return Extraction(skeleton: skeleton, values: taken)
    }
}
