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

/// Regression: every key insert scanned the earlier keys, so 80,000 param keys froze the
/// daemon for 18 s. Large objects are indexed; these check that the index stays right.
@Suite struct LargeObjectTests {
    @Test func eightyThousandKeysParseAndLookUp() throws {
        let text = "{" + (0..<80_000).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        let object = try #require(try JSONCodec.parse(text).objectValue)
        #expect(object.count == 80_000)
        #expect(object["k0"] == 0)
        #expect(object["k79999"] == 79_999)
        #expect(object["k80000"] == nil)
        #expect(object.keys.prefix(3) == ["k0", "k1", "k2"], "insertion order is kept")
    }

    @Test func theIndexFollowsInsertsUpdatesAndRemovals() {
        var object = JSONObject()
        for index in 0..<100 { object["k\(index)"] = JSONValue(index) }
        object["k50"] = nil
        object["k10"] = "ten"
        object["k100"] = 100
        #expect(object.count == 100)
        #expect(object["k50"] == nil)
        #expect(object["k51"] == 51)
        #expect(object["k10"] == "ten")
        #expect(object.keys.last == "k100")
        var copy = object
        copy["k0"] = nil
        #expect(object["k0"] == 0, "a copy's change does not reach the original")
        #expect(copy["k1"] == 1 && copy.count == 99)
        let literal = JSONObject(uniqueKeysWithValues: (0..<40).map { ("x\($0)", JSONValue($0)) })
        #expect(literal["x39"] == 39)
        #expect(JSONObject(literal.members.reversed().map { ($0.key, $0.value) }) == literal, "order is not meaning")
    }
}
