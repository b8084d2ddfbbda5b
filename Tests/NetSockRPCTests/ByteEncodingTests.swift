import NetSockRPC
import Testing

@Suite struct ByteEncodingTests {
    /// RFC 4648 §10 test vectors.
    static let vectors: [(String, String, String)] = [
        ("", "", ""), ("f", "Zg==", "66"), ("fo", "Zm8=", "666f"), ("foo", "Zm9v", "666f6f"), ("foob", "Zm9vYg==", "666f6f62"),
        ("fooba", "Zm9vYmE=", "666f6f6261"), ("foobar", "Zm9vYmFy", "666f6f626172"),
    ]

    @Test func rfc4648Vectors() {
        for (plain, base64, hex) in Self.vectors {
            #expect(ByteEncoding.base64(Array(plain.utf8)) == base64)
            #expect(ByteEncoding.decodeBase64(base64) == Array(plain.utf8))
            #expect(ByteEncoding.hex(Array(plain.utf8)) == hex)
            #expect(ByteEncoding.decodeHex(hex) == Array(plain.utf8))
        }
    }

    @Test func everyByteAndLengthRoundTrips() {
        for length in 0..<300 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 7 + length) }
            #expect(ByteEncoding.decodeBase64(ByteEncoding.base64(bytes)) == bytes)
            #expect(ByteEncoding.decodeHex(ByteEncoding.hex(bytes)) == bytes)
        }
    }

    @Test(arguments: ["Zg", "Zg=", "Z===", "====", "Zm9v\n", " Zm9v", "Zm9v====", "Zg==Zg==", "Zh==", "Zm9=", "Zm!v", "Zm9vYg=a", "é===", "-_=="])
    func invalidBase64IsRefused(text: String) {
        #expect(ByteEncoding.decodeBase64(text) == nil, "\(text.debugDescription)")
    }

    @Test func invalidHexIsRefused() {
        for text in ["0", "0g", "zz", "abc", " 00"] { #expect(ByteEncoding.decodeHex(text) == nil, "\(text)") }
        #expect(ByteEncoding.decodeHex("ABcd") == [0xAB, 0xCD])
    }

    @Test func textFallsBackToBase64ForInvalidUTF8() {
        #expect(ByteEncoding.text.encode(Array("héllo".utf8)) == ("héllo", .text))
        let broken = ByteEncoding.text.encode([0xC3, 0x28])
        #expect(broken.used == .base64)
        #expect(broken.text == "wyg=")
    }
}
