import NSAPI
import Testing

/// The hex codec and the blank-trimmer every text protocol here shares.
@Suite struct TextCodingTests {
    @Test("hex: every byte both ways, in either case; an odd count or a non-digit is nil")
    func hex() {
        let all = (0...255).map { UInt8($0) }
        #expect(Hex.decode(Hex.encode(all)) == all)
        #expect(Hex.decode(Hex.encode(all, uppercase: true)) == all)
        #expect(Hex.encode([0x00, 0xAB, 0xFF]) == "00abff")
        #expect(Hex.encode([0x00, 0xAB, 0xFF], uppercase: true) == "00ABFF")
        #expect(Hex.encode([]) == "" && Hex.decode("") == [])
        #expect(Hex.decode("aBc") == nil)
        #expect(Hex.decode("0g") == nil && Hex.decode("0 ") == nil && Hex.decode("é1") == nil)
        let digits = all.filter { Hex.digit($0) != nil }
        #expect(String(decoding: digits, as: UTF8.self) == "0123456789ABCDEFabcdef")
    }

    @Test("trimmingBlanks takes spaces and tabs from both ends only", arguments: [
        ("", ""), ("   ", ""), ("\t \t", ""), (" a ", "a"), ("\ta b\t", "a b"), ("a", "a"), (" \u{00A0}x", "\u{00A0}x"), ("x\r", "x\r"),
    ])
    func trimming(_ input: String, _ expected: String) {
        #expect(String(input.trimmingBlanks) == expected)
        #expect(String(input[...].trimmingBlanks) == expected)
    }
}
