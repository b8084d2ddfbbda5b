@testable import NetSockJSON
import Testing

/// Long plain strings skip jansson's lexer and writer; every case here must give exactly
/// what jansson alone gives: the same value or the same error, the same bytes.
@Suite struct LongStringTests {
    static let base64 = String(repeating: "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3+/==", count: 120)
    static let plain = String(repeating: "plain text with spaces, digits 0123 and /slashes/ ", count: 40)

    /// Texts around long strings: keys, values, arrays, nesting, whitespace, empty strings
    /// (which share the skeleton's spelling), escapes and non-ASCII that must not be taken.
    static var texts: [String] {
        let b = Self.base64
        let p = Self.plain
        return [
            #"{"jsonrpc":"2.0","method":"socket.send","params":{"socket":1,"data":"\#(b)"},"id":7}"#,
            #"{"params":{"data":"\#(b)","socket":1},"id":"","method":""}"#,
            #"["\#(b)","","\#(p)",""," ","\#(b)"]"#,
            #"{"\#(b)":"\#(b)"}"#,
            #"{"\#(b)"   :   "","x":"\#(p)"}"#,
            #"  "\#(b)"  "#,
            #"{"a":[{"b":[{"c":"\#(b)"}]}],"d":"\#(b)x\"y"}"#,
            #"{"a":"\#(b)\u00e9","b":"\#(b)é","c":"\#(b)\n"}"#,
            #"{"dup":"\#(b)","dup":"\#(p)"}"#,
            #"{"a":"\#(b)" "b":1}"#,
            #"["\#(b)",]"#,
            #"["\#(b)"#,
            #"{"a":"\#(b)","#,
            #"["\#(b)"] trailing"#,
            #"{"a":"\#(b)":1}"#,
            #"["\#(b)","\#(String(repeating: "\\\\", count: 300))","\#(b)"]"#,
            #"{"k":"\#(String(repeating: "\\\"", count: 300))","v":"\#(b)"}"#,
            #"[1,2,3,"\#(String(repeating: "a", count: 255))","\#(String(repeating: "a", count: 256))",4]"#,
            String(repeating: " ", count: 5000) + #"["\#(b)"]"#,
        ]
    }

    @Test(arguments: LongStringTests.texts)
    func parsingGivesWhatJanssonAloneGives(_ text: String) {
        let bytes = Array(text.utf8)
        #expect(bytes.count >= JSONCodec.longStringScanThreshold || !text.contains(Self.base64))
        let fast = Result { () throws(JSONParseError) in try JSONCodec.parse(bytes) }
        let reference = Result { () throws(JSONParseError) in try JSONCodec.parseWithJanssonOnly(bytes) }
        #expect(fast == reference)
    }

    @Test func valuesAreTakenButKeysAreNot() throws {
        let text = Array(#"{"\#(Self.base64)":"\#(Self.base64)","s":["", "\#(Self.plain)"]}"#.utf8)
        let extraction = try #require(text.withUnsafeBytes { LongStrings.extract($0) })
        #expect(extraction.values.map(\.ordinal) == [0, 2])
        #expect(extraction.skeleton.count == text.count - Self.base64.utf8.count - Self.plain.utf8.count)
        let value = try JSONCodec.parse(text)
        #expect(value[Self.base64] == .string(Self.base64))
        #expect(value["s"] == ["", .string(Self.plain)])
    }

    @Test func nothingToTakeLeavesTheTextToJansson() {
        let short = Array(#"{"a":"short","b":"\#(String(repeating: "é", count: 400))"}"#.utf8)
        #expect(short.withUnsafeBytes { LongStrings.extract($0) } == nil)
    }

    static var values: [JSONValue] {
        let b = JSONValue.string(Self.base64)
        let p = JSONValue.string(Self.plain)
        return [
            ["jsonrpc": "2.0", "id": 1, "result": ["size": 65536, "data": b, "encoding": "base64"]],
            ["jsonrpc": "2.0", "method": "socket.send", "params": ["socket": 3, "data": b], "id": "x"],
            .array([b, p, "", .null, 1.5, -7, true, ["k": b]]),
            b,
            ["unicode key é": b, "quote\"key": p, "": b],
            ["a": .string(Self.base64 + "é"), "b": .string(Self.base64 + "\u{1}"), "c": .string(Self.base64 + "\u{7F}")],
            ["deep": ["er": ["est": ["beyond": b]]]],
            ["empty": .object(JSONObject()), "list": [], "data": b],
            ["nul": .string(Self.base64 + "\u{0}"), "data": b],
        ]
    }

    @Test(arguments: LongStringTests.values)
    func encodingWritesWhatJanssonAloneWrites(_ value: JSONValue) throws {
        let fast = JSONCodec.encode(value)
        #expect(fast == JSONCodec.encodeWithJanssonOnly(value))
        #expect(try JSONCodec.parse(fast) == value)
        #expect(JSONCodec.encode(value, style: .pretty) == JSONCodec.encodeWithJanssonOnly(value, style: .pretty))
    }

    /// Every byte value at every position of a word, after plain bytes or after another
    /// byte that stops the scan, against the byte-at-a-time definitions.
    @Test func wordScansAgreeWithByteScans() {
        var disagreements: [String] = []
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 33] {
            for position in 0..<max(length, 1) {
                for later in [nil, position + 1, position + 3] {
                    for byte in 0...255 {
                        var bytes = [UInt8](repeating: UInt8(ascii: "A"), count: length)
                        if length > 0 { bytes[position] = UInt8(byte) }
                        if let later, later < length { bytes[later] = 0x22 }
                        bytes.withUnsafeBytes { raw in
                            let quote = raw.firstIndex { $0 == 0x22 || $0 == 0x5C } ?? length
                            let plain = raw.firstIndex { !($0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C) } ?? length
                            if PlainText.quoteOrBackslash(raw, from: 0) != quote || PlainText.plainRun(raw, from: 0) != plain {
                                disagreements.append("length \(length), byte \(byte) at \(position)")
                            }
                        }
                    }
                }
            }
        }
        #expect(disagreements.isEmpty)
    }
}

extension Result where Failure == JSONParseError {
    init(_ body: () throws(JSONParseError) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}
