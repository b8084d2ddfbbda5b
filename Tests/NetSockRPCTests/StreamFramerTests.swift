import NetSockJSON
import NetSockRPC
import Testing

/// Feeds `bytes` in chunks of `chunk` and collects every frame, including the end-of-stream one.
func frames(
    _ bytes: [UInt8], chunk: Int, maxMessageBytes: Int = 1 << 20, maxDepth: Int = 512, maxElements: Int = StreamFramer.defaultMaxElements
) -> [StreamFramer.Frame] {
    var framer = StreamFramer(maxMessageBytes: maxMessageBytes, maxDepth: maxDepth, maxElements: maxElements)
    var out: [StreamFramer.Frame] = []
    var index = 0
    while index < bytes.count {
        framer.append(bytes[index..<min(index + chunk, bytes.count)])
        index += chunk
        while let frame = framer.next() { out.append(frame) }
    }
    while let frame = framer.finish() { out.append(frame) }
    return out
}

func texts(_ frames: [StreamFramer.Frame]) -> [String] {
    frames.map { frame in
        switch frame {
        case .message(let bytes): String(decoding: bytes, as: UTF8.self)
        case .error(let error): "ERROR: \(error)"
        }
    }
}

@Suite struct StreamFramerTests {
    /// NDJSON, back-to-back objects, a pretty-printed object, a batch, strings with
    /// braces and escaped quotes, CRLF and tabs: every framing the API accepts.
    static let mixedStream = Array(
        """
        {"jsonrpc":"2.0","method":"a","id":1}
        {"jsonrpc":"2.0","method":"b","id":2}{"jsonrpc":"2.0","method":"c","id":3}\r
        {
          "jsonrpc": "2.0",
          "method": "d",
          "params": {"text": "}{][ \\" \\\\"},
          "id": 4
        }
        \t[{"jsonrpc":"2.0","method":"e","id":5},{"jsonrpc":"2.0","method":"f"}]   42 "str" true{"k":"日本"}
        """.utf8)

    @Test func splitsEveryFramingAtEveryChunkSize() throws {
        let whole = texts(frames(Self.mixedStream, chunk: Self.mixedStream.count))
        #expect(whole.count == 9)
        for value in whole { _ = try JSONCodec.parse(value) }
        for chunk in 1...Self.mixedStream.count {
            #expect(texts(frames(Self.mixedStream, chunk: chunk)) == whole, "chunk size \(chunk)")
        }
    }

    @Test func prettyPrintedMessageIsOneFrame() throws {
        let pretty = JSONCodec.encode(["jsonrpc": "2.0", "method": "x", "params": ["a": [1, 2, ["b": "c"]]], "id": 9], style: .pretty)
        let result = texts(frames(pretty, chunk: 3))
        #expect(result.count == 1)
        #expect(try JSONCodec.parse(result[0])["id"] == 9)
    }

    @Test func garbageBetweenValuesResynchronises() {
        let stream = Array(#"xyz {"a":1} } ] nul {"b":2}"#.utf8)
        for chunk in [1, 2, 5, stream.count] {
            let result = texts(frames(stream, chunk: chunk))
            #expect(result == ["xyz", #"{"a":1}"#, "}", "]", "nul", #"{"b":2}"#], "chunk \(chunk)")
        }
    }

    @Test func oversizeMessageIsReportedOnceAndTheStreamGoesOn() {
        let big = "{\"pad\":\"" + String(repeating: "x", count: 5000) + "\"}"
        let stream = Array((big + "\n" + #"{"after":1}"#).utf8)
        for chunk in [1, 7, 4096, stream.count] {
            let result = frames(stream, chunk: chunk, maxMessageBytes: 1000)
            #expect(result.count == 2, "chunk \(chunk)")
            #expect(result.first == .error(.tooLarge(limit: 1000)))
            #expect(texts(Array(result.dropFirst())) == [#"{"after":1}"#])
        }
    }

    @Test func oversizeMemoryStaysBounded() {
        var framer = StreamFramer(maxMessageBytes: 1000)
        framer.append(Array("[\"".utf8))
        for _ in 0..<1000 {
            framer.append([UInt8](repeating: 0x61, count: 1000))
            #expect(framer.next() == nil)
        }
        #expect(framer.bufferedByteCount < 10_000)
    }

    @Test func deepNestingIsAnErrorWithResync() {
        let deep = String(repeating: "[", count: 20_000) + String(repeating: "]", count: 20_000)
        let stream = Array((deep + #"{"ok":true}"#).utf8)
        for chunk in [1, 333, stream.count] {
            let result = frames(stream, chunk: chunk)
            #expect(result.first == .error(.tooDeep(limit: 512)), "chunk \(chunk)")
            #expect(texts(Array(result.dropFirst())) == [#"{"ok":true}"#])
        }
    }

    /// 80,000 one-byte params once cost 130 ms of parsing: members and elements are
    /// counted while framing, and a message with too many is refused unparsed.
    @Test func tooManyElementsIsAnErrorWithResync() {
        func object(_ members: Int) -> String { "{" + (0..<members).map { "\"k\($0)\":0" }.joined(separator: ",") + "}" }
        var framer = StreamFramer(maxElements: 100)
        framer.append(Array((object(100) + object(101) + #"{"ok":[1,2,"a,b,c"]}"#).utf8))
        #expect(texts([framer.next()!]) == [object(100)], "the object itself plus 99 commas: 100")
        #expect(framer.next() == .error(.tooManyElements(limit: 100)))
        #expect(texts([framer.next()!]) == [#"{"ok":[1,2,"a,b,c"]}"#], "commas inside strings are not elements")
        let nested = "[" + String(repeating: "[],", count: 60) + "{}]"
        for chunk in [1, 7, nested.utf8.count] {
            #expect(frames(Array(nested.utf8), chunk: chunk, maxElements: 100) == [.error(.tooManyElements(limit: 100))], "chunk \(chunk)")
        }
    }

    @Test func aMessageOnItsOwnIsCheckedAgainstTheSameLimits() {
        let framer = StreamFramer(maxMessageBytes: 1000, maxDepth: 4, maxElements: 10)
        #expect(framer.violation(in: Array(#"{"a":[1,2,3]}"#.utf8)) == nil)
        #expect(framer.violation(in: Array("[[[[[1]]]]]".utf8)) == .tooDeep(limit: 4))
        #expect(framer.violation(in: Array("[1,2,3,4,5,6,7,8,9,10,11]".utf8)) == .tooManyElements(limit: 10))
        #expect(framer.violation(in: [UInt8](repeating: 0x20, count: 10) + Array("[\"".utf8) + [UInt8](repeating: 0x61, count: 2000)) == .tooLarge(limit: 1000))
        #expect(framer.violation(in: Array(#"{"a":"#.utf8)) == .truncated)
        #expect(framer.violation(in: []) == nil, "nothing to frame; the parser reports that")
    }

    @Test func truncatedValueAtEndOfStream() {
        #expect(frames(Array(#"{"a":1}{"b":"#.utf8), chunk: 2).last == .error(.truncated))
        #expect(frames(Array(#""open string"#.utf8), chunk: 100) == [.error(.truncated)])
        #expect(texts(frames(Array("  42".utf8), chunk: 1)) == ["42"])
        #expect(frames(Array("   \n\t ".utf8), chunk: 1).isEmpty)
    }

    @Test func nonUTF8PassesFramingAndFailsParsing() {
        let stream: [UInt8] = Array(#"{"a":""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)
        let result = frames(stream, chunk: 1)
        guard case .message(let bytes) = result.first else {
            Issue.record("expected a frame")
            return
        }
        #expect(throws: JSONParseError.self) { try JSONCodec.parse(bytes) }
    }

    @Test func randomisedSplitsAgreeWithWholeStream() {
        var generator = SplitMix64(seed: 0x5EED)
        let whole = texts(frames(Self.mixedStream, chunk: Self.mixedStream.count))
        for _ in 0..<200 {
            var framer = StreamFramer()
            var out: [StreamFramer.Frame] = []
            var index = 0
            while index < Self.mixedStream.count {
                let size = Int(generator.next() % 17) + 1
                framer.append(Self.mixedStream[index..<min(index + size, Self.mixedStream.count)])
                index += size
                while let frame = framer.next() { out.append(frame) }
            }
            while let frame = framer.finish() { out.append(frame) }
            #expect(texts(out) == whole)
        }
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
