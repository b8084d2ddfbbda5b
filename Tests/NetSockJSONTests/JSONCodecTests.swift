import NetSockJSON
import Testing

@Suite struct JSONCodecTests {
    @Test func parsesEveryTypeAndKeepsIntegersApartFromReals() throws {
        let value = try JSONCodec.parse(#"{"n":null,"t":true,"f":false,"i":-42,"r":1.5,"s":"h\u00e9","a":[1,"x"],"o":{}}"#)
        #expect(value["n"] == .null)
        #expect(value["t"] == .bool(true))
        #expect(value["f"] == .bool(false))
        #expect(value["i"] == .integer(-42))
        #expect(value["r"] == .double(1.5))
        #expect(value["s"] == .string("hé"))
        #expect(value["a"] == .array([.integer(1), .string("x")]))
        #expect(value["o"] == .object(JSONObject()))
    }

    @Test func encodesCompactlyInInsertionOrder() {
        let value: JSONValue = ["jsonrpc": "2.0", "id": 1, "result": ["b": true, "a": nil]]
        #expect(JSONCodec.encodeString(value) == #"{"jsonrpc":"2.0","id":1,"result":{"b":true,"a":null}}"#)
    }

    @Test func roundTripsValuesIncludingNulInStringsAndLargeIntegers() throws {
        let value: JSONValue = [
            "nul": .string("a\u{0}b"), "max": .integer(Int64.max), "min": .integer(Int64.min),
            "real": .double(0.1), "unicode": "日本語 🚀", "escapes": "\"\\\n\t",
        ]
        #expect(try JSONCodec.parse(JSONCodec.encode(value)) == value)
        #expect(try JSONCodec.parse(JSONCodec.encode(value, style: .pretty)) == value)
    }

    @Test func scalarsAtTheTopLevelAreValidJSON() throws {
        #expect(try JSONCodec.parse("42") == .integer(42))
        #expect(try JSONCodec.parse("\"x\"") == .string("x"))
        #expect(try JSONCodec.parse(" null ") == .null)
    }

    @Test(arguments: [
        "", "{", "}", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{'a':1}", "nul", "tru", "01", "1.", ".5", "+1",
        "NaN", "Infinity", "[1] [2]", "{\"a\":1}x", "\"unterminated", "\"bad escape \\x\"", "\"\\ud800\"",
        "{\"a\":1,\"a\":2}", "99999999999999999999999", "1e999", "/* comment */ 1",
    ])
    func refusesMalformedText(text: String) {
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(text) }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0xC3, 0x28, 0x22]  // "\xC3(" : a broken two-byte sequence.
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(bytes) }
        let overlong: [UInt8] = [0x22, 0xC0, 0xAF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(overlong) }
        let lone: [UInt8] = [0x22, 0xFF, 0x22]
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(lone) }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(deep) }
        let justDeepEnough = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(justDeepEnough, maxDepth: 5) }
        #expect((try? JSONCodec.parse(justDeepEnough, maxDepth: 10)) != nil)
    }

    @Test func errorsCarryAPosition() {
        do {
            _ = try JSONCodec.parse("{\"a\": x}")
            Issue.record("expected an error")
        } catch {
            #expect(error.position > 0)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func nonFiniteDoublesEncodeAsNull() {
        #expect(JSONCodec.encodeString(.double(.nan)) == "null")
        #expect(JSONCodec.encodeString(.double(.infinity)) == "null")
    }

    @Test func objectEqualityIgnoresMemberOrder() {
        let a: JSONValue = ["x": 1, "y": 2]
        let b: JSONValue = ["y": 2, "x": 1]
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        var object = JSONObject()
        object["k"] = 1
        object["k"] = 2
        object["j"] = nil
        #expect(object.count == 1 && object["k"] == 2)
        object["k"] = nil
        #expect(object.isEmpty)
    }
}
